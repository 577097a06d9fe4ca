from django.shortcuts import render

from people.access import get_person_for

from .timeline import build_timeline


def person_timeline(request, ref):
    person = get_person_for(request.user, ref)
    context = {
        "person": person,
        "timeline": build_timeline(person, request.user),
        "shows_internal": person.is_managed_by(request.user),
    }
    return render(request, "cases/person_detail.html", context)


def person_timeline_json(request, ref):
    raise NotImplementedError
