import sys
import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from cases.imports import ImportFailed, detect_format, import_file

from .export_cases import Progress

ACTIONS = {
    "created": (_("created"), _("would create")),
    "updated": (_("updated"), _("would update")),
    "linked": (_("linked"), _("would link")),
}


class Command(BaseCommand):
    help = (
        "Import a JSON export of export_cases, or a CSV file in the template of "
        "docs/import-template.md. All or nothing: on any error nothing is saved, and every "
        "error names the record and the field. Importing the same file again updates the "
        "records it created instead of adding them twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="The file to import; - reads standard input.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report what would change, then roll everything back.",
        )
        parser.add_argument(
            "--format",
            choices=["json", "csv"],
            help="The file's format (default: from its name, else from its first character).",
        )

    def handle(self, *args, file, dry_run=False, format=None, verbosity=1, **options):
        content = self.read(file)
        file_format = format or detect_format(file, content)
        progress = Progress(
            self.stderr,
            None,
            gettext("persons") if file_format == "json" else gettext("rows"),
            enabled=verbosity > 0,
        )
        started = time.monotonic()
        try:
            result = import_file(
                file, content, dry_run=dry_run, progress=progress, file_format=file_format
            )
        except ImportFailed as failure:
            progress.done()
            for error in failure.errors:
                self.stderr.write(error)
            raise CommandError(
                ngettext(
                    "Import failed with %(count)d error; nothing was saved.",
                    "Import failed with %(count)d errors; nothing was saved.",
                    len(failure.errors),
                )
                % {"count": len(failure.errors)}
            ) from None
        progress.done()
        if dry_run or verbosity > 1:
            for change in result.changes:
                action = ACTIONS[change.action][1 if dry_run else 0]
                line = f"{change.location}: {action} {change.record}"
                if change.fields:
                    line += f" ({', '.join(change.fields)})"
                self.stdout.write(line)
        self.stdout.write(
            result.summary()
            + " "
            + gettext("(%(seconds).1f s)") % {"seconds": time.monotonic() - started}
        )

    def read(self, file):
        if file == "-":
            return sys.stdin.buffer.read()
        try:
            return Path(file).read_bytes()
        except OSError as error:
            raise CommandError(
                gettext("Cannot read %(file)s: %(error)s") % {"file": file, "error": error.strerror}
            ) from error
