"""The address a request came from, for the sign-in throttle and the read log alike.

Behind a proxy every request comes from the proxy's address. With ``DJANGO_PROXY_COUNT``
proxies in front, each appends the address it received the request from to X-Forwarded-For;
entries further left were written by the client and prove nothing (a forged header must
neither reset the sign-in count nor hide a reader), so the address is the one the outermost
trusted proxy appended.
"""

import ipaddress

from django.conf import settings


def client_address(request):
    """The client's address as a normalised string, or None if there is no valid one."""
    count = settings.CASETRACKER_PROXY_COUNT
    address = request.META.get("REMOTE_ADDR", "")
    if count > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= count:
            address = forwarded[-count]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
