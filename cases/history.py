"""A person's history: who changed what in their case, and when, as a readable before/after.

Read from the tables django-simple-history keeps for every model: the person, their name
variants and each record of their case (crossings, detentions, status decisions, rulings,
proceedings with their hearings and participants, events, citations), deleted ones included.

What a version shows is decided here, for every page that lists changes:

- a record is part of the person's case while it is theirs: a record moved to another person
  shows as "moved to another person" with nothing of what it became; one moved here shows
  as added, without what it was before;
- a shared record (proceeding, event) names only the persons the reader may see; a change
  after this person was taken off it is not shown;
- values read as a lawyer reads them: verbose field names, choices by their label, the three
  columns of an approximate date as one date, related rows by name.

``person_history`` makes a fixed number of queries: one per kind of record, one per shared
kind for its persons, then one per kind of related row named in the changes.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, Exists, F, IntegerField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casetracker.dates import ApproximateDate, approximate_attributes
from people.models import NameVariant, Person

from .masking import NO_MASKING, linked_persons, masker_for, sharing_a_record_with
from .models import (
    Authority,
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)

WITHHELD = gettext_lazy("a person whose name is withheld")
HIDDEN_PROCEEDING = gettext_lazy("a proceeding you may not see")
EMPTY = "—"


@dataclass(frozen=True)
class Kind:
    """One kind of row whose history belongs to a person's case."""

    name: str  # also the kind of its timeline entry, where it has one
    model: type
    label: str
    # How a version is tied to the person: "self" (the person), "person" (a foreign key),
    # "persons" (shared: many-to-many), "proceeding" (a part of a proceeding), "record"
    # (a citation of one of the records above).
    link: str
    on_timeline: bool = True

    @property
    def history(self):
        return self.model.history.model

    @property
    def m2m_names(self):
        return [m2m.name for m2m in self.history._history_m2m_fields]


KINDS = [
    Kind("person", Person, gettext_lazy("Person"), "self", on_timeline=False),
    Kind("variant", NameVariant, gettext_lazy("Name variant"), "person", on_timeline=False),
    Kind("crossing", BorderCrossing, gettext_lazy("Border crossing"), "person"),
    Kind("detention", Detention, gettext_lazy("Detention"), "person"),
    Kind("status", StatusDecision, gettext_lazy("Status decision"), "person"),
    Kind("ruling", Ruling, gettext_lazy("Ruling"), "person"),
    Kind("proceeding", Proceeding, gettext_lazy("Proceeding"), "persons"),
    Kind("event", Event, gettext_lazy("Event"), "persons"),
    Kind("hearing", Hearing, gettext_lazy("Hearing"), "proceeding"),
    Kind("participant", Participant, gettext_lazy("Participant"), "proceeding", on_timeline=False),
    Kind("citation", Citation, gettext_lazy("Citation"), "record", on_timeline=False),
]
KIND_BY_NAME = {kind.name: kind for kind in KINDS}
# The kinds of record a citation can cite (every record of a case; not names or persons).
CITED_KINDS = [
    kind for kind in KINDS if kind.link != "record" and kind.name not in ("person", "variant")
]

# The field whose change takes a row out of a person's case, by how the row is tied to them.
MOVED_BY = {
    "person": "person",
    "persons": "persons",
    "proceeding": "proceeding",
    "record": "content_type",
}

ACTIONS = {
    "added": gettext_lazy("added"),
    "changed": gettext_lazy("changed"),
    "deleted": gettext_lazy("deleted"),
    "moved_in": gettext_lazy("moved to this person"),
    "moved_out": gettext_lazy("moved to another person"),
}


@dataclass
class FieldChange:
    label: str
    before: str
    after: str


@dataclass
class Change:
    """One saved version of one row, as the reader may see it."""

    kind: Kind
    record_id: int
    history_id: int
    when: datetime.datetime
    user: object
    action: str
    label: str
    fields: list = field(default_factory=list)
    person_id: int | None = None  # the person of the case the change belongs to
    person: object = None  # that person, where the caller has them at hand

    @property
    def anchor(self):
        return f"change-{self.kind.name}-{self.history_id}"

    @property
    def kind_label(self):
        return self.kind.label

    @property
    def action_label(self):
        return ACTIONS[self.action]

    @property
    def who(self):
        if self.user is None:
            return _("no user (an import or a script)")
        return self.user.get_full_name() or self.user.get_username()

    @property
    def entry_anchor(self):
        """The anchor of the record's entry on the person's page, while it is there."""
        if not self.kind.on_timeline or self.action in ("deleted", "moved_out"):
            return ""
        return f"entry-{self.kind.name}-{self.record_id}"


# --- Reading values --------------------------------------------------------------------------


class Lookups:
    """The related rows the changes name, fetched once per kind, as the reader may see them."""

    def __init__(self, user):
        self.user = user
        self.wanted = {
            what: set() for what in ("authority", "source", "proceeding", "person", "user")
        }
        self.found = {}

    def want(self, what, pk):
        if pk is not None:
            self.wanted[what].add(pk)

    def load(self):
        if self.wanted["authority"]:
            self.found["authority"] = dict(
                Authority.objects.filter(pk__in=self.wanted["authority"]).values_list("pk", "name")
            )
        if self.wanted["source"]:
            self.found["source"] = {
                source.pk: str(source)
                for source in Source.objects.filter(pk__in=self.wanted["source"])
            }
        if self.wanted["proceeding"]:
            self.found["proceeding"] = {
                proceeding.pk: proceeding_label(proceeding, proceeding.authority.name)
                for proceeding in Proceeding.objects.visible_to(self.user)
                .filter(pk__in=self.wanted["proceeding"])
                .select_related("authority")
            }
        if self.wanted["person"]:
            self.found["person"] = dict(
                Person.objects.visible_to(self.user)
                .filter(pk__in=self.wanted["person"])
                .values_list("pk", "name")
            )
        if self.wanted["user"]:
            self.found["user"] = {
                user.pk: user.get_full_name() or user.get_username()
                for user in get_user_model().objects.filter(pk__in=self.wanted["user"])
            }

    def name(self, what, pk):
        if pk is None:
            return EMPTY
        found = self.found.get(what, {}).get(pk)
        if found is not None:
            return found
        if what == "person":
            return str(WITHHELD)
        if what == "proceeding":
            return str(HIDDEN_PROCEEDING)
        return _("(deleted)")

    def persons(self, pks):
        """Names of the persons the reader may see; the others are left out, not even
        counted: a count would confirm that a hidden person exists."""
        names = sorted(self.found.get("person", {})[pk] for pk in pks if self._visible(pk))
        return ", ".join(names) or EMPTY

    def _visible(self, pk):
        return pk in self.found.get("person", {})


def proceeding_label(proceeding, authority_name):
    label = _("%(kind)s case at %(authority)s") % {
        "kind": proceeding.get_kind_display(),
        "authority": authority_name,
    }
    return f"{label} ({proceeding.case_number})" if proceeding.case_number else label


def _date(version, name):
    return ApproximateDate(
        getattr(version, name),
        getattr(version, f"{name}_precision"),
        getattr(version, f"{name}_not_later_than"),
    )


def _choice(version, name):
    value = getattr(version, name)
    if value in (None, ""):
        return ""
    return str(dict(version._meta.get_field(name).flatchoices).get(value, value))


def record_label(kind, version, lookups):
    """A short description of one version of a row, from that version alone."""
    name = kind.name
    if name in ("person", "variant"):
        return version.name
    if name == "crossing":
        return _("%(origin)s → %(destination)s, %(date)s") % {
            "origin": version.from_country,
            "destination": version.to_country,
            "date": _date(version, "date"),
        }
    if name == "detention":
        return _("%(kind)s from %(start)s") % {
            "kind": _choice(version, "kind"),
            "start": _date(version, "start"),
        }
    if name == "status":
        return f"{_choice(version, 'status')}: {_choice(version, 'outcome')}, " + str(
            _date(version, "decided")
        )
    if name == "ruling":
        return f"{_choice(version, 'outcome')}, {_date(version, 'date')}"
    if name == "proceeding":
        return proceeding_label(version, lookups.name("authority", version.authority_id))
    if name == "hearing":
        return f"{version.title or _('hearing')}, {_date(version, 'date')}"
    if name == "participant":
        return f"{version.name} ({_choice(version, 'role')})"
    if name == "event":
        return f"{version.title}, {_date(version, 'date')}"
    if name == "citation":
        return lookups.name("source", version.source_id)
    return str(version.history_object)


def _want_related(kind, version, lookups, m2m_rows):
    for model_field in kind.model._meta.concrete_fields:
        if not model_field.many_to_one:
            continue
        target = {
            Authority: "authority",
            Source: "source",
            Proceeding: "proceeding",
            Person: "person",
        }.get(model_field.related_model)
        if target:
            lookups.want(target, getattr(version, model_field.attname))
    for pks in m2m_rows.get(version.history_id, {}).values():
        for pk in pks:
            lookups.want("user" if kind.name == "person" else "person", pk)


def _value(model_field, value, lookups):
    if value in (None, ""):
        return EMPTY
    if model_field.choices:
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.get_internal_type() == "BooleanField":
        return _("yes") if value else _("no")
    if model_field.many_to_one:
        related = model_field.related_model
        if related is ContentType:
            return str(capfirst(ContentType.objects.get_for_id(value).name))
        what = {
            Authority: "authority",
            Source: "source",
            Proceeding: "proceeding",
            Person: "person",
        }.get(related)
        return lookups.name(what, value) if what else str(value)
    return str(value)


class Differ:
    """Turns versions of one kind into readable field changes."""

    def __init__(self, kind, lookups, m2m_rows):
        self.kind = kind
        self.lookups = lookups
        self.m2m_rows = m2m_rows  # history_id -> {m2m name: [pks]}
        self.dates = approximate_attributes(kind.model)
        self.date_columns = {
            column: name
            for name in self.dates
            for column in (name, f"{name}_precision", f"{name}_not_later_than")
        }
        # Fields a lawyer reads, in the model's order; the bookkeeping ones left out.
        self.order = [
            model_field.name
            for model_field in kind.model._meta.concrete_fields
            if model_field.editable and not model_field.primary_key
        ] + self.kind.m2m_names
        self.hidden = {"object_id"}

    def label(self, name):
        if name == "content_type":
            return _("Cited for")
        model_field = self.kind.model._meta.get_field(name)
        return str(capfirst(model_field.verbose_name))

    def _m2m_display(self, name, pks):
        if self.kind.name == "person":
            return ", ".join(sorted(self.lookups.name("user", pk) for pk in pks)) or EMPTY
        return self.lookups.persons(pks)

    def _rows(self, version, name):
        return self.m2m_rows.get(version.history_id, {}).get(name, [])

    def display(self, version, name):
        if name in self.kind.m2m_names:
            return self._m2m_display(name, self._rows(version, name))
        if name in self.dates:
            return str(_date(version, name)) or EMPTY
        model_field = self.kind.model._meta.get_field(name)
        return _value(model_field, getattr(version, model_field.attname), self.lookups)

    def _names(self, changed):
        """Changed columns as field names: a date's three columns count once."""
        names = {self.date_columns.get(column, column) for column in changed}
        return [name for name in self.order if name in names and name not in self.hidden]

    def between(self, old, new):
        changed = [
            change.field
            for change in new.diff_against(old, excluded_fields=self.kind.m2m_names).changes
        ]
        changed += [
            name for name in self.kind.m2m_names if self._rows(old, name) != self._rows(new, name)
        ]
        return [
            FieldChange(self.label(name), self.display(old, name), self.display(new, name))
            for name in self._names(changed)
        ]

    def values(self, version, *, as_before=False):
        """Every field with a value, for an added or deleted row.

        The person of a person's record goes without saying on that person's history.
        """
        changes = []
        for name in self._names(self.order):
            if name == "person" and self.kind.link == "person":
                continue
            shown = self.display(version, name)
            if shown == EMPTY:
                continue
            before, after = (shown, EMPTY) if as_before else (EMPTY, shown)
            changes.append(FieldChange(self.label(name), before, after))
        return changes

    def only(self, old, new, names):
        return [
            FieldChange(self.label(name), self.display(old, name), self.display(new, name))
            for name in names
        ]


# --- One person's history --------------------------------------------------------------------


def _content_types():
    """Content type ids of the cited kinds, by kind name: one query, then Django's cache."""
    by_model = ContentType.objects.get_for_models(*[kind.model for kind in CITED_KINDS])
    return {kind.name: by_model[kind.model].pk for kind in CITED_KINDS}


def _m2m_model(kind, m2m):
    """The historical table of one many-to-many field (e.g. HistoricalProceeding_persons)."""
    return next(
        related.related_model
        for related in kind.history._meta.related_objects
        if related.related_model._meta.model_name == f"{kind.history._meta.model_name}_{m2m}"
    )


def _sequences(versions):
    by_record = {}
    for version in versions:
        by_record.setdefault(version.id, []).append(version)
    for sequence in by_record.values():
        sequence.sort(key=lambda version: (version.history_date, version.history_id))
    return by_record


def _walk(sequence, belongs):
    """(action, version, previous) for the versions of one row while it was the person's."""
    previous, previous_in = None, False
    for version in sequence:
        now_in = belongs(version, previous, previous_in)
        if now_in:
            if version.history_type == "-":
                action = "deleted"
            elif previous is None or version.history_type == "+":
                action = "added"
            elif not previous_in:
                action = "moved_in"
            else:
                action = "changed"
            yield action, version, previous
        elif previous_in:
            yield "moved_out", version, previous
        previous, previous_in = version, now_in


def _fetch(kind, condition, *, prefetch_m2m=False):
    """The versions of ``kind`` matching ``condition``, and (for shared kinds) their persons."""
    versions = kind.history.objects.filter(condition)
    rows = _m2m_rows_for(kind, versions.values("history_id")) if prefetch_m2m else {}
    return list(versions.select_related("history_user")), rows


def _m2m_rows_for(kind, history_ids):
    rows = {}
    for m2m_name in kind.m2m_names:
        through = _m2m_model(kind, m2m_name)
        target = "user" if kind.name == "person" else "person"
        for history_id, pk in through.objects.filter(history_id__in=history_ids).values_list(
            "history_id", f"{target}_id"
        ):
            rows.setdefault(history_id, {}).setdefault(m2m_name, []).append(pk)
    for names in rows.values():
        for pks in names.values():
            pks.sort()
    return rows


def person_history(person, user):
    """Every change to ``person`` and their case that ``user`` may read, newest first.

    The caller has checked that ``user`` manages the person: the history shows the internal
    notes as they were.
    """
    lookups = Lookups(user)
    fetched = {}  # kind name -> (versions, m2m rows)

    fetched["person"] = _fetch(KIND_BY_NAME["person"], Q(id=person.pk), prefetch_m2m=True)
    for kind in KINDS:
        if kind.link == "person":
            ever = kind.history.objects.filter(person_id=person.pk).values("id")
            fetched[kind.name] = _fetch(kind, Q(id__in=ever))
        elif kind.link == "persons":
            through = _m2m_model(kind, "persons")
            ever = through.objects.filter(person_id=person.pk).values(
                f"{kind.model._meta.model_name}_id"
            )
            fetched[kind.name] = _fetch(kind, Q(id__in=ever), prefetch_m2m=True)

    planned = []  # (kind, action, version, previous)
    cutoffs = {}  # proceeding id -> when this person was taken off it
    records = {}  # kind name -> ids of the rows that were part of the case

    def plan(kind, belongs):
        versions, _rows = fetched[kind.name]
        for record_id, sequence in _sequences(versions).items():
            for action, version, previous in _walk(sequence, belongs):
                planned.append((kind, action, version, previous))
                records.setdefault(kind.name, set()).add(record_id)
                if kind.name == "proceeding":
                    if action == "moved_out":
                        cutoffs[record_id] = version.history_date
                    else:
                        cutoffs.pop(record_id, None)

    plan(KIND_BY_NAME["person"], lambda version, previous, previous_in: True)
    for kind in KINDS:
        if kind.link == "person":
            plan(kind, lambda version, previous, previous_in: version.person_id == person.pk)
        elif kind.link == "persons":
            rows = fetched[kind.name][1]

            def shared_belongs(version, previous, previous_in, rows=rows):
                pks = rows.get(version.history_id, {}).get("persons", [])
                if pks:
                    return person.pk in pks
                # Created before its persons were added, deleted after they were removed.
                return previous is None or previous_in

            plan(kind, shared_belongs)

    proceeding_ids = records.get("proceeding", set())
    for kind in KINDS:
        if kind.link == "proceeding":
            fetched[kind.name] = _fetch(kind, Q(proceeding_id__in=proceeding_ids))

            def part_belongs(version, previous, previous_in):
                if version.proceeding_id not in proceeding_ids:
                    return False
                cutoff = cutoffs.get(version.proceeding_id)
                return cutoff is None or version.history_date <= cutoff

            plan(kind, part_belongs)

    content_types = _content_types()
    cited = Q(pk__in=[])
    for kind in CITED_KINDS:
        if records.get(kind.name):
            cited |= Q(content_type_id=content_types[kind.name], object_id__in=records[kind.name])
    citation = KIND_BY_NAME["citation"]
    fetched["citation"] = _fetch(citation, cited)
    cited_pairs = {
        (content_types[kind.name], pk) for kind in CITED_KINDS for pk in records.get(kind.name, ())
    }
    plan(
        citation,
        lambda version, previous, previous_in: (
            (version.content_type_id, version.object_id) in cited_pairs
        ),
    )

    for kind, _action, version, previous in planned:
        rows = fetched[kind.name][1]
        _want_related(kind, version, lookups, rows)
        if previous is not None:
            _want_related(kind, previous, lookups, rows)
    lookups.load()

    differs = {kind.name: Differ(kind, lookups, fetched[kind.name][1]) for kind in KINDS}
    changes = []
    for kind, action, version, previous in planned:
        differ = differs[kind.name]
        if action in ("added", "moved_in"):
            fields = differ.values(version)
        elif action == "deleted":
            fields = differ.values(previous or version, as_before=True)
        elif action == "moved_out":
            fields = differ.only(previous, version, [MOVED_BY[kind.link]])
        else:
            fields = differ.between(previous, version)
            if not fields:
                continue  # saved without a change (a form saved as it was)
        shown = previous if action in ("moved_out", "deleted") and previous else version
        changes.append(
            Change(
                kind=kind,
                record_id=version.id,
                history_id=version.history_id,
                when=version.history_date,
                user=version.history_user,
                action=action,
                label=record_label(kind, shown, lookups),
                fields=fields,
                person_id=person.pk,
            )
        )
    changes = _withhold_names(changes, person, user, records, fetched, lookups)
    changes.sort(key=lambda change: (change.when, change.history_id), reverse=True)
    return changes


def _withhold_names(changes, person, user, records, fetched, lookups):
    """The changes with the names of the persons ``user`` may not see who shared a record or
    a cited source with ``person`` withheld from their typed text (one query); a field whose
    change is then invisible is left out, and a change left with no field too."""
    sources = {version.source_id for version in fetched["citation"][0]}
    linked = linked_persons(
        proceedings=list(records.get("proceeding", ())),
        events=list(records.get("event", ())),
        sources=list(sources),
    )
    keep = [person.name, *lookups.found.get("person", {}).values()]
    masker = masker_for(user, linked, keep=keep)
    shown = []
    for change in changes:
        had_fields = bool(change.fields)
        change.label = masker(change.label)
        change.fields = [
            FieldChange(item.label, masker(item.before), masker(item.after))
            for item in change.fields
        ]
        change.fields = [item for item in change.fields if item.before != item.after]
        if change.fields or not had_fields:
            shown.append(change)
    return shown


# --- Recent changes on a caseload (the lawyer's home) ------------------------------------------


def recent_changes(persons, user, *, since, limit=15):
    """Changes made by someone other than ``user`` since ``since`` on the cases of ``persons``.

    ``persons`` is a queryset of persons ``user`` manages. Newest first, one row per record
    (its latest change), "added" when the same user also created it in the window (a new
    proceeding is saved, then its persons are added). One query per kind of row, plus one
    for the names the labels use.
    """
    scope = persons.values("pk")
    lookups = Lookups(user)
    found = []  # (kind, version, person id)
    per_kind = limit * 4
    for kind in KINDS:
        versions = kind.history.objects.filter(history_date__gte=since).exclude(history_user=user)
        versions = _in_scope(kind, versions, scope)
        versions = versions.select_related("history_user").order_by("-history_date", "-history_id")
        for version in versions[:per_kind]:
            found.append((kind, version, version.scope_person))
    latest = {}
    created = set()
    for kind, version, person_id in sorted(
        found, key=lambda item: (item[1].history_date, item[1].history_id), reverse=True
    ):
        key = (kind.name, version.id)
        if version.history_type == "+":
            created.add((*key, version.history_user_id))
        latest.setdefault(key, (kind, version, person_id))
    chosen = sorted(
        latest.values(), key=lambda item: (item[1].history_date, item[1].history_id), reverse=True
    )[:limit]
    for kind, version, _person_id in chosen:
        # Only what the labels name: the court of a proceeding, the source of a citation.
        if kind.name == "proceeding":
            lookups.want("authority", version.authority_id)
        elif kind.name == "citation":
            lookups.want("source", version.source_id)
    lookups.load()
    masker = _label_masker(chosen, scope, user)
    changes = []
    for kind, version, person_id in chosen:
        if version.history_type == "-":
            action = "deleted"
        elif (kind.name, version.id, version.history_user_id) in created:
            action = "added"
        else:
            action = "changed"
        changes.append(
            Change(
                kind=kind,
                record_id=version.id,
                history_id=version.history_id,
                when=version.history_date,
                user=version.history_user,
                action=action,
                label=masker(record_label(kind, version, lookups)),
                person_id=person_id,
            )
        )
    return changes


# Labels made of typed text: a title, a participant's name, a source's title.
TYPED_LABELS = {"hearing", "event", "participant", "citation"}


def _label_masker(chosen, scope, user):
    """Withholds from the labels the names of the persons ``user`` may not see who share a
    record or a cited source with the caseload (one query, only where a label is typed)."""
    if not any(kind.name in TYPED_LABELS for kind, _version, _person in chosen):
        return NO_MASKING
    sources = [version.source_id for kind, version, _p in chosen if kind.name == "citation"]
    linked = sharing_a_record_with(scope) | linked_persons(sources=sources)
    return masker_for(user, linked)


def _in_scope(kind, versions, scope):
    """Versions of rows of the persons in ``scope``, each annotated with one of them."""
    if kind.link == "self":
        return versions.filter(id__in=scope).annotate(scope_person=F("id"))
    if kind.link == "person":
        return versions.filter(person_id__in=scope).annotate(scope_person=F("person_id"))
    if kind.link == "persons":
        through = _m2m_model(kind, "persons")
        own = f"{kind.model._meta.model_name}_id"
        in_version = through.objects.filter(history_id=OuterRef("history_id"))
        ours = in_version.filter(person_id__in=scope)
        ever = through.objects.filter(**{own: OuterRef("id"), "person_id__in": scope})
        return versions.filter(Exists(ever), Q(Exists(ours)) | ~Q(Exists(in_version))).annotate(
            scope_person=Coalesce(
                Subquery(ours.values("person_id")[:1]), Subquery(ever.values("person_id")[:1])
            )
        )
    if kind.link == "proceeding":
        through = _m2m_model(KIND_BY_NAME["proceeding"], "persons")
        ever = through.objects.filter(
            proceeding_id=OuterRef("proceeding_id"), person_id__in=scope
        ).values("person_id")[:1]
        return versions.annotate(scope_person=Subquery(ever)).filter(scope_person__isnull=False)
    # Citations: of a row of one of the kinds above, through that row's own history.
    whens = []
    content_types = _content_types()
    for cited in CITED_KINDS:
        of_row = _in_scope(cited, cited.history.objects.filter(id=OuterRef("object_id")), scope)
        whens.append((content_types[cited.name], Subquery(of_row.values("scope_person")[:1])))
    return versions.annotate(
        scope_person=Case(
            *[When(content_type_id=pk, then=subquery) for pk, subquery in whens],
            output_field=IntegerField(),
        )
    ).filter(scope_person__isnull=False)
