"""Time the public pages on the synthetic data: median and 95th percentile, queries per page.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench \
        .venv/bin/python -m bench.directory_and_person --requests 50

Requests go through Django's test Client in this process (no network, no server to start):
the figures are the time Django, the templates and the database take for a page, without
the network or gunicorn's own share. Each page is requested a few times to warm up, then
``--requests`` times; person pages and timelines cycle through different persons.
"""

import argparse
import math
import random
import statistics
import time

from bench import prepare_timing
from bench.make_synthetic_data import misspell

READERS = ("anonymous", "researcher", "admin")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page (50)")
    parser.add_argument("--warmup", type=int, default=3, help="untimed requests first (3)")
    parser.add_argument(
        "--max-seconds",
        type=float,
        default=60,
        help="stop timing a page after this long, with at least 5 requests timed (60)",
    )
    parser.add_argument(
        "--reader", choices=READERS, default="anonymous", help="who reads (anonymous)"
    )
    parser.add_argument(
        "--filter",
        default="status=refugee",
        help="the directory filter to time, as a query string (status=refugee)",
    )
    return parser.parse_args(argv)


def percentile(values, fraction):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def sign_in(client, reader):
    """The user the pages are read as; a bench user of the role, made once. The admin is
    staff too, as admins are, so that it also opens the Django admin."""
    from django.contrib.auth.models import AnonymousUser, Group, User

    if reader == "anonymous":
        return AnonymousUser()

    from people.roles import ADMINS, RESEARCHERS

    user, _ = User.objects.get_or_create(username=f"bench-{reader}")
    user.groups.add(Group.objects.get(name=ADMINS if reader == "admin" else RESEARCHERS))
    if reader == "admin" and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    client.force_login(user)
    return user


# Warm-up ends early once it has taken this long: a slow page needs no more than one.
WARMUP_SECONDS = 5


def measure(client, urls, count, warmup, max_seconds, min_timed=5, limit=None):
    """Time up to ``count`` GETs cycling through ``urls``, after ``warmup`` untimed ones; stop
    after ``max_seconds`` once ``min_timed`` are timed, or at the first request that ``limit``
    (a bench.StatementLimit) cut short. Counts each request's SQL queries (the most of any)."""
    from django.db import connection

    from bench import QueryCounter

    statuses, timings, queries = set(), [], []
    size, timed_out = 0, False
    started = time.perf_counter()
    for index in range(warmup):
        if index and time.perf_counter() - started > WARMUP_SECONDS:
            break
        statuses.add(client.get(urls[index % len(urls)]).status_code)
        if limit and limit.take():
            timed_out = True
            break
    deadline = time.perf_counter() + max_seconds
    for index in range(0 if timed_out else count):
        if len(timings) >= min_timed and time.perf_counter() > deadline:
            break
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(urls[index % len(urls)])
            timings.append((time.perf_counter() - started) * 1000)
        statuses.add(response.status_code)
        queries.append(counter.count)
        size = len(response.content)
        if limit and limit.take():
            timed_out = True
            break
    return {
        "n": len(timings),
        "status": ",".join(map(str, sorted(statuses))),
        "median": statistics.median(timings) if timings else None,
        "p95": percentile(timings, 0.95) if timings else None,
        "queries": max(queries) if queries else None,
        "bytes": size,
        "timed_out": timed_out,
    }


def main(argv=None):
    args = parse_args(argv)
    prepare_timing()
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from people.models import Person

    client = Client(raise_request_exception=False)
    visible = Person.objects.visible_to(sign_in(client, args.reader))
    rng = random.Random(1)
    everyone = list(visible.order_by("pk").values_list("ref", "name"))
    sample = rng.sample(everyone, min(len(everyone), max(args.requests, 1)))
    misspelled = misspell(rng, sample[0][1])
    directory = reverse("cases:directory")
    pages = [
        ("directory", [directory]),
        (f"directory ?q={misspelled}", [f"{directory}?q={misspelled}"]),
        (f"directory ?{args.filter}", [f"{directory}?{args.filter}"]),
        ("directory page 5", [f"{directory}?page=5"]),
        ("people.json", [reverse("cases:directory-json")]),
        ("person page", [reverse("cases:person", kwargs={"ref": ref}) for ref, _ in sample]),
        ("timeline.json", [reverse("cases:person-json", kwargs={"ref": ref}) for ref, _ in sample]),
    ]

    print(
        f"{connection.vendor} {connection.settings_dict['NAME']}: "
        f"{Person.objects.count()} persons, {visible.count()} visible to the {args.reader} reader; "
        f"{args.requests} requests a page"
    )
    print(
        f"{'page':<34} {'status':>6} {'n':>4} {'median ms':>10} {'p95 ms':>8} "
        f"{'queries':>8} {'KiB':>5}"
    )
    for label, urls in pages:
        result = measure(client, urls, args.requests, args.warmup, args.max_seconds)
        print(
            f"{label[:34]:<34} {result['status']:>6} {result['n']:>4} {result['median']:>10.1f} "
            f"{result['p95']:>8.1f} {result['queries']:>8} {result['bytes'] / 1024:>5.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
