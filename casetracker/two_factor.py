"""Who needs a second factor, and the middleware that holds them at its door.

Admins and lawyers (staff, or members of the Admins or Lawyers groups) must set up and use
an authenticator app when ``CASETRACKER_REQUIRE_2FA`` is true (``DJANGO_REQUIRE_2FA``).
Anyone who has set one up, researchers included, is asked for a code at every sign-in: a
second factor that can be skipped protects nothing.

Until the code is given, a signed-in user reaches only the second-factor pages, sign-in and
sign-out; every other page sends them there (data URLs answer 403 instead of a redirect a
script would follow). The Django admin is one of those other pages.
"""

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from django.shortcuts import resolve_url
from django_otp import user_has_device

from people.roles import ADMINS, LAWYERS

VERIFY = "two_factor:verify"
SETUP = "two_factor:setup"
# The pages an unverified user may open: the way forward, and the way out.
OPEN_PAGES = {VERIFY, SETUP, "two_factor:recovery-codes", "login", "logout"}
DATA_SUFFIXES = (".json", ".csv", ".xlsx")


# Facts about the signed-in user kept in the session from sign-in on (sign_in_facts), so that
# a page costs no query for them. A change of groups takes effect at the next sign-in.
PRIVILEGED = "casetracker_privileged"
HAS_DEVICE = "casetracker_has_device"


def is_privileged(user):
    """Admins and lawyers: the users who can read confidential cases."""
    return user.is_authenticated and (
        user.is_staff
        or user.is_superuser
        or user.groups.filter(name__in=[ADMINS, LAWYERS]).exists()
    )


def _session_fact(request, key, compute):
    if key not in request.session:
        request.session[key] = compute()
    return request.session[key]


def privileged(request):
    return _session_fact(request, PRIVILEGED, lambda: is_privileged(request.user))


def has_device(request):
    return _session_fact(request, HAS_DEVICE, lambda: user_has_device(request.user, confirmed=True))


def sign_in_facts(request, user):
    """Called at sign-in (user_logged_in): what the middleware will need to know."""
    request.session[PRIVILEGED] = is_privileged(user)
    request.session[HAS_DEVICE] = user_has_device(user, confirmed=True)


def second_factor_required(request):
    return settings.CASETRACKER_REQUIRE_2FA and privileged(request)


def pending_step(request):
    """What a signed-in user must still do before using the site: VERIFY, SETUP or None."""
    user = request.user
    if not user.is_authenticated or user.is_verified():
        return None
    if has_device(request):
        return VERIFY
    if second_factor_required(request):
        return SETUP
    return None


class SecondFactorMiddleware:
    """Sends a signed-in user who still owes a code to the verify or setup page.

    Installed after django-otp's OTPMiddleware (which tells whether the session is verified).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.resolver_match.view_name in OPEN_PAGES:
            return None
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return None
        step = pending_step(request)
        if step is None:
            return None
        if (
            request.path_info.endswith(DATA_SUFFIXES)
            or "json" in request.headers.get("Accept", "").split(",")[0]
        ):
            return JsonResponse({"detail": "A second factor is required."}, status=403)
        return redirect_to_login(request.get_full_path(), resolve_url(step))
