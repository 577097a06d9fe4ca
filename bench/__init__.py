"""Benchmarks: synthetic data and timings of the public pages. See bench/README.md."""

import logging
import os
import sys
import warnings


def setup_django():
    """Configure Django for a script run as ``python -m bench.<name>`` from the project root."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetracker.settings")
    import django

    django.setup()


def prepare_timing():
    """Set Django up to time pages as production serves them, on the synthetic data only."""
    setup_django()
    from django.conf import settings

    from bench.make_synthetic_data import MARK
    from people.models import Person

    if not Person.objects.filter(internal_notes__startswith=MARK).exists():
        sys.exit("No synthetic data here: run python -m bench.make_synthetic_data first.")
    # As in production: no debug pages, no query log. The test Client's host is allowed.
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # The second factor is given once, at sign-in: the bench's signed-in readers are past it.
    settings.CASETRACKER_REQUIRE_2FA = False
    # A page that fails shows as its status code in the table, not as a page of tracebacks.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    # whitenoise warns that collectstatic has not run: it does not matter here.
    warnings.filterwarnings("ignore", "No directory at")


class QueryCounter:
    """Counts the SQL statements run while installed with ``connection.execute_wrapper``."""

    def __init__(self):
        self.count = 0

    def __call__(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)


class StatementLimit:
    """Cancels any SQL statement that runs longer than ``seconds`` (PostgreSQL's
    statement_timeout, set on every connection), so that a page too slow to time ends with an
    error instead of holding the run; ``take()`` says whether a request since the last call
    was cut short that way."""

    def __init__(self, seconds):
        from django.core.signals import got_request_exception
        from django.db import connection
        from django.db.backends.signals import connection_created

        self.seconds = seconds
        self.hit = False
        self.applies = connection.vendor == "postgresql"
        if self.applies:
            connection_created.connect(self._apply, weak=False)
            if connection.connection is not None:
                self._apply(connection=connection)
        got_request_exception.connect(self._seen, weak=False)

    def _apply(self, sender=None, connection=None, **kwargs):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('statement_timeout', %s, false)", [f"{self.seconds}s"]
            )

    def _seen(self, sender=None, **kwargs):
        error = sys.exc_info()[1]
        if error is not None and "statement timeout" in str(error):
            self.hit = True

    def take(self):
        hit, self.hit = self.hit, False
        return hit
