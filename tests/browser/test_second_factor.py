"""A lawyer signs in for the first time with the second factor required: password, then an
authenticator app set up from the QR code, the recovery codes, and the home page; the next
sign-in asks for a code. Nothing is fetched from a third party on the way."""

import pytest
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from tests.sign_in import code

from .conftest import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in_with_password(page, live_server, username):
    page.goto(f"{live_server.url}{reverse('login')}")
    page.locator('main input[name="username"]').fill(username)
    page.locator('main input[name="password"]').fill("test-password")
    page.locator('main button[type="submit"]').click()


def test_a_lawyer_sets_up_the_second_factor_then_uses_it(
    page, live_server, lawyer, settings, requests_made, screenshot_dir
):
    settings.CASETRACKER_REQUIRE_2FA = True
    page.set_viewport_size(PHONE)
    sign_in_with_password(page, live_server, "lawyer")
    page.wait_for_url(f"{live_server.url}{reverse('two_factor:setup')}**")
    qr = page.locator(".qr-code svg")
    expect(qr).to_be_visible()
    assert qr.bounding_box()["width"] >= 150  # large enough to scan
    assert qr.bounding_box()["width"] <= PHONE["width"]
    page.screenshot(path=screenshot_dir / "second-factor-setup-phone.png", full_page=True)

    device = TOTPDevice.objects.get(user=lawyer)
    page.locator('input[name="code"]').fill(code(device))
    page.locator("form.record-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}{reverse('two_factor:recovery-codes')}**")
    expect(page.locator(".recovery-codes li")).to_have_count(10)
    page.screenshot(path=screenshot_dir / "second-factor-recovery-codes-phone.png", full_page=True)
    page.get_by_role("link", name="I have saved them, continue").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()

    page.get_by_role("button", name="Sign out (lawyer)").click()
    page.set_viewport_size(DESKTOP)
    sign_in_with_password(page, live_server, "lawyer")
    page.wait_for_url(f"{live_server.url}{reverse('two_factor:verify')}**")
    page.locator('input[name="code"]').fill(code(device, steps_ahead=1))
    page.locator("form.record-form button[type=submit]").click()
    page.wait_for_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="My cases")).to_be_visible()
