"""Error pages that say what happened in plain words and lead back somewhere useful.

404, 400 and 500 are Django's own handlers with our templates (templates/404.html, …). Two
need a view of their own: the 403 page, which links back to the person whose record could not
be changed, and the CSRF failure page, which explains an expired form.
"""

from django.conf import settings
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme

from people.models import Person


def person_url_for(request):
    """The page of the person a refused URL concerns, when the user may see that person.

    A 403 means "you may see this but not change it", so the person is normally visible; the
    check keeps the page from ever linking to (and so confirming) a person the user may not see.
    """
    match = getattr(request, "resolver_match", None)
    ref = match.kwargs.get("ref") if match else None
    if not isinstance(ref, str):
        return None
    if not Person.objects.visible_to(request.user).filter(ref=ref).exists():
        return None
    return reverse("cases:person", kwargs={"ref": ref})


def permission_denied(request, exception):
    return render(request, "403.html", {"person_url": person_url_for(request)}, status=403)


def csrf_failure(request, reason=""):
    """The form's security token was missing or stale: usually a form left open too long."""
    referer = request.headers.get("referer", "")
    form_url = (
        referer
        if url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        else None
    )
    context = {"form_url": form_url, "reason": reason if settings.DEBUG else ""}
    return render(request, "403_csrf.html", context, status=403)
