"""Responses that may carry non-public data are never stored by a browser or a proxy.

The rule lives here, once, rather than on each view: an anonymous reader only ever sees public
data, so a response to anyone else — every page, JSON, export and report download a signed-in
user gets, which covers every page of an internal or confidential person — is sent with
``Cache-Control: no-store``. A shared computer's back button or disk cache, and a caching
proxy, then keep nothing of it. Public pages stay cacheable for anonymous readers.
"""

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_vary_headers


def may_carry_private_data(request):
    user = getattr(request, "user", None)
    if user is None:
        # A response made before authentication ran (a redirect of CommonMiddleware): judge by
        # the session cookie, which is what would make it personal.
        return settings.SESSION_COOKIE_NAME in request.COOKIES
    return user.is_authenticated


class NoStoreForSignedInMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if may_carry_private_data(request):
            # no-store, plus no-cache/max-age=0/private and a past Expires for old caches.
            add_never_cache_headers(response)
        # The same URL answers a signed-in and an anonymous reader differently: a cache that
        # keeps the anonymous answer must key it on the cookie.
        patch_vary_headers(response, ["Cookie"])
        return response
