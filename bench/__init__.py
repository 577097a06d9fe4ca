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
    # A page that fails shows as its status code in the table, not as a page of tracebacks.
    logging.getLogger("django.request").setLevel(logging.CRITICAL)
    # whitenoise warns that collectstatic has not run: it does not matter here.
    warnings.filterwarnings("ignore", "No directory at")
