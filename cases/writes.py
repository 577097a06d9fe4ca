"""Every write a lawyer makes to a person's case: the access gate, then one named function per
write, each in a transaction so that a record, its citations and a new source are saved
together or not at all.

Each write of an existing record passes the same two checks as a change in the admin: the
user may change the record (``may_change``: for a shared record, every person it concerns)
and the form's version is still current (``casetracker.versions.check_version``).

The gate (``person_write_view``) is the only way into a write view: ``cases.edit_urls``
routes nothing else, and ``tests/test_write_permissions.py`` walks every URL it routes.
"""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponseNotAllowed

from casetracker.versions import check_version
from people.access import get_person_for
from people.models import Person

from .models import Citation, Proceeding

WRITE_METHODS = ("GET", "HEAD", "POST")


def person_write_view(view):
    """The one access gate of the write views.

    Anonymous: to the sign-in page. A person the user may not see: 404, as everywhere, so
    the person's existence is not confirmed. A person they may see but not change
    (researchers, other lawyers): 403. The view is called as ``view(request, person, ...)``.
    """

    @wraps(view)
    def gated(request, ref, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        person = get_person_for(request.user, ref)
        if not Person.objects.managed_by(request.user).filter(pk=person.pk).exists():
            raise PermissionDenied
        if request.method not in WRITE_METHODS:
            return HttpResponseNotAllowed(WRITE_METHODS)
        return view(request, person, *args, **kwargs)

    gated.writes_a_persons_case = True
    return gated


def may_change(record, user):
    """Whether ``user`` may change ``record``: the ``managed_by`` rule of its model.

    For a proceeding or event, that is every person it concerns; for a hearing or participant,
    every person of its proceeding; for a person's own record, that person.
    """
    if record.pk is None:
        return True
    return type(record)._default_manager.managed_by(user).filter(pk=record.pk).exists()


def check_may_change(record, user):
    if not may_change(record, user):
        raise PermissionDenied


def save_citations(record, formset):
    """The citations of a saved record: new sources first, then added, changed, removed rows."""
    formset.instance = record
    for form in formset.forms:
        data = getattr(form, "cleaned_data", None)
        if not data or data.get("DELETE"):
            continue
        if form.new_source is not None:
            form.new_source.save()
            form.instance.source = form.new_source
        elif data.get("source") is not None:
            form.instance.source = data["source"]
    formset.save()


@transaction.atomic
def save_record(form, citations, *, version=None):
    """A record of one person (crossing, detention, hearing, status decision) and its sources."""
    check_may_change(form.instance, form.user)
    check_version(form.instance, version)
    record = form.save()
    save_citations(record, citations)
    return record


@transaction.atomic
def save_shared_record(form, citations, *, version=None, participants=None):
    """A proceeding or event: the record, the persons it concerns, its participants, sources.

    Persons the lawyer does not manage stay on the record as they were (see
    ``SharedPersonsMixin``); a new court or authority typed in the form is created here.
    """
    check_may_change(form.instance, form.user)
    check_version(form.instance, version)
    new_authority = getattr(form, "new_authority", None)
    if new_authority is not None:
        new_authority.save()
        form.instance.authority = new_authority
    # Read inside the transaction: whoever the lawyer may not change stays on the record.
    kept = list(persons_not_managed(form.instance, form.user)) if form.instance.pk else []
    record = form.save()
    record.persons.set([*form.chosen_persons(), *kept])
    if participants is not None:
        participants.instance = record
        participants.save()
    save_citations(record, citations)
    return record


def end_detention(detention, date):
    """A detention ends on ``date``; refused with the detention's own message if it cannot."""
    detention.approx_end = date
    try:
        detention.full_clean()
    except ValidationError as error:
        raise ValidationError({"ends_detention": error.messages}) from None
    detention.save()


@transaction.atomic
def record_ruling(form, citations, *, version=None):
    """A ruling and its sources; if the lawyer says it released the person, the detention ends."""
    check_may_change(form.instance, form.user)
    check_version(form.instance, version)
    ruling = form.save()
    save_citations(ruling, citations)
    detention = form.cleaned_data.get("ends_detention")
    if detention is not None:
        end_detention(detention, ruling.approx_date)
    return ruling


@transaction.atomic
def add_source(form, records, *, user):
    """A new source, cited for each of ``records`` with the form's quote and confidence."""
    for record in records:
        check_may_change(record, user)
    source = form.save()
    for record in records:
        Citation.objects.create(
            record=record,
            source=source,
            quote=form.cleaned_data.get("quote", ""),
            confidence=form.cleaned_data["confidence"],
        )
    return source


def persons_not_managed(record, user):
    """The persons of a shared record that ``user`` does not manage."""
    return record.persons.exclude(pk__in=Person.objects.managed_by(user).values("pk"))


@transaction.atomic
def delete_record(record, *, person, user):
    """Delete a record of ``person``; returns "deleted" or "detached".

    A shared record that also concerns persons the user does not manage is not deleted from
    their cases: ``person`` is taken off it (with their rulings in it, for a proceeding).
    django-simple-history keeps the deleted rows and who deleted them.
    """
    if hasattr(record, "persons") and persons_not_managed(record, user).exists():
        if not person.is_managed_by(user):
            raise PermissionDenied
        if isinstance(record, Proceeding):
            for ruling in record.rulings.filter(person=person):
                ruling.delete()
        record.persons.remove(person)
        return "detached"
    check_may_change(record, user)
    record.delete()
    return "deleted"
