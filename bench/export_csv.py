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
"""

import argparse
import os
import random
import sys
import time
import tracemalloc

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/casetracker_bench_export"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--sheets", nargs="+", default=["persons", "entries"])
    parser.add_argument("--seed", type=int, default=1)
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


class QueryCounter:
    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


def measure(sheet):
    """One export of ``sheet`` read to the end: times, queries and bytes."""
    from django.db import connection

    from cases.exports import ExportScope, iter_csv, sheet_rows

    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        started = time.perf_counter()
        pieces = iter_csv(sheet_rows(sheet, ExportScope.everything()))
        first = next(pieces)
        first_at = time.perf_counter() - started
        first_queries = counter.count
        size = len(first.encode())
        for piece in pieces:
            size += len(piece.encode())
        total = time.perf_counter() - started
    return {
        "first": first_at,
        "first_queries": first_queries,
        "total": total,
        "queries": counter.count,
        "bytes": size,
    }


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
    from django.apps import apps
    from django.db import connection, transaction

    from bench.make_synthetic_data import generate, guard, wipe
    from cases import models as cases_models
    from people import models as people_models

    names = [
        "Person", "NameVariant", "Source", "Citation", "Authority", "BorderCrossing",
        "Detention", "Proceeding", "Hearing", "Ruling", "StatusDecision", "Event",
    ]  # fmt: skip
    models = {
        name: getattr(cases_models, name, None) or getattr(people_models, name) for name in names
    }
    guard(models)  # exits if the database holds anything the benchmark did not make
    with transaction.atomic():
        wipe(connection, apps)
        made, _entries = generate(size, random.Random(seed), models)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return made


def main(argv=None):
    args = parse_args(argv)
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
