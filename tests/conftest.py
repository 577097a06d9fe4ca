"""Standing users for every test: the five kinds of reader DESIGN.md names."""

import pytest
from django.contrib.auth.models import AnonymousUser

from people.roles import ADMINS, LAWYERS, RESEARCHERS

from .factories import make_user


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def admin_user(db):
    return make_user("admin", role=ADMINS, is_staff=True)


@pytest.fixture
def lawyer(db):
    """A lawyer who is assigned to the persons a test gives them."""
    return make_user("lawyer", role=LAWYERS, is_staff=True)


@pytest.fixture
def other_lawyer(db):
    return make_user("other_lawyer", role=LAWYERS, is_staff=True)


@pytest.fixture
def researcher(db):
    return make_user("researcher", role=RESEARCHERS)


@pytest.fixture
def anonymous():
    return AnonymousUser()


@pytest.fixture(autouse=True)
def _empty_read_log_after_transactional_tests(request):
    """Django's flush after a transactional test deletes row by row on SQLite, which the read
    log's triggers refuse (people/access_log.py); its retention purge may empty it."""
    yield
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        from people.access_log import purge_older_than

        purge_older_than(days=-1)  # a cutoff in the future: every entry
