"""Login throttling (django-axes): repeated failures lock a username and an address.

Every attempt goes through the real sign-in page, as a browser or a script would.
"""

import datetime

import pytest
from axes.models import AccessAttempt
from axes.utils import reset
from django.test import Client
from django.urls import reverse

from tests.factories import make_user
from tests.sign_in import authenticator, code, enter_code, sign_in

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.AXES_FAILURE_LIMIT = 5


def fail(client, username, times, **extra):
    for _ in range(times):
        response = sign_in(client, username, password="wrong-guess", **extra)
        assert response.status_code in (200, 429)


def signed_in(client):
    return client.get("/").context["user"].is_authenticated


def assert_locked_out(response):
    assert response.status_code == 429
    body = response.content.decode()
    assert "Signing in is paused" in body
    assert "After 5 failed attempts to sign in" in body
    assert "Try again in 30 minutes." in body
    assert "ask an admin to unlock" in body


def test_four_failures_still_let_the_right_password_in(client, lawyer):
    fail(client, "lawyer", 4)
    response = sign_in(client, "lawyer")
    assert response.status_code == 302
    assert signed_in(client)
    # A success starts the count again.
    assert not AccessAttempt.objects.filter(username="lawyer").exists()


def test_five_failures_lock_the_username_even_with_the_right_password(client, lawyer):
    fail(client, "lawyer", 5)
    response = sign_in(client, "lawyer")
    assert_locked_out(response)
    assert not signed_in(client)


def test_the_username_stays_locked_from_another_address(lawyer):
    for number in range(5):
        fail(Client(REMOTE_ADDR=f"198.51.100.{number + 1}"), "lawyer", 1)
    client = Client(REMOTE_ADDR="203.0.113.9")
    assert_locked_out(sign_in(client, "lawyer"))
    assert not signed_in(client)


def test_failures_for_many_usernames_lock_the_address(lawyer):
    attacker = Client(REMOTE_ADDR="198.51.100.7")
    for number in range(5):
        fail(attacker, f"guess{number}", 1)
    assert_locked_out(sign_in(attacker, "lawyer"))
    assert not signed_in(attacker)
    # The lawyer, from their own address, is not locked out by someone else's guessing.
    office = Client(REMOTE_ADDR="203.0.113.20")
    assert sign_in(office, "lawyer").status_code == 302
    assert signed_in(office)


def test_the_cool_off_comes_from_the_settings(client, lawyer, settings):
    settings.AXES_COOLOFF_TIME = datetime.timedelta(minutes=15)
    fail(client, "lawyer", 5)
    assert "Try again in 15 minutes." in sign_in(client, "lawyer").content.decode()


def test_the_admin_sign_in_page_is_throttled_too(client, admin_user):
    for _ in range(5):
        client.post(reverse("admin:login"), {"username": "admin", "password": "wrong"})
    response = client.post(
        reverse("admin:login"), {"username": "admin", "password": "test-password"}
    )
    assert response.status_code == 429
    assert not signed_in(client)


def test_a_reset_unlocks(client, lawyer):
    fail(client, "lawyer", 5)
    assert sign_in(client, "lawyer").status_code == 429
    reset(username="lawyer")
    reset(ip="127.0.0.1")
    assert sign_in(client, "lawyer").status_code == 302
    assert signed_in(client)


def test_an_admin_unlocks_a_user_in_the_admin(lawyer, admin_user):
    locked = Client()
    fail(locked, "lawyer", 5)
    assert sign_in(locked, "lawyer").status_code == 429

    admin = Client(REMOTE_ADDR="203.0.113.50")
    admin.force_login(admin_user)
    changelist = admin.get(reverse("admin:axes_accessattempt_changelist"))
    assert changelist.status_code == 200
    assert "lawyer" in changelist.content.decode()
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    response = admin.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "delete_selected", "_selected_action": attempts, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.exists()

    assert sign_in(locked, "lawyer").status_code == 302
    assert signed_in(locked)


def test_a_lawyer_cannot_see_or_clear_the_attempts(client, lawyer, other_lawyer):
    fail(Client(REMOTE_ADDR="198.51.100.3"), "other_lawyer", 5)
    client.force_login(lawyer)
    url = reverse("admin:axes_accessattempt_changelist")
    assert client.get(url).status_code == 403
    attempts = list(AccessAttempt.objects.values_list("pk", flat=True))
    client.post(url, {"action": "delete_selected", "_selected_action": attempts, "post": "yes"})
    assert AccessAttempt.objects.count() == len(attempts) > 0
    assert client.get(reverse("admin:index")).status_code == 200
    assert "Access attempts" not in client.get(reverse("admin:index")).content.decode()


def test_behind_a_proxy_the_forwarded_address_counts(settings, lawyer):
    settings.CASETRACKER_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    attacker = Client(**proxy, HTTP_X_FORWARDED_FOR="198.51.100.66")
    for number in range(5):
        fail(attacker, f"guess{number}", 1)
    assert sign_in(attacker, "lawyer").status_code == 429
    # Another client behind the same proxy is not locked out with the attacker.
    colleague = Client(**proxy, HTTP_X_FORWARDED_FOR="203.0.113.8")
    assert sign_in(colleague, "lawyer").status_code == 302


def test_a_forged_forwarded_address_does_not_escape_the_count(settings, lawyer):
    settings.CASETRACKER_PROXY_COUNT = 1
    for number in range(5):
        # The proxy appends the real address; what the client put before it is not trusted.
        forged = Client(
            REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=f"192.0.2.{number}, 198.51.100.66"
        )
        fail(forged, f"guess{number}", 1)
    again = Client(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="192.0.2.200, 198.51.100.66")
    assert sign_in(again, "lawyer").status_code == 429


def test_the_second_factor_still_follows_a_throttled_sign_in(client, lawyer, settings):
    settings.CASETRACKER_REQUIRE_2FA = True
    device = authenticator(lawyer)
    fail(client, "lawyer", 2)
    assert sign_in(client, "lawyer").status_code == 302
    assert enter_code(client, code(device)).status_code == 302
    assert client.get("/").status_code == 200


def test_a_new_user_is_not_locked_by_anothers_failures(client):
    make_user("first")
    make_user("second")
    fail(Client(REMOTE_ADDR="198.51.100.1"), "first", 5)
    assert sign_in(Client(REMOTE_ADDR="198.51.100.2"), "second").status_code == 302
