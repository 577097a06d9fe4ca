"""django-axes' hooks: the address it counts failed sign-ins against
(``casetracker.addresses``: behind a proxy, the one the proxy saw), the lockout page, and
forgiving a user's own failures after they sign in."""

import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render

from casetracker.addresses import client_address


def lockout_response(request, original_response=None, credentials=None):
    """The page a locked-out sign-in gets: what happened, how long, whom to ask."""
    cool_off = get_cool_off(request)
    minutes = math.ceil(cool_off.total_seconds() / 60) if cool_off else None
    return render(
        request,
        "registration/locked_out.html",
        {"failure_limit": settings.AXES_FAILURE_LIMIT, "minutes": minutes},
        status=429,
    )


def forgive_own_failures(request, user):
    """After a successful sign-in, forget that user's failures from that address, no more.

    django-axes' own reset on success (AXES_RESET_ON_SUCCESS) would also clear every failure
    from the address, for any username: anyone with an account could then guess another
    user's password without end, signing in as themselves between guesses.
    """
    address = client_address(request)
    if address:
        AccessAttempt.objects.filter(username=user.get_username(), ip_address=address).delete()
