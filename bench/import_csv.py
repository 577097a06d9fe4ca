"""Speed of the CSV import: preview (dry run), import, and re-import, at 200 and 1,000 rows.

    .venv/bin/python -m bench.import_csv                  # PostgreSQL, casetracker_bench_import
    .venv/bin/python -m bench.import_csv --sizes 200 1000

The file is the template of docs/import-template.md as an admin fills it from a spreadsheet:
two rows per person (new persons, found by name), each row an event citing one of a fiftieth
as many sources as rows, a third of the persons with two other names. For each size the
database is emptied (``flush``), then the file is

- previewed: the dry run the browser's import shows first (nothing is kept);
- imported for real;
- imported again: every record is found and nothing changes, as when a file is re-sent.

Each is timed and its SQL queries counted; rows per second are the file's rows over the time.
DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/casetracker_bench_import; the
database is created if missing, migrated, and emptied: give it a database of its own.

With ``--as-is`` only the preview runs, on the database DATABASE_URL names as it is (filled
by ``bench.make_synthetic_data``): the dry run rolls back, so nothing is kept or emptied
(``--json``: one JSON object per size, as bench.figures reads them).
"""

import argparse
import csv
import io
import os
import time

from bench import QueryCounter
from bench.export_csv import ensure_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casetracker_bench_import"


def make_csv(rows):
    from cases.imports import CSV_COLUMNS

    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS)
    writer.writeheader()
    sources = max(1, rows // 50)
    for number in range(rows):
        person = number // 2
        first = number % 2 == 0
        writer.writerow(
            {
                "person_name": f"Bench Person {person:05d}",
                "other_names": (
                    f"Бенч Персон {person:05d}; Bench Persson {person:05d}"
                    if first and person % 3 == 0
                    else ""
                ),
                "sex": "female" if person % 2 else "male",
                "birth_year": str(1950 + person % 50) if first else "",
                "ethnicity": "Kazakh" if first else "",
                "citizenship": "China" if first else "",
                "visibility": "internal" if first else "",
                "event_date": f"{2015 + number % 5}-{1 + number % 12:02d}",
                "event_kind": "arrest" if first else "release",
                "event_title": f"Event {number} of person {person}",
                "event_place": "Almaty",
                "source_title": f"Bench article {number % sources}",
                "source_publisher": "Bench publisher",
                "source_url": f"https://example.org/bench/{number % sources}",
                "source_published": "2020-01-15",
                "source_quote": f"quote {number}",
            }
        )
    return buffer.getvalue().encode()


def timed(content, dry_run):
    from django.db import connection

    from cases.imports import import_csv

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        result = import_csv(content, dry_run=dry_run)
        elapsed = time.perf_counter() - started
    return elapsed, counter.count, result


def preview_as_is(args):
    import json

    from bench import prepare_timing

    prepare_timing()  # refuses a database without the synthetic data
    from people.models import Person

    persons = Person.objects.count()
    for size in args.sizes:
        elapsed, queries, _result = timed(make_csv(size), dry_run=True)
        figures = {"rows": size, "persons": persons, "seconds": elapsed, "queries": queries}
        if args.json:
            print(json.dumps(figures), flush=True)
        else:
            print(
                f"{size} rows previewed next to {persons} persons: {elapsed:.2f} s, "
                f"{size / elapsed:.0f} rows/s, {queries} queries",
                flush=True,
            )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000])
    parser.add_argument(
        "--as-is", action="store_true", help="preview only, on this database as it is"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per size")
    args = parser.parse_args(argv)
    if args.as_is:
        return preview_as_is(args)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    ensure_database(os.environ["DATABASE_URL"])
    from bench import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(f"{'rows':>6} {'step':10} {'seconds':>8} {'rows/s':>8} {'queries':>8}")
    for size in args.sizes:
        call_command("flush", interactive=False, verbosity=0)
        content = make_csv(size)
        for step, dry_run in [("preview", True), ("import", False), ("re-import", False)]:
            elapsed, queries, _result = timed(content, dry_run)
            print(
                f"{size:6d} {step:10} {elapsed:8.2f} {size / elapsed:8.0f} {queries:8d}",
                flush=True,
            )


if __name__ == "__main__":
    main()
