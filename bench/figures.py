"""Every figure of the scale goals as one table, with the Django admin's page alongside.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench_100k \
        .venv/bin/python -m bench.figures            # --requests 20 --reader anonymous

On a database filled by ``bench.make_synthetic_data``, in one run: the person page and its
timeline.json, the directory with no query, with a filter, with a year range sorted by the
latest entry, with a misspelt name, and the last page of people.json, each next to the Django
admin's equivalent page read by an admin (the change page, the changelist, its search and its
last page); then a sample of the CSV export's entries sheet (rows per second, the process's
peak resident memory) and the preview of a 1,000-row CSV import, each in a process of its own.

Pages are timed as in ``bench.directory_and_person`` (Django's test Client in this process,
DEBUG off); a page whose SQL runs longer than ``--timeout`` is cancelled by PostgreSQL and
shown as cut, and the run goes on. The table is Markdown, to paste into bench/README.md.
"""

import argparse
import datetime
import json
import math
import os
import platform
import random
import subprocess
import sys
import time
from urllib.parse import urlencode

from bench import StatementLimit, prepare_timing
from bench.directory_and_person import READERS, measure, sign_in
from bench.make_synthetic_data import misspell

PAGES = ["person", "timeline", "directory", "status", "years", "search", "last-page"]
FIGURES = [*PAGES, "export", "import"]


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=20, help="timed requests a page (20)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (3)")
    parser.add_argument(
        "--min-requests",
        type=int,
        default=5,
        help="timed requests a page at least, whatever --max-seconds says (5)",
    )
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=60,
        help="stop timing a page after this long, once --min-requests are timed (60)",
    )
    parser.add_argument(
        "--timeout",
        type=int,
        default=60,
        help="cancel any SQL statement running longer, and report its page as cut (60 s)",
    )
    parser.add_argument(
        "--reader", choices=READERS, default="anonymous", help="who reads our pages (anonymous)"
    )
    parser.add_argument(
        "--figures",
        nargs="+",
        choices=FIGURES,
        default=FIGURES,
        metavar="FIGURE",
        help=f"which figures, of: {' '.join(FIGURES)} (all)",
    )
    parser.add_argument("--no-admin", action="store_true", help="leave the Django admin out")
    parser.add_argument(
        "--export-seconds",
        type=float,
        default=60,
        help="how long to read the CSV entries sheet for its rate (60)",
    )
    parser.add_argument(
        "--import-timeout",
        type=float,
        default=300,
        help="give up the 1,000-row import preview after this long (300 s)",
    )
    return parser.parse_args(argv)


def duration(ms):
    return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"


def pair(median, p95):
    """ "113 / 137 ms" or "1.0 / 1.2 s": both in the unit the 95th percentile needs."""
    if p95 < 1000:
        return f"{median:.0f} / {p95:.0f} ms"
    return f"{median / 1000:.1f} / {p95 / 1000:.1f} s"


def page_cells(result, timeout):
    """p50 / p95, queries and n of one measured page, as table cells."""
    if result is None:
        return ["", "", ""]
    if result["n"] == 0:
        times = f"> {timeout} s (cut)"
    else:
        times = pair(result["median"], result["p95"])
        if result["timed_out"]:
            times += f"; one cut at {timeout} s"
    if result["status"] != "200":
        times += f" (status {result['status']})"
    queries = "" if result["queries"] is None else str(result["queries"])
    return [times, queries, str(result["n"])]


COLUMNS = 8


def row(cells):
    return "| " + " | ".join(cells + [""] * (COLUMNS - len(cells))) + " |"


def the_pages(args, reader, admin):
    """(figure, label, our URLs, admin label, admin URLs) of each page figure."""
    from django.contrib import admin as django_admin
    from django.urls import reverse

    from cases import directory_views
    from people.models import Person

    visible = Person.objects.visible_to(reader)
    rng = random.Random(1)
    everyone = list(visible.order_by("pk").values_list("pk", "ref", "name"))
    sample = rng.sample(everyone, min(len(everyone), max(args.requests, 1)))
    misspelt = [misspell(rng, name) for _pk, _ref, name in sample]
    directory = reverse("cases:directory")
    changelist = reverse("admin:people_person_changelist")
    last = max(1, math.ceil(len(everyone) / getattr(directory_views, "PER_PAGE", 25)))
    per_admin_page = django_admin.site._registry[Person].list_per_page
    admin_last = max(1, math.ceil(Person.objects.visible_to(admin).count() / per_admin_page))
    return [
        (
            "person",
            "person page",
            [reverse("cases:person", kwargs={"ref": ref}) for _pk, ref, _name in sample],
            "change page",
            [reverse("admin:people_person_change", args=[pk]) for pk, _ref, _name in sample],
        ),
        (
            "timeline",
            "timeline.json",
            [reverse("cases:person-json", kwargs={"ref": ref}) for _pk, ref, _name in sample],
            "",
            [],
        ),
        ("directory", "`/people/` no query", [directory], "changelist", [changelist]),
        (
            "status",
            "`/people/?status=refugee`",
            [f"{directory}?status=refugee"],
            "",
            [],
        ),
        (
            "years",
            "`/people/?year_min=2017&year_max=2018&sort=-last`",
            [f"{directory}?year_min=2017&year_max=2018&sort=-last"],
            "",
            [],
        ),
        (
            "search",
            f"`/people/?q=<misspelt name>` (e.g. {misspelt[0]})",
            [f"{directory}?{urlencode({'q': name})}" for name in misspelt],
            "changelist ?q=",
            [f"{changelist}?{urlencode({'q': name})}" for name in misspelt],
        ),
        (
            "last-page",
            f"`/people.json?page={last}` (the last)",
            [f"{reverse('cases:directory-json')}?page={last}"],
            f"changelist last page (?p={admin_last})",
            [f"{changelist}?p={admin_last}"],
        ),
    ]


def in_own_process(module, options, timeout):
    """Run ``python -m module options`` (the JSON form); its objects, or None on a timeout."""
    try:
        finished = subprocess.run(
            [sys.executable, "-m", module, "--as-is", "--json", *options],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return None
    if finished.returncode != 0:
        sys.exit(f"{module} failed:\n{finished.stderr[-2000:]}")
    return [json.loads(line) for line in finished.stdout.splitlines() if line.startswith("{")]


def export_row(args):
    runs = in_own_process(
        "bench.export_csv",
        ["--sheets", "entries", "--max-seconds", str(args.export_seconds)],
        args.export_seconds + 600,
    )
    label = f"CSV entries sheet, first {args.export_seconds:.0f} s"
    if runs is None:
        return row([label, "gave no first piece in 10 minutes", "", ""])
    run = runs[0]
    read = f"all {run['rows']:,} rows" if run["complete"] else f"{run['rows']:,} rows"
    return row(
        [
            label,
            f"{run['rows'] / run['total']:,.0f} rows/s; peak RSS {run['peak_rss_mib']:.0f} MiB; "
            f"first piece {duration(run['first'] * 1000)}",
            f"{run['queries']:,}",
            f"{read} in {run['total']:.0f} s",
        ]
    )


def import_row(args):
    runs = in_own_process("bench.import_csv", ["--sizes", "1000"], args.import_timeout)
    label = "CSV import preview, 1,000 rows"
    if runs is None:
        return row([label, f"> {args.import_timeout:.0f} s (cut)", "", ""])
    run = runs[0]
    return row([label, f"{run['seconds']:.1f} s", f"{run['queries']:,}", "1"])


def describe(args, reader_name):
    from django.db import connection

    from cases.models import BorderCrossing, Detention, Event, Proceeding, Ruling, StatusDecision
    from people.models import Person

    entries = (
        BorderCrossing.objects.count()
        + Detention.objects.count()
        + StatusDecision.objects.count()
        + Ruling.objects.count()
        + 3 * Proceeding.persons.through.objects.count()  # the proceeding, its two hearings
        + Event.persons.through.objects.count()
    )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    return (
        f"{datetime.date.today().isoformat()}, {platform.node()}: {os.cpu_count()} cores "
        f"(load average {load} at the start); {connection.vendor} "
        f"{connection.settings_dict['NAME']}: {Person.objects.count():,} persons, about "
        f"{entries:,} timeline entries. Our pages read as {reader_name}, the Django admin's as "
        f"an admin; {args.requests} requests a page at most (at least {args.min_requests}, "
        f"for {args.max_seconds:.0f} s), SQL cut at {args.timeout} s. n: requests timed; "
        "queries: the most of one request."
    )


def main(argv=None):
    args = parse_args(argv)
    prepare_timing()
    from django.test import Client

    limit = StatementLimit(args.timeout)
    client = Client(raise_request_exception=False)
    reader = sign_in(client, args.reader)
    admin_client = Client(raise_request_exception=False)
    admin = sign_in(admin_client, "admin")

    print(describe(args, args.reader))
    print()
    print(row(["page", "p50 / p95", "queries", "n", "Django admin, same data", "p50 / p95",
               "queries", "n"]))  # fmt: skip
    print(row(["---"] * COLUMNS))
    started = time.perf_counter()
    for figure, label, urls, admin_label, admin_urls in the_pages(args, reader, admin):
        if figure not in args.figures:
            continue
        timing = (args.requests, args.warmup, args.max_seconds, args.min_requests, limit)
        ours = measure(client, urls, *timing)
        theirs = None
        if admin_urls and not args.no_admin:
            theirs = measure(admin_client, admin_urls, *timing)
        cells = [label, *page_cells(ours, args.timeout)]
        cells += [admin_label if theirs else "", *page_cells(theirs, args.timeout)]
        print(row(cells), flush=True)
    if "export" in args.figures:
        print(export_row(args), flush=True)
    if "import" in args.figures:
        print(import_row(args), flush=True)
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nThe run took {time.perf_counter() - started:.0f} s; load average {load} at the end.")


if __name__ == "__main__":
    main()
