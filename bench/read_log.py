"""What the read log costs: a non-public person's page with and without its log entry, and
the log of an export of every non-public person.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/casetracker_bench \
        .venv/bin/python -m bench.read_log --requests 100

An admin reads the pages of internal and confidential persons through Django's test Client
(as bench.directory_and_person does), alternating a request that writes its log entry with
one that does not (``record_read`` replaced by a no-op in this process only), so that both
see the same machine load. The entries written are real: the database keeps them, as it
would in production (the purge is the only way to remove them).
"""

import argparse
import random
import statistics
import time

from bench import prepare_timing
from bench.directory_and_person import percentile, sign_in


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=100, help="timed requests each way")
    return parser.parse_args(argv)


def summary(label, timings):
    return (
        f"{label:<32} {len(timings):>4} {statistics.median(timings):>10.1f} "
        f"{percentile(timings, 0.95):>8.1f}"
    )


def main(argv=None):
    args = parse_args(argv)
    prepare_timing()
    from django.test import Client
    from django.test.client import RequestFactory

    import cases.views
    from people.access_log import AccessLogEntry, record_read
    from people.models import Person

    client = Client(raise_request_exception=False)
    admin = sign_in(client, "admin")
    hidden = Person.objects.exclude(visibility=Person.Visibility.PUBLIC)
    refs = list(hidden.order_by("pk").values_list("ref", flat=True))
    rng = random.Random(1)
    urls = [f"/people/{ref}/" for ref in rng.sample(refs, min(len(refs), args.requests))]

    def no_op(*args, **kwargs):
        return None

    timings = {"with the log": [], "without the log": []}
    for url in urls[:3]:  # warm up
        client.get(url)
    for index in range(args.requests):
        url = urls[index % len(urls)]
        for label in rng.sample(list(timings), 2):
            cases.views.record_read = record_read if label == "with the log" else no_op
            started = time.perf_counter()
            response = client.get(url)
            timings[label].append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200, response.status_code
    cases.views.record_read = record_read

    request = RequestFactory().get("/export/persons.json")
    request.user = admin
    started = time.perf_counter()
    entry = record_read(request, Person.objects.visible_to(admin), AccessLogEntry.What.EXPORT)
    export_ms = (time.perf_counter() - started) * 1000

    print(f"{Person.objects.count()} persons, {len(refs)} not public; admin reader")
    print(f"{'person page':<32} {'n':>4} {'median ms':>10} {'p95 ms':>8}")
    for label, values in timings.items():
        print(summary(f"  {label}", values))
    print(f"logging an export of {entry.person_count} non-public persons: {export_ms:.0f} ms")


if __name__ == "__main__":
    main()
