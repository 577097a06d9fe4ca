import time
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext

from cases.exports import SHEETS, ExportScope, iter_csv, iter_json, sheet_rows, write_xlsx
from people.access_log import AccessLogEntry, record_command_read


class Progress:
    """A running count on stderr: rewritten in place on a terminal, a line every N otherwise."""

    def __init__(self, stream, total, noun, every=500, enabled=True):
        self.stream = stream
        self.total = total
        self.noun = noun
        self.every = every
        self.enabled = enabled
        self.interactive = enabled and hasattr(stream, "isatty") and stream.isatty()
        self.count = 0

    def __call__(self, count):
        self.count = count
        if not self.enabled:
            return
        shown = f"{count}/{self.total}" if self.total is not None else str(count)
        if self.interactive:
            if count % 50 == 0 or count == self.total:
                self.stream.write(f"\r{shown} {self.noun}", ending="")
                self.stream.flush()
        elif count % self.every == 0:
            self.stream.write(f"{shown} {self.noun}")

    def done(self):
        if self.interactive and self.count:
            self.stream.write("")


class Command(BaseCommand):
    help = (
        "Export persons and their cases. JSON is lossless and re-importable with import_cases; "
        "CSV and XLSX give a persons sheet and a timeline-entries sheet. Without --as-user "
        "everything is exported, internal notes included (whoever runs this command can read "
        "the database anyway); with --as-user, exactly what that user may see."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["json", "csv", "xlsx"], default="json")
        parser.add_argument(
            "--output",
            "-o",
            help="File to write (default: standard output; XLSX needs a file). For CSV, an "
            "existing directory receives both sheets: persons.csv and entries.csv.",
        )
        parser.add_argument(
            "--sheet",
            choices=list(SHEETS),
            default="persons",
            help="For CSV to a file or standard output: which sheet (default: persons).",
        )
        parser.add_argument(
            "--as-user",
            metavar="USERNAME",
            help="Export only what this user may see, as the browser export would.",
        )

    def handle(self, *args, **options):
        scope = self.scope(options["as_user"])
        as_user = scope.user if options["as_user"] else None
        record_command_read("export_cases", scope.persons, AccessLogEntry.What.EXPORT, user=as_user)
        file_format, output = options["format"], options["output"]
        total = scope.persons.count()
        progress = Progress(
            self.stderr, total, gettext("persons"), enabled=options["verbosity"] > 0
        )
        started = time.monotonic()
        if file_format == "xlsx":
            if not output or output == "-":
                raise CommandError(gettext("XLSX is a binary file: give --output FILE."))
            write_xlsx(scope, output, progress)
            written = [output]
        elif file_format == "csv" and output and Path(output).is_dir():
            written = []
            for sheet in SHEETS:
                path = Path(output) / f"{sheet}.csv"
                self.write_text(iter_csv(sheet_rows(sheet, scope, progress)), str(path))
                written.append(str(path))
                progress.done()
                progress.count = 0
        elif file_format == "csv":
            self.write_text(iter_csv(sheet_rows(options["sheet"], scope, progress)), output)
            written = [output or gettext("standard output")]
        else:
            self.write_text(iter_json(scope, progress), output)
            written = [output or gettext("standard output")]
        progress.done()
        self.stderr.write(
            gettext("Exported %(count)d persons as %(format)s to %(target)s in %(seconds).1f s.")
            % {
                "count": total,
                "format": file_format.upper(),
                "target": ", ".join(written),
                "seconds": time.monotonic() - started,
            }
        )

    def scope(self, username):
        if not username:
            return ExportScope.everything()
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(gettext("No user named %(username)s.") % {"username": username})
        return ExportScope.for_user(user)

    def write_text(self, pieces, output):
        if not output or output == "-":
            for piece in pieces:
                self.stdout.write(piece, ending="")
            return
        with open(output, "w", encoding="utf-8", newline="") as target:
            for piece in pieces:
                target.write(piece)
