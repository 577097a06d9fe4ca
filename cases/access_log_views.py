"""/people/<ref>/access-log/: who read a non-public person, for admins only.

Anyone else gets a 404, whether or not the person exists: the page confirms nothing. Reading
the log is itself a read of the person, and is logged. The log of a person deleted since
stays readable at the same address.
"""

from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render

from people.access_log import AccessLogEntry, entries_for, record_read
from people.models import Person, is_admin

PER_PAGE = 50


def access_log(request, ref):
    if not (request.user.is_authenticated and is_admin(request.user)):
        raise Http404
    person = Person.objects.filter(ref=ref).first()
    entries = entries_for(ref)
    if person is None and not entries.exists():
        raise Http404
    if person is not None:
        record_read(request, person, AccessLogEntry.What.ACCESS_LOG)
    paginator = Paginator(entries, PER_PAGE)
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = paginator.page(min(max(number, 1), paginator.num_pages))
    context = {"person": person, "ref": ref, "page": page}
    return render(request, "cases/person_access_log.html", context)
