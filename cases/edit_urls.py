"""The lawyer's write URLs, all under /people/<ref>/…, all behind one access gate.

Routes are made by ``write_path`` only, which wraps the view in
``cases.writes.person_write_view``: a write view cannot be routed without the gate.
"""

from django.urls import path, reverse

import people.converters  # noqa: F401  (registers <ref:…>)

from . import edit_views
from .writes import person_write_view

app_name = "edit"

# The kind of a timeline entry (cases.timeline.Entry.kind) and its segment in the URL.
SEGMENTS = {
    "crossing": "crossings",
    "detention": "detentions",
    "proceeding": "proceedings",
    "hearing": "hearings",
    "ruling": "rulings",
    "status": "statuses",
    "event": "events",
}


def write_path(route, view, name, **kwargs):
    return path(f"people/<ref:ref>/{route}", person_write_view(view), kwargs, name=name)


urlpatterns = [
    write_path("sources/add/", edit_views.add_source, "source-add"),
]
for kind, segment in SEGMENTS.items():
    urlpatterns += [
        write_path(f"{segment}/add/", edit_views.add_record, f"{kind}-add", kind=kind),
        write_path(f"{segment}/<int:pk>/edit/", edit_views.edit_record, f"{kind}-edit", kind=kind),
        write_path(
            f"{segment}/<int:pk>/delete/", edit_views.delete_record, f"{kind}-delete", kind=kind
        ),
    ]


def add_url(person, kind):
    """Where a new record of ``kind`` (crossing, …, event, source) is added for ``person``."""
    return reverse(f"edit:{kind}-add", kwargs={"ref": person.ref})


def edit_url(person, kind, pk):
    """Where the record behind a timeline entry (its kind and pk) is edited."""
    return reverse(f"edit:{kind}-edit", kwargs={"ref": person.ref, "pk": pk})


def delete_url(person, kind, pk):
    return reverse(f"edit:{kind}-delete", kwargs={"ref": person.ref, "pk": pk})


def entry_record(entry):
    """(kind, pk) of the record behind a timeline entry (cases.timeline.Entry)."""
    pk = getattr(entry, "pk", None)
    if pk is None:  # an entry that only carries its anchor, "hearing-12"
        return entry.anchor.rsplit("-", 1)[0], int(entry.anchor.rsplit("-", 1)[1])
    return entry.kind, pk
