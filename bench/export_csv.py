"""Time and memory of the streamed CSV export, for 1,000 and for 10,000 synthetic persons.

    .venv/bin/python -m bench.export_csv            # PostgreSQL, casetracker_bench_export
    .venv/bin/python -m bench.export_csv --sizes 1000 10000 --sheets persons entries

For each size the database is filled with ``bench.make_synthetic_data`` (bulk_create; it
refuses a database holding anything it did not make), then each sheet is exported as the
browser and the command do it (``iter_csv(person_rows(...))``, read through to the end) and
measured twice:

- time: to the first piece of CSV (what a browser receives first), and to the end; with the
  number of SQL queries run by then, which shows the first bytes leave before the queries for
  the rest have run;
- memory: the peak of Python allocations while exporting (``tracemalloc``, in a second run, as
  tracing slows the code down), which stays flat when the export streams.

DATABASE_URL defaults to postgres://postgres@127.0.0.1:5432/casetracker_bench_export; the
database is created if missing and migrated.

With ``--as-is`` the database DATABASE_URL names is measured as it is, filled before by
``bench.make_synthetic_data`` (nothing is written): each sheet is read for at most
``--max-seconds``, and the rows written per second and the process's peak resident memory are
given (``--json``: one JSON object per sheet, as bench.figures reads them).
"""

import argparse
import os
import sys
import time
import tracemalloc

from bench import QueryCounter

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casetracker_bench_export"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--sheets", nargs="+", default=["persons", "entries"])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--as-is", action="store_true", help="measure this database as it is: no fill"
    )
    parser.add_argument(
        "--max-seconds", type=float, default=None, help="stop reading a sheet after this long"
    )
    parser.add_argument("--json", action="store_true", help="one JSON object per sheet")
    return parser.parse_args(argv)


def ensure_database(url):
    """Create the PostgreSQL database the URL names, if it does not exist yet."""
    import dj_database_url
    import psycopg2

    settings = dj_database_url.parse(url)
    if "postgresql" not in settings["ENGINE"]:
        return
    connection = psycopg2.connect(
        dbname="postgres",
        user=settings["USER"],
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        password=settings["PASSWORD"] or None,
    )
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [settings["NAME"]])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{settings["NAME"]}"')
    connection.close()


def measure(sheet, max_seconds=None):
    """One export of ``sheet`` read to the end, or for ``max_seconds``: times, queries, rows
    (the header left out) and bytes."""
    from django.db import connection

    from cases.exports import ExportScope, iter_csv, sheet_rows

    rows = 0

    def counted(sheet_rows):
        nonlocal rows
        for row in sheet_rows:
            rows += 1
            yield row

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        source = sheet_rows(sheet, ExportScope.everything())
        pieces = iter_csv(counted(source))
        first = next(pieces)
        first_at = time.perf_counter() - started
        first_queries = counter.count
        size = len(first.encode())
        complete = True
        for piece in pieces:
            size += len(piece.encode())
            if max_seconds is not None and time.perf_counter() - started > max_seconds:
                complete = False
                break
        total = time.perf_counter() - started
        pieces.close()
        source.close()  # ends the export's transaction now, not when collected
    return {
        "first": first_at,
        "first_queries": first_queries,
        "total": total,
        "queries": counter.count,
        "bytes": size,
        "rows": rows - 1,
        "complete": complete,
    }


def peak_rss_mib():
    """The most memory this process has held resident so far (Linux counts in KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_as_is(args):
    """The sheets of the database as it is, each read for at most ``--max-seconds``."""
    import json

    from bench import prepare_timing

    prepare_timing()
    from people.models import Person

    persons = Person.objects.count()
    if not args.json:
        print(
            f"{'sheet':8} {'persons':>8} {'first piece':>12} {'read for':>9} {'rows':>9} "
            f"{'rows/s':>8} {'queries':>8} {'complete':>8} {'peak RSS MiB':>12}"
        )
    for sheet in args.sheets:
        timing = measure(sheet, args.max_seconds)
        timing.update(sheet=sheet, persons=persons, peak_rss_mib=peak_rss_mib())
        if args.json:
            print(json.dumps(timing), flush=True)
            continue
        print(
            f"{sheet:8} {persons:8d} {timing['first'] * 1000:9.0f} ms {timing['total']:7.1f} s "
            f"{timing['rows']:9d} {timing['rows'] / timing['total']:8.0f} {timing['queries']:8d} "
            f"{'yes' if timing['complete'] else 'no':>8} {timing['peak_rss_mib']:12.0f}",
            flush=True,
        )


def peak_memory(sheet):
    """The peak of Python allocations during one export of ``sheet``, in MiB."""
    from cases.exports import ExportScope, iter_csv, sheet_rows

    tracemalloc.start()
    tracemalloc.reset_peak()
    for _piece in iter_csv(sheet_rows(sheet, ExportScope.everything())):
        pass
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak / 2**20


def warm_up(sheet):
    """One untimed export of a hundred persons: imports, translations and caches load once,
    and are not counted against the first size measured."""
    from cases.exports import ExportScope, export_superuser, iter_csv, sheet_rows
    from people.models import Person

    few = Person.objects.filter(pk__in=Person.objects.order_by("pk").values("pk")[:100])
    for _piece in iter_csv(sheet_rows(sheet, ExportScope.for_user(export_superuser(), few))):
        pass


def fill(size, seed):
    from bench.make_synthetic_data import fill

    made, _entries = fill(size, seed)
    return made


def main(argv=None):
    args = parse_args(argv)
    if args.as_is:
        return measure_as_is(args)
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    ensure_database(os.environ["DATABASE_URL"])
    from bench import setup_django

    setup_django()
    from django.core.management import call_command
    from django.db import connection

    call_command("migrate", verbosity=0)
    print(f"Database: {connection.vendor} {connection.settings_dict['NAME']}")
    print(
        f"{'sheet':8} {'persons':>8} {'first piece':>12} {'queries then':>13} {'total':>9} "
        f"{'queries':>8} {'MiB out':>8} {'peak MiB':>9}"
    )
    for size in args.sizes:
        made = fill(size, args.seed)
        print(f"# filled: {', '.join(f'{n} {name}' for name, n in made.items())}", file=sys.stderr)
        for sheet in args.sheets:
            warm_up(sheet)
            timing = measure(sheet)
            peak = peak_memory(sheet)
            print(
                f"{sheet:8} {size:8d} {timing['first'] * 1000:9.0f} ms "
                f"{timing['first_queries']:13d} "
                f"{timing['total']:7.2f} s {timing['queries']:8d} "
                f"{timing['bytes'] / 2**20:8.1f} {peak:9.1f}",
                flush=True,
            )


if __name__ == "__main__":
    main()
