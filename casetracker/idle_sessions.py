"""Sessions end after a period without activity: shorter for admins and lawyers.

Sessions already end when the browser closes (``SESSION_EXPIRE_AT_BROWSER_CLOSE``); this
adds the idle limit, sliding: each request renews it. The time of the last request is kept
in the session, written at most once a minute to spare the database a write per request.
"""

import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.translation import gettext as _

from casetracker.two_factor import privileged

LAST_ACTIVITY = "casetracker_last_activity"
# Renewing the timestamp writes the session; once a minute is precise enough.
RENEW_AFTER = 60


def start_clock(request):
    """Called at sign-in (user_logged_in), so the first page needs no session write."""
    request.session[LAST_ACTIVITY] = int(time.time())


def idle_limit(request):
    """Seconds the signed-in user's session may stay unused."""
    if privileged(request):
        return 60 * settings.CASETRACKER_IDLE_MINUTES_STAFF
    return 60 * settings.CASETRACKER_IDLE_MINUTES


class IdleSessionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = int(time.time())
            last = request.session.get(LAST_ACTIVITY)
            if last is not None and now - last > idle_limit(request):
                minutes = idle_limit(request) // 60
                logout(request)
                if request.path_info != reverse("login"):
                    messages.info(
                        request,
                        _(
                            "You were signed out after %(minutes)d minutes without activity. "
                            "Please sign in again."
                        )
                        % {"minutes": minutes},
                    )
                    return redirect_to_login(request.get_full_path())
            elif last is None or now - last >= RENEW_AFTER:
                request.session[LAST_ACTIVITY] = now
        return self.get_response(request)
