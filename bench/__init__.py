"""Benchmarks: synthetic data and timings of the public pages. See bench/README.md."""

import os


def setup_django():
    """Configure Django for a script run as ``python -m bench.<name>`` from the project root."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casetracker.settings")
    import django

    django.setup()
