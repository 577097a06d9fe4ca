"""The directory of persons: /people/ and /people.json (filters, search, facets).

Both pages take the same GET parameters (see cases/filters.py) and list only the persons
the reader may see. A page number past the end shows the last page; one that is not a
number shows the first: a shared link never breaks.
"""

from django.core.paginator import Paginator
from django.db.models import prefetch_related_objects
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse

from people.access_log import AccessLogEntry, record_read

from .filters import PersonFilter, attach_last_entries
from .masking import masker_for, sharing_a_record_with

PER_PAGE = 25


def _page(persons, number, user):
    paginator = Paginator(persons, PER_PAGE)
    try:
        number = int(number)
    except (TypeError, ValueError):
        number = 1
    page = paginator.page(min(max(number, 1), paginator.num_pages))
    page.object_list = attach_last_entries(page.object_list)
    _withhold_names(page.object_list, user)
    return page


def _withhold_names(persons, user):
    """The title of a last entry (an event's, a hearing's) may name a person ``user`` may not
    see who shares a record with someone listed: that name is withheld (one query)."""
    titled = [person for person in persons if person.last_entry]
    if not titled:
        return
    masker = masker_for(
        user,
        sharing_a_record_with([person.pk for person in titled]),
        keep=[person.name for person in persons],
    )
    for person in titled:
        person.last_entry.title = masker(person.last_entry.title)


def directory(request):
    filterset = PersonFilter(request.GET, request=request)
    page = _page(filterset.results(), request.GET.get("page"), request.user)
    record_read(request, page.object_list, AccessLogEntry.What.DIRECTORY)
    context = {
        "filterset": filterset,
        "page": page,
        "facets": filterset.facets(),
        "chips": filterset.chips(),
        "errors": filterset.error_messages(),
        "pages": _page_links(filterset, page),
    }
    return render(request, "cases/directory.html", context)


def _page_links(filterset, page):
    """Links to the previous and next pages, and to the first, last and nearby ones (None
    marks a gap)."""
    last = page.paginator.num_pages
    nearby = range(max(1, page.number - 2), min(last, page.number + 2) + 1)
    numbers, previous = [], 0
    for number in sorted({1, last, *nearby}):
        if number - previous > 1:
            numbers.append(None)
        numbers.append((number, filterset.link(page=number)))
        previous = number
    return {
        "previous": filterset.link(page=page.number - 1) if page.has_previous() else None,
        "next": filterset.link(page=page.number + 1) if page.has_next() else None,
        "numbers": numbers,
    }


def directory_json(request):
    filterset = PersonFilter(request.GET, request=request)
    page = _page(filterset.results(), request.GET.get("page"), request.user)
    prefetch_related_objects(page.object_list, "variants")
    record_read(request, page.object_list, AccessLogEntry.What.DIRECTORY)

    def absolute(query):
        return request.build_absolute_uri(reverse("cases:directory-json") + query)

    data = {
        "count": page.paginator.count,
        "next": absolute(filterset.link(page=page.next_page_number())) if page.has_next() else None,
        "previous": absolute(filterset.link(page=page.previous_page_number()))
        if page.has_previous()
        else None,
        "results": [_person_json(request, person) for person in page.object_list],
    }
    if filterset.errors:
        data["errors"] = {name: list(messages) for name, messages in filterset.errors.items()}
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


def _person_json(request, person):
    entry = person.last_entry
    return {
        "ref": person.ref,
        "name": person.name,
        "url": request.build_absolute_uri(person.get_absolute_url()),
        "timeline_url": request.build_absolute_uri(
            reverse("cases:person-json", kwargs={"ref": person.ref})
        ),
        "variants": [variant.name for variant in person.variants.all()],
        "matched_variant": getattr(person, "matched_variant", None),
        "current_status": person.current_status,
        "current_status_outcome": person.current_status_outcome,
        "current_status_display": person.status_label,
        "last_entry_date": entry.date.iso() if entry else None,
        "last_entry": {
            "kind": entry.kind,
            "title": entry.title,
            "date": entry.date.iso(),
            "precision": entry.date.precision,
            "date_display": str(entry.date),
        }
        if entry
        else None,
        "crossing_year": person.crossing_date.year if person.crossing_date else None,
        "sex": person.sex,
        "ethnicity": person.ethnicity,
        "visibility": person.visibility,
    }
