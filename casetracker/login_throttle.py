"""The client address django-axes counts failed sign-ins against.

Behind a proxy every request comes from the proxy's address, which would lock everyone out
together; with ``DJANGO_PROXY_COUNT`` proxies in front, the address the nearest trusted
proxy saw is taken from X-Forwarded-For. Addresses further left are the client's own claim
and are never trusted (a forged header must not reset the count).
"""

import math

from axes.helpers import get_cool_off
from axes.models import AccessAttempt
from django.conf import settings
from django.shortcuts import render


def client_address(request):
    count = settings.CASETRACKER_PROXY_COUNT
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            return forwarded[-count]
    return request.META.get("REMOTE_ADDR")


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
