"""The persons a record belongs to, as the admin finds them, and which of them a reader may see.

Both the admin's rules (``casetracker.admin_access`` and its history and name modules) and the
admin's read log (``people.access_log_admin``) ask which fields of a record point at persons.
The read log's mixin is a base of ``RecordAdmin``, so it cannot import the module that defines
``RecordAdmin``: what they share lives here, below both.
"""

from django.db.models import ManyToManyField

from .models import Person


def person_fields(model):
    """Names of the foreign keys to Person on a model."""
    return [
        field.name
        for field in model._meta.get_fields()
        if field.many_to_one and field.related_model is Person
    ]


def person_m2m_fields(model):
    """Names of the many-to-many fields to Person declared on a model (shared records)."""
    return [
        field.name
        for field in model._meta.get_fields()
        if isinstance(field, ManyToManyField) and field.related_model is Person
    ]


def parent_fields(model):
    """Foreign keys through which a record without persons of its own takes its visibility
    (a hearing or participant: its proceeding)."""
    if person_fields(model) or person_m2m_fields(model):
        return []
    return [
        field
        for field in model._meta.get_fields()
        if field.many_to_one
        and field.related_model is not None
        and hasattr(field.related_model._default_manager, "visible_to")
    ]


def _cache(request):
    """Per-request memo of visibility answers: one query per object, not one per question."""
    if not hasattr(request, "_casetracker_access"):
        request._casetracker_access = {}
    return request._casetracker_access


def request_memo(request, key, compute):
    """``compute()``, asked once per request and ``key``."""
    cache = _cache(request)
    if key not in cache:
        cache[key] = compute()
    return cache[key]


def visible_person_ids(request, ids):
    """Which of the given person ids the user may see; one query for the ones not known yet."""
    cache = _cache(request).setdefault("visible_persons", {})
    unknown = {pk for pk in ids if pk is not None and pk not in cache}
    if unknown:
        visible = set(
            Person.objects.visible_to(request.user)
            .filter(pk__in=unknown)
            .values_list("pk", flat=True)
        )
        cache.update({pk: pk in visible for pk in unknown})
    return {pk for pk in ids if pk is not None and cache.get(pk)}
