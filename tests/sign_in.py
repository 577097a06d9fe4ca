"""Signing in through the real pages: the password form, then the second factor."""

from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

PASSWORD = "test-password"


def sign_in(client, username, password=PASSWORD, next_url="", **extra):
    """POST the sign-in form as a browser would; returns the response (not followed)."""
    data = {"username": username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data, **extra)


def authenticator(user):
    """A confirmed authenticator app for the user."""
    return TOTPDevice.objects.create(user=user, name="phone", confirmed=True)


def code(device, steps_ahead=0):
    """The code the user's app shows now (or ``steps_ahead`` 30-second steps later).

    A code is accepted once: a second sign-in in the same half minute takes the next one,
    which the device accepts within its tolerance of one step.
    """
    device.refresh_from_db()
    value = totp(device.bin_key, device.step, device.t0, device.digits, device.drift + steps_ahead)
    return f"{value:0{device.digits}d}"


def enter_code(client, value, next_url=""):
    data = {"code": value}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("two_factor:verify"), data)
