"""Sessions end when the browser closes and after a period without activity."""

import time

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from casetracker.idle_sessions import LAST_ACTIVITY
from tests.sign_in import sign_in

pytestmark = pytest.mark.django_db


def idle_for(client, minutes):
    """Pretend the last request of the session was that many minutes ago."""
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - minutes * 60
    session.save()


def test_the_session_cookie_dies_with_the_browser(client, lawyer):
    response = sign_in(client, "lawyer")
    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert cookie.value
    assert cookie["max-age"] == ""
    assert cookie["expires"] == ""
    assert cookie["httponly"]
    # ...and so it stays on every later response.
    client.get("/")
    later = client.get("/")
    if django_settings.SESSION_COOKIE_NAME in later.cookies:
        assert later.cookies[django_settings.SESSION_COOKIE_NAME]["max-age"] == ""


def test_a_staff_session_ends_after_thirty_idle_minutes(client, lawyer):
    sign_in(client, "lawyer")
    assert client.get("/").context["user"].is_authenticated
    idle_for(client, 31)
    response = client.get("/people/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=/people/"
    page = client.get(response["Location"])
    assert "signed out after 30 minutes without activity" in page.content.decode()
    assert not page.context["user"].is_authenticated
    assert not client.get("/").context["user"].is_authenticated


def test_activity_keeps_a_session_alive(client, lawyer):
    sign_in(client, "lawyer")
    idle_for(client, 29)
    assert client.get("/").context["user"].is_authenticated
    # The request renewed it: another 29 minutes later it is still alive.
    assert time.time() - client.session[LAST_ACTIVITY] < 60
    idle_for(client, 29)
    assert client.get("/").context["user"].is_authenticated


def test_a_researcher_may_stay_idle_longer(client, researcher):
    sign_in(client, "researcher")
    idle_for(client, 31)
    assert client.get("/").context["user"].is_authenticated
    idle_for(client, 121)
    response = client.get("/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_the_limits_come_from_the_settings(client, lawyer, settings):
    settings.CASETRACKER_IDLE_MINUTES_STAFF = 10
    client.force_login(lawyer)
    client.get("/")
    idle_for(client, 11)
    assert client.get("/").status_code == 302


def test_an_expired_session_may_sign_in_again_at_once(client, lawyer):
    sign_in(client, "lawyer")
    idle_for(client, 45)
    response = sign_in(client, "lawyer")
    assert response.status_code == 302
    assert client.get("/").context["user"].is_authenticated


def test_the_database_keeps_no_session_longer_than_the_longest_idle_limit():
    longest = max(
        django_settings.CASETRACKER_IDLE_MINUTES_STAFF, django_settings.CASETRACKER_IDLE_MINUTES
    )
    backstop = django_settings.SESSION_COOKIE_AGE
    assert backstop == 60 * longest
    assert django_settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
