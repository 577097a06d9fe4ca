"""The second factor: admins and lawyers give a code after their password when it is required.

Every sign-in here goes through the real sign-in page; codes are computed from the device's
key as the user's app would.
"""

import base64
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from people.models import Person
from tests.factories import make_person, make_user
from tests.sign_in import authenticator, code, enter_code, sign_in

pytestmark = pytest.mark.django_db

SETUP = reverse("two_factor:setup")
VERIFY = reverse("two_factor:verify")
RECOVERY = reverse("two_factor:recovery-codes")


@pytest.fixture
def required(settings):
    settings.CASETRACKER_REQUIRE_2FA = True


@pytest.fixture
def confidential(lawyer):
    return make_person(
        name="Withheld Client", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )


def path_of(response):
    return response["Location"].split("?")[0]


def test_after_the_password_a_lawyer_without_a_device_reaches_only_the_setup(
    client, lawyer, confidential, required
):
    response = sign_in(client, "lawyer")
    assert response.status_code == 302
    landing = client.get(response["Location"])
    assert landing.status_code == 302 and path_of(landing) == SETUP
    for url in ["/", "/people/", confidential.get_absolute_url(), "/admin/", "/reports/"]:
        response = client.get(url)
        assert response.status_code == 302, url
        assert path_of(response) == SETUP, url
        assert b"Withheld Client" not in response.content
    # Data answers 403 rather than a redirect a script would follow.
    for url in ["/people.json", reverse("cases:person-json", args=[confidential.ref])]:
        response = client.get(url)
        assert response.status_code == 403, url
        assert b"Withheld" not in response.content
    assert client.get(SETUP).status_code == 200


def test_the_setup_shows_a_qr_code_and_the_key_and_needs_a_right_code(client, lawyer, required):
    sign_in(client, "lawyer")
    page = client.get(SETUP)
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=lawyer)
    assert not device.confirmed
    # The QR code is drawn here, not fetched; the key can be typed by hand.
    svg = body[body.index("<svg") : body.index("</svg>")]
    assert "<path" in svg and "href" not in svg and "<script" not in body
    secret = page.context["secret"].replace(" ", "")
    assert base64.b32decode(secret) == device.bin_key
    assert page.context["secret"] in body

    wrong = client.post(SETUP, {"code": "000000" if code(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    device.refresh_from_db()
    assert not device.confirmed
    assert client.get("/").status_code == 302

    device.throttle_reset()  # a wrong code makes the next try wait a second
    right = client.post(SETUP, {"code": code(device)})
    assert right.status_code == 302 and path_of(right) == RECOVERY
    device.refresh_from_db()
    assert device.confirmed


def test_recovery_codes_are_shown_once_after_setup_and_the_site_opens(client, lawyer, required):
    sign_in(client, "lawyer")
    client.get(SETUP)
    client.post(SETUP, {"code": code(TOTPDevice.objects.get(user=lawyer))})
    page = client.get(RECOVERY)
    codes = page.context["codes"]
    assert len(codes) == 10
    assert set(codes) == set(
        StaticToken.objects.filter(device__user=lawyer).values_list("token", flat=True)
    )
    for value in codes:
        assert value in page.content.decode()
    again = client.get(RECOVERY)
    assert again.context["codes"] is None
    assert codes[0] not in again.content.decode()
    home = client.get("/")
    assert home.status_code == 200
    assert "My cases" in home.content.decode()


def test_a_lawyer_with_a_device_gives_the_code_after_the_password(
    client, lawyer, confidential, required
):
    device = authenticator(lawyer)
    response = sign_in(client, "lawyer", next_url=confidential.get_absolute_url())
    gate = client.get(response["Location"])
    assert path_of(gate) == VERIFY
    assert client.get(SETUP).status_code == 302  # no new device without the old one's code
    assert TOTPDevice.objects.filter(user=lawyer).count() == 1

    refused = enter_code(client, "123456" if code(device) != "123456" else "654321")
    assert refused.status_code == 200
    assert "That code is not right" in refused.content.decode()
    assert path_of(client.get(confidential.get_absolute_url())) == VERIFY

    device.throttle_reset()
    accepted = enter_code(client, code(device), next_url=confidential.get_absolute_url())
    assert accepted.status_code == 302
    assert accepted["Location"] == confidential.get_absolute_url()
    page = client.get(confidential.get_absolute_url())
    assert page.status_code == 200
    assert "Withheld Client" in page.content.decode()


def test_a_code_is_accepted_once(client, lawyer, required):
    device = authenticator(lawyer)
    sign_in(client, "lawyer")
    value = code(device)
    assert enter_code(client, value).status_code == 302
    client.post(reverse("logout"))
    sign_in(client, "lawyer")
    assert enter_code(client, value).status_code == 200
    assert client.get("/").status_code == 302


def test_a_recovery_code_works_once(client, lawyer, required):
    authenticator(lawyer)
    recovery = StaticDevice.objects.create(user=lawyer, name="codes", confirmed=True)
    recovery.token_set.create(token="abcd2345")
    recovery.token_set.create(token="efgh6789")
    sign_in(client, "lawyer")
    used = enter_code(client, "abcd 2345")
    assert used.status_code == 302
    followed = client.get(used["Location"])
    assert followed.status_code == 200
    assert "recovery code" in followed.content.decode()
    assert list(recovery.token_set.values_list("token", flat=True)) == ["efgh6789"]

    client.post(reverse("logout"))
    sign_in(client, "lawyer")
    recovery.throttle_reset()
    assert enter_code(client, "abcd2345").status_code == 200
    assert client.get("/").status_code == 302


def test_the_admin_site_needs_the_second_factor(client, admin_user, required):
    device = authenticator(admin_user)
    sign_in(client, "admin", next_url="/admin/")
    response = client.get("/admin/")
    assert response.status_code == 302 and path_of(response) == VERIFY
    response = client.get(reverse("admin:people_person_changelist"))
    assert path_of(response) == VERIFY
    enter_code(client, code(device))
    assert client.get("/admin/").status_code == 200


def test_the_admin_sign_in_page_leads_to_the_second_factor_too(client, admin_user, required):
    authenticator(admin_user)
    response = client.post(
        reverse("admin:login"),
        {"username": "admin", "password": "test-password", "next": "/admin/"},
    )
    assert response.status_code == 302
    assert path_of(client.get("/admin/")) == VERIFY


def test_a_researcher_is_not_asked_but_may_set_one_up(client, researcher, required):
    sign_in(client, "researcher")
    assert client.get("/").status_code == 200
    assert client.get(SETUP).status_code == 200
    device = TOTPDevice.objects.get(user=researcher)
    client.post(SETUP, {"code": code(device)})
    client.post(reverse("logout"))
    # Once set up, it is asked for: a factor that can be skipped protects nothing.
    sign_in(client, "researcher")
    assert path_of(client.get("/")) == VERIFY


def test_a_member_of_the_lawyers_group_who_is_not_staff_is_asked_too(client, required):
    make_user("grouped", role="Lawyers")
    sign_in(client, "grouped")
    assert path_of(client.get("/")) == SETUP


def test_it_is_not_required_with_the_setting_off(client, lawyer, settings):
    settings.CASETRACKER_REQUIRE_2FA = False
    sign_in(client, "lawyer")
    assert client.get("/").status_code == 200
    assert client.get("/admin/").status_code == 200


def test_a_verified_user_may_move_the_factor_to_a_new_phone(client, lawyer, required):
    old = authenticator(lawyer)
    sign_in(client, "lawyer")
    enter_code(client, code(old))
    assert client.get(SETUP).status_code == 200
    new = TOTPDevice.objects.get(user=lawyer, confirmed=False)
    client.post(SETUP, {"code": code(new)})
    assert list(TOTPDevice.objects.filter(user=lawyer)) == [new]


def test_a_verified_user_makes_new_recovery_codes_and_the_old_stop_working(
    client, lawyer, required
):
    device = authenticator(lawyer)
    old = StaticDevice.objects.create(user=lawyer, name="codes", confirmed=True)
    old.token_set.create(token="oldcode1")
    sign_in(client, "lawyer")
    enter_code(client, code(device))
    response = client.post(RECOVERY)
    assert response.status_code == 302
    page = client.get(RECOVERY)
    assert len(page.context["codes"]) == 10
    assert not StaticToken.objects.filter(token="oldcode1").exists()


def test_an_admin_resets_a_lost_factor_by_deleting_the_device(client, admin_user, lawyer, required):
    lost = authenticator(lawyer)
    admin_device = authenticator(admin_user)
    sign_in(client, "admin")
    enter_code(client, code(admin_device))
    url = reverse("admin:otp_totp_totpdevice_delete", args=[lost.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=lost.pk).exists()

    other = type(client)()
    sign_in(other, "lawyer")
    assert path_of(other.get("/")) == SETUP


def test_the_admin_never_shows_a_users_key_or_recovery_codes(client, admin_user, lawyer):
    device = authenticator(lawyer)
    recovery = StaticDevice.objects.create(user=lawyer, name="codes", confirmed=True)
    recovery.token_set.create(token="secret42")
    client.force_login(admin_user)
    pages = [
        reverse("admin:otp_totp_totpdevice_changelist"),
        reverse("admin:otp_totp_totpdevice_change", args=[device.pk]),
        reverse("admin:otp_static_staticdevice_changelist"),
        reverse("admin:otp_static_staticdevice_change", args=[recovery.pk]),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert device.key not in body, url
        assert "secret42" not in body, url
    for name in ["admin:otp_totp_totpdevice_config", "admin:otp_totp_totpdevice_qrcode"]:
        assert client.get(reverse(name, args=[device.pk])).status_code == 403


def test_a_lawyer_cannot_open_the_device_admin(client, lawyer, admin_user):
    device = authenticator(admin_user)
    client.force_login(lawyer)
    assert client.get(reverse("admin:otp_totp_totpdevice_changelist")).status_code == 403
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert TOTPDevice.objects.filter(pk=device.pk).exists()


def test_the_pages_carry_no_inline_script(client, lawyer, required):
    sign_in(client, "lawyer")
    for url in [SETUP, RECOVERY]:
        body = client.get(url).content.decode()
        assert "<script" not in body
        assert not re.search(r"\son[a-z]+=", body)


def test_a_device_deleted_during_a_session_leads_to_a_new_setup(client, lawyer, required):
    device = authenticator(lawyer)
    sign_in(client, "lawyer")
    enter_code(client, code(device))
    assert client.get("/").status_code == 200
    device.delete()
    response = client.get("/")
    assert path_of(response) == VERIFY
    assert path_of(client.get(response["Location"])) == SETUP
    assert client.get(SETUP).status_code == 200


def test_signing_in_costs_the_pages_no_extra_query(client):
    make_user("grouped", role="Lawyers")  # not staff: only a query tells they are a lawyer
    sign_in(client, "grouped")
    with CaptureQueriesContext(connection) as counted:
        client.get("/people/")
    queries = " ".join(query["sql"] for query in counted.captured_queries)
    assert "otp_totp" not in queries and "otp_static" not in queries
    assert "Lawyers" not in queries  # the role check of is_privileged
