"""The forms a lawyer uses to add, edit and delete the records of a person's case.

Every view here takes the person from the access gate (``cases.writes.person_write_view``,
applied in ``cases.edit_urls``) and leaves the writing to the named functions of
``cases.writes``.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.db.models import CharField, Value
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from casetracker.versions import StaleEdit
from people.access_log import AccessLogEntry, record_read
from people.models import Person

from . import writes
from .forms import (
    BorderCrossingForm,
    DetentionForm,
    EventForm,
    HearingForm,
    ProceedingForm,
    RulingForm,
    SourceCiteForm,
    StatusDecisionForm,
    citation_formset,
    edit_masker,
    linked_records,
    offered_sources,
    participant_formset,
    source_options,
)
from .forms.base import SharedPersonsMixin
from .masking import case_masker
from .models import BorderCrossing, Detention, Event, Hearing, Proceeding, Ruling, StatusDecision
from .timeline import build_timeline


@dataclass(frozen=True)
class RecordKind:
    """One kind of record on a person's timeline, and how its form is saved."""

    name: str  # the timeline's kind: crossing, detention, …; in URL names and anchors
    model: type
    form: type
    records: object  # person -> the queryset of this person's records of the kind
    save: object = writes.save_record
    formsets: tuple = ("citations",)
    needs_proceeding: bool = False

    @property
    def label(self):
        return capfirst(self.model._meta.verbose_name)

    @property
    def verbose_name(self):
        return self.model._meta.verbose_name


KINDS = {
    kind.name: kind
    for kind in [
        RecordKind("crossing", BorderCrossing, BorderCrossingForm, lambda p: p.crossings.all()),
        RecordKind("detention", Detention, DetentionForm, lambda p: p.detentions.all()),
        RecordKind(
            "proceeding",
            Proceeding,
            ProceedingForm,
            lambda p: Proceeding.objects.filter(persons=p),
            save=writes.save_shared_record,
            formsets=("participants", "citations"),
        ),
        RecordKind(
            "hearing",
            Hearing,
            HearingForm,
            lambda p: Hearing.objects.filter(proceeding__persons=p),
            needs_proceeding=True,
        ),
        RecordKind(
            "ruling",
            Ruling,
            RulingForm,
            lambda p: p.rulings.all(),
            save=writes.record_ruling,
            needs_proceeding=True,
        ),
        RecordKind("status", StatusDecision, StatusDecisionForm, lambda p: p.statuses.all()),
        RecordKind(
            "event",
            Event,
            EventForm,
            lambda p: Event.objects.filter(persons=p),
            save=writes.save_shared_record,
        ),
    ]
}


def _formsets(kind, data, record, user, masker):
    made = {}
    if "participants" in kind.formsets:
        made["participants"] = participant_formset(data, proceeding=record, masker=masker)
    made["citations"] = citation_formset(data, record=record, user=user, masker=masker)
    return made


def _initial(kind, request):
    """A link may preselect the proceeding of a new hearing or ruling: ?proceeding=<pk>."""
    if kind.needs_proceeding and request.GET.get("proceeding", "").isdigit():
        return {"proceeding": request.GET["proceeding"]}
    return {}


def delete_url(person, kind_name, pk):
    return reverse(f"edit:{kind_name}-delete", kwargs={"ref": person.ref, "pk": pk})


def _entry_url(person, kind_name, pk):
    return f"{person.get_absolute_url()}#entry-{kind_name}-{pk}"


def _record_form(request, person, kind, record):
    data = request.POST if request.method == "POST" else None
    instance = record or kind.model()
    # One masker for the whole page: the record's texts, its citations, the sources offered.
    offered = offered_sources(request.user)
    masker = edit_masker(request.user, person, record, sources=[source.pk for source in offered])
    form = kind.form(
        data,
        instance=instance,
        person=person,
        user=request.user,
        masker=masker,
        initial=_initial(kind, request) if record is None else None,
    )
    formsets = _formsets(kind, data, instance, request.user, masker)
    if data is not None:
        valid = [form.is_valid()] + [formset.is_valid() for formset in formsets.values()]
        if all(valid):
            options = {"version": form.cleaned_data.get("version")} if record else {}
            if "participants" in formsets:
                options["participants"] = formsets["participants"]
            try:
                saved = kind.save(form, formsets["citations"], **options)
            except StaleEdit as stale:
                if stale.current is None:
                    form.add_error(
                        None,
                        _(
                            "Someone else deleted this record after you opened the form; "
                            "nothing was saved. What you typed is below."
                        ),
                    )
                else:
                    form.refuse_as_stale(stale.current)
            except ValidationError as error:
                form.add_error(None, error)
            except IntegrityError:
                # Someone changed the same citations or participants at the same moment.
                form.add_error(
                    None,
                    _(
                        "Someone else changed this record's sources or participants at the "
                        "same time, so nothing was saved. Check the form and save again."
                    ),
                )
            else:
                message = _("%(kind)s saved.") if record else _("%(kind)s added.")
                messages.success(request, message % {"kind": kind.label})
                return redirect(_entry_url(person, kind.name, saved.pk))
    no_proceeding = kind.needs_proceeding and not form.fields["proceeding"].queryset.exists()
    context = {
        "person": person,
        "kind": kind,
        "record": record,
        "form": form,
        "participants": formsets.get("participants"),
        "citations": formsets["citations"],
        "source_options": source_options(offered, masker),
        "no_proceeding": no_proceeding,
        "shared": isinstance(form, SharedPersonsMixin),
        "formsets_invalid": any(fs.is_bound and not fs.is_valid() for fs in formsets.values()),
        "delete_url": delete_url(person, kind.name, record.pk) if record else "",
        "cancel_url": _entry_url(person, kind.name, record.pk)
        if record
        else person.get_absolute_url(),
    }
    status = 409 if form.conflicts else 200
    return render(request, "cases/edit/record_form.html", context, status=status)


def add_record(request, person, kind):
    return _record_form(request, person, KINDS[kind], None)


def edit_record(request, person, kind, pk):
    record = get_object_or_404(KINDS[kind].records(person), pk=pk)
    # A record shared with persons the lawyer does not represent is theirs to read only.
    writes.check_may_change(record, request.user)
    if request.method == "GET":
        record_read(request, person, AccessLogEntry.What.EDIT_FORM)
    return _record_form(request, person, KINDS[kind], record)


def delete_record(request, person, kind, pk):
    """GET asks for confirmation; POST deletes (or takes the person off a shared record)."""
    kind = KINDS[kind]
    record = get_object_or_404(kind.records(person), pk=pk)
    shared_with_others = hasattr(record, "persons") and (
        writes.persons_not_managed(record, request.user).exists()
    )
    if not shared_with_others:
        # Deleting it takes it from everyone: only whoever may change it (a hearing of a
        # shared proceeding needs every person of the proceeding).
        writes.check_may_change(record, request.user)
    if request.method == "POST":
        outcome = writes.delete_record(record, person=person, user=request.user)
        if outcome == "detached":
            message = _("%(kind)s removed from this person's case.")
        else:
            message = _("%(kind)s deleted.")
        messages.success(request, message % {"kind": kind.label})
        return redirect(person.get_absolute_url())
    proceedings, events = linked_records(record)
    masker = case_masker(
        request.user,
        person,
        proceedings=proceedings,
        events=events,
        sources=record.citations.values("source_id"),
    )
    context = {
        "person": person,
        "kind": kind,
        "record": record,
        # What the record says, without the names of persons the user may not see.
        "record_label": masker(str(record)),
        "shared_with_others": shared_with_others,
        "other_count": record.persons.exclude(pk=person.pk).count()
        if hasattr(record, "persons")
        else 0,
        "cancel_url": _entry_url(person, kind.name, pk),
    }
    return render(request, "cases/edit/confirm_delete.html", context)


def entry_permissions(person, user, entries):
    """What ``user`` may do with ``person``'s case and each entry of its timeline: one query.

    Returns ``(manages, editable, removable)``: whether the user manages the person, and two
    sets of entry anchors. An entry can be edited (and deleted) if the user may change its
    record (``managed_by``): a person's own records if they manage the person; a proceeding,
    its hearings and an event only if they manage every person it concerns. A shared record
    they may not change can still be taken off this person's case (``writes.delete_record``).
    """
    shared = {"proceeding": Proceeding, "event": Event}
    pks = {kind: [entry.pk for entry in entries if entry.kind == kind] for kind in shared}

    def rows(kind, queryset):
        label = Value(kind, output_field=CharField())
        return queryset.annotate(row_kind=label).values_list("row_kind", "pk").order_by()

    query = rows("person", Person.objects.managed_by(user).filter(pk=person.pk))
    for kind, model in shared.items():
        if pks[kind]:
            query = query.union(rows(kind, model.objects.managed_by(user).filter(pk__in=pks[kind])))
    found = set(query)
    if ("person", person.pk) not in found:
        return False, set(), set()
    editable, removable = set(), set()
    for entry in entries:
        if entry.kind in shared:
            may_change = (entry.kind, entry.pk) in found
            removable.add(entry.anchor)
        elif entry.kind == "hearing":
            # A hearing is part of its proceeding's shared content.
            proceeding_pk = entry.part_of.rsplit("-", 1)[-1]
            may_change = proceeding_pk.isdigit() and ("proceeding", int(proceeding_pk)) in found
        else:
            may_change = entry.kind in KINDS  # the person's own record
        if may_change:
            editable.add(entry.anchor)
            removable.add(entry.anchor)
    return True, editable, removable


def _timeline_choices(person, user):
    """The entries a new source may be cited for: those whose record the user may change."""
    entries = build_timeline(person, user).entries
    _manages, editable, _removable = entry_permissions(person, user, entries)
    return [
        (entry.anchor, f"{entry.date} — {entry.kind_label}: {entry.title}")
        for entry in entries
        if entry.anchor in editable
    ]


def add_source(request, person):
    """A new source, cited at once for some entries of the person's timeline."""
    data = request.POST if request.method == "POST" else None
    form = SourceCiteForm(
        data, person=person, user=request.user, entries=_timeline_choices(person, request.user)
    )
    if data is not None and form.is_valid():
        records = []
        for anchor in form.cited_anchors():
            kind_name, pk = anchor.rsplit("-", 1)
            records.append(get_object_or_404(KINDS[kind_name].records(person), pk=pk))
        writes.add_source(form, records, user=request.user)
        messages.success(request, _("Source added."))
        anchor = f"#entry-{form.cited_anchors()[0]}" if records else ""
        return redirect(person.get_absolute_url() + anchor)
    context = {"person": person, "form": form, "cancel_url": person.get_absolute_url()}
    return render(request, "cases/edit/source_form.html", context)
