from datetime import timedelta

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext

from people.access_log import AccessLogEntry, purge_older_than


class Command(BaseCommand):
    help = (
        "Delete the read log's entries older than the retention period (CASETRACKER_ACCESS_LOG_"
        "DAYS, default 730 days): the only deletion the log allows. Run it daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=None,
            help="Keep this many days instead of the setting (at least 1).",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Count what would be deleted; delete nothing."
        )

    def handle(self, *args, **options):
        days = options["days"] if options["days"] is not None else settings.ACCESS_LOG_DAYS
        if days < 1:
            raise CommandError(gettext("The read log is kept for at least one day."))
        if options["dry_run"]:
            cutoff = timezone.now() - timedelta(days=days)
            count = AccessLogEntry.objects.filter(at__lt=cutoff).count()
            message = gettext("Would delete %(count)d read log entries older than %(days)d days.")
        else:
            count = purge_older_than(days)
            message = gettext("Deleted %(count)d read log entries older than %(days)d days.")
        self.stdout.write(message % {"count": count, "days": days})
