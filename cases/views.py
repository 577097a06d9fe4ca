from django.http import JsonResponse
from django.shortcuts import render

from people.access import get_person_for
from people.access_log import AccessLogEntry, record_read
from people.models import is_admin

from .edit_views import entry_permissions
from .strip import build_strip
from .timeline import build_timeline


def person_timeline(request, ref):
    person = get_person_for(request.user, ref)
    timeline = build_timeline(person, request.user)
    if request.user.is_authenticated:
        manages, editable, removable = entry_permissions(person, request.user, timeline.entries)
    else:  # the public manages no one's case: no query to ask
        manages, editable, removable = False, set(), set()
    record_read(request, person, AccessLogEntry.What.PAGE)
    context = {
        "person": person,
        "timeline": timeline,
        "strip": build_strip(timeline.entries),
        "shows_internal": manages,
        # Per entry: a shared record the user may not change shows no edit link.
        "editable_entries": editable,
        "removable_entries": removable,
        # The public reads a status and its dates; the countdown is for the team.
        "shows_countdown": request.user.is_authenticated,
        "shows_access_log": is_admin(request.user),
    }
    return render(request, "cases/person_detail.html", context)


def person_timeline_json(request, ref):
    person = get_person_for(request.user, ref)
    timeline = build_timeline(person, request.user)
    record_read(request, person, AccessLogEntry.What.TIMELINE_JSON)
    return JsonResponse(
        timeline.as_data(request.build_absolute_uri), json_dumps_params={"ensure_ascii": False}
    )
