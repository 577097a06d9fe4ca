"""Attacks on signing in, replayed: each must now fail (issue 8, items 7 and 12).

The review found no login throttling, no second factor, 14-day sessions with no idle limit,
and a password reset routed with no mail configured.
"""

import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from casetracker.idle_sessions import LAST_ACTIVITY
from people.models import Person
from tests.factories import make_person
from tests.sign_in import authenticator, code, enter_code, sign_in

pytestmark = pytest.mark.django_db

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"


@pytest.fixture(autouse=True)
def _required(settings):
    settings.CASETRACKER_REQUIRE_2FA = True


@pytest.fixture
def hidden(lawyer):
    return make_person(
        name="Hidden Client", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )


def test_a_stolen_password_alone_opens_no_confidential_case(client, lawyer, hidden):
    authenticator(lawyer)
    sign_in(client, "lawyer")
    for url in [
        hidden.get_absolute_url(),
        reverse("cases:person-json", args=[hidden.ref]),
        reverse("account:person-history", args=[hidden.ref]),
        "/people.json?q=Hidden",
        "/admin/people/person/",
        f"/admin/people/person/{hidden.pk}/change/",
    ]:
        response = client.get(url)
        assert response.status_code in (302, 403), url
        assert b"Hidden Client" not in response.content, url


def test_a_stolen_password_cannot_enrol_the_thiefs_phone(client, lawyer):
    authenticator(lawyer)
    sign_in(client, "lawyer")
    response = client.get(reverse("two_factor:setup"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor:verify"))
    assert client.post(reverse("two_factor:setup"), {"code": "123456"}).status_code == 302
    assert lawyer.totpdevice_set.count() == 1
    assert client.post(reverse("two_factor:recovery-codes")).status_code == 302
    assert not lawyer.staticdevice_set.exists()


def test_guessing_the_password_stops_after_five_tries(lawyer):
    attacker = Client(REMOTE_ADDR="198.51.100.13")
    for guess in ["123456", "password", "qwerty", "letmein", "lawyer2024"]:
        sign_in(attacker, "lawyer", password=guess)
    response = sign_in(attacker, "lawyer")  # the right one, now too late
    assert response.status_code == 429
    assert not attacker.get("/").context["user"].is_authenticated


def test_signing_in_as_oneself_does_not_reset_the_count_for_another_user(lawyer, researcher):
    attacker = Client(REMOTE_ADDR="198.51.100.14")
    for round_number in range(2):
        for guess in range(2):
            sign_in(attacker, "lawyer", password=f"guess-{round_number}-{guess}")
        # The attacker's own account, between rounds of guesses.
        assert sign_in(attacker, "researcher").status_code == 302
        attacker.post(reverse("logout"))
    sign_in(attacker, "lawyer", password="guess-5")
    # Five failures for the lawyer: locked, whatever the attacker's own sign-ins.
    assert sign_in(Client(REMOTE_ADDR="203.0.113.77"), "lawyer").status_code == 429


def test_guessing_the_code_is_slowed_down(client, lawyer):
    device = authenticator(lawyer)
    right = code(device)
    sign_in(client, "lawyer")
    for guess in ["000001", "000002", "000003"]:
        if guess != right:
            assert enter_code(client, guess).status_code == 200
    # Even the right code is refused while the device makes the guesser wait.
    assert enter_code(client, right).status_code == 200
    assert client.get("/").status_code == 302


def test_the_code_page_does_not_send_anyone_off_site(client, lawyer):
    device = authenticator(lawyer)
    sign_in(client, "lawyer")
    response = enter_code(client, code(device), next_url="https://evil.example/phish")
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_the_session_key_changes_when_the_code_is_given(client, lawyer):
    device = authenticator(lawyer)
    sign_in(client, "lawyer")
    before = client.cookies[django_settings.SESSION_COOKIE_NAME].value
    enter_code(client, code(device))
    assert client.cookies[django_settings.SESSION_COOKIE_NAME].value != before
    fixed = Client()
    fixed.cookies[django_settings.SESSION_COOKIE_NAME] = before
    assert not fixed.get("/").context["user"].is_authenticated  # the old key is dead


def test_an_idle_admin_session_cannot_be_reused(client, admin_user, hidden):
    device = authenticator(admin_user)
    sign_in(client, "admin")
    enter_code(client, code(device))
    assert client.get(hidden.get_absolute_url()).status_code == 200
    session = client.session
    session[LAST_ACTIVITY] = int(time.time()) - 31 * 60
    session.save()
    response = client.get(hidden.get_absolute_url())
    assert response.status_code == 302
    assert b"Hidden Client" not in response.content
    assert client.get(hidden.get_absolute_url()).status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/password_reset/",
        "/accounts/password_reset/done/",
        "/accounts/reset/MQ/set-password/",
        "/accounts/reset/done/",
    ],
)
def test_password_reset_is_not_routed(client, url):
    assert client.get(url).status_code == 404
    assert client.post(url, {"email": "lawyer@example.org"}).status_code == 404


def test_nothing_links_to_a_password_reset():
    for name in ["password_reset", "password_reset_done", "password_reset_complete"]:
        with pytest.raises(NoReverseMatch):
            reverse(name)
    for template in TEMPLATES.rglob("*.html"):
        assert "password_reset" not in template.read_text(), template
