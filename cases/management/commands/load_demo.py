from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.translation import gettext

from cases.demo import load_demo


class Command(BaseCommand):
    help = (
        "Load the demo cases from the five source articles, and with DEBUG on the demo users. "
        "Running it again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would be created, then roll everything back.",
        )

    def handle(self, *args, dry_run=False, **options):
        result = load_demo(with_users=settings.DEBUG, dry_run=dry_run)
        if dry_run:
            self.stdout.write(gettext("Dry run: nothing was saved."))
        self.stdout.write(result.summary())
        if not settings.DEBUG:
            self.stdout.write(gettext("DEBUG is off: no demo users were created."))
            return
        for user in result.users:
            if user.created:
                line = gettext("Demo user %(username)s, password %(password)s (%(role)s)")
            else:
                line = gettext(
                    "Demo user %(username)s already exists (%(role)s): password left as it is; "
                    "the demo password is %(password)s"
                )
            self.stdout.write(
                line
                % {"username": user.username, "password": user.password, "role": gettext(user.role)}
            )
