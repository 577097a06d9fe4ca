"""Exports: the lossless JSON of persons and their cases, and two plain sheets.

Who gets what is decided once, by ``ExportScope``: the persons the user may see
(``Person.objects.visible_to``), narrowed by the directory's filters when a view passes them;
which of those persons the user manages (internal notes and assigned lawyers go to managers
only); and whether the export is *complete* — an admin exporting everything, when sources,
authorities and shared records that no exported person is linked to are included too, so the
file is a full copy of the database. Shared records (proceedings, events) list only the persons
the export contains, so they never name a person the reader may not see.

The JSON (``iter_json``) is what ``cases.imports`` reads back. Each record carries a ``key``:
its kind and a short hash of its natural fields (a crossing: its date and the two countries),
with ``-2``, ``-3``… on records whose natural fields are equal. Keys are computed from the
data, never from database ids, so "export, import into an empty database, export again" gives
the same bytes, and an import finds the record to update by its key. Database ids, timestamps
and history are not exported.

The sheets (``person_rows``, ``entry_rows``) are for people: one row per person, and one row
per timeline entry as ``cases.timeline.build_timelines`` gives it. ``iter_csv`` streams them
and ``write_xlsx`` writes both into one workbook. Persons are read in fixed-size chunks
(``.iterator(chunk_size=…)``, with their related rows prefetched, or their timelines built
together, per chunk), so memory stays flat however many persons there are.
"""

import csv
import datetime
import gc
import hashlib
import io
import json
from collections import defaultdict
from contextlib import closing
from dataclasses import dataclass
from functools import cached_property

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q, Value
from django.utils.translation import gettext

from casetracker.dates import approximate_attributes
from people.models import NameVariant, Person, is_admin

from .masking import NO_MASKING, linked_persons, masker_for
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
from .timeline import build_timelines, current_status, date_text

FORMAT = "casetracker"
VERSION = 1
CHUNK_SIZE = 500


def in_chunks(queryset):
    """The rows of ``queryset`` read ``CHUNK_SIZE`` at a time, for flat memory.

    Prefetched rows and the instance they belong to point at each other, so a finished chunk
    is freed only by the cycle collector, which runs rarely: collecting after each chunk keeps
    the peak the same for 1,000 or 10,000 persons (see bench/export_csv.py).
    """
    for count, row in enumerate(queryset.iterator(chunk_size=CHUNK_SIZE), 1):
        yield row
        if count % CHUNK_SIZE == 0:
            gc.collect()


# --- Record kinds ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordKind:
    """How one kind of record is written to JSON and matched again on import.

    ``columns`` are model fields exported as they are, a date name standing for its three
    columns; ``references`` are exported names that point at other records (an authority by
    name and country, persons by reference, a proceeding by key); ``natural`` are the exported
    names whose values make the record's key.
    """

    name: str
    model: type
    columns: tuple
    references: tuple = ()
    natural: tuple = ()

    def column_names(self):
        return expand_dates(self.model, self.columns)

    def natural_names(self):
        return expand_dates(self.model, self.natural)


def expand_dates(model, names):
    """Model column names, each approximate date spread into its three columns."""
    dates = approximate_attributes(model)
    expanded = []
    for name in names:
        if name in dates:
            expanded += [name, f"{name}_precision", f"{name}_not_later_than"]
        else:
            expanded.append(name)
    return expanded


AUTHORITY = RecordKind("authority", Authority, ("name", "kind", "town", "country", "other_names"))
SOURCE = RecordKind(
    "source",
    Source,
    ("kind", "title", "publisher", "url", "published", "date_note", "language"),
    natural=("title", "publisher", "published"),
)
PERSON = RecordKind(
    "person",
    Person,
    (
        "ref",
        "name",
        "sex",
        "birth_year",
        "birth_year_is_approximate",
        "ethnicity",
        "citizenship",
        "place_of_origin",
        "visibility",
        "public_summary",
    ),
)
# Only for those who manage the person.
PERSON_MANAGER_COLUMNS = ("internal_notes",)
VARIANT = RecordKind("variant", NameVariant, ("name", "script", "note"))
CROSSING = RecordKind(
    "crossing",
    BorderCrossing,
    ("date", "from_country", "to_country", "place", "method", "reason"),
    natural=("date", "from_country", "to_country"),
)
DETENTION = RecordKind(
    "detention",
    Detention,
    ("kind", "start", "end", "place", "description"),
    references=("authority",),
    natural=("kind", "start"),
)
STATUS = RecordKind(
    "status",
    StatusDecision,
    ("status", "outcome", "decided", "valid_from", "valid_until", "note"),
    references=("authority", "proceeding"),
    natural=("status", "outcome", "decided"),
)
PROCEEDING = RecordKind(
    "proceeding",
    Proceeding,
    ("kind", "case_number", "charge", "description"),
    references=("authority", "persons"),
    natural=("kind", "authority", "case_number", "persons"),
)
PARTICIPANT = RecordKind("participant", Participant, ("name", "role", "note"))
HEARING = RecordKind(
    "hearing",
    Hearing,
    ("date", "title", "place", "summary"),
    natural=("date", "title"),
)
RULING = RecordKind(
    "ruling",
    Ruling,
    (
        "date",
        "outcome",
        "sentence_kind",
        "sentence_months",
        "removal",
        "pre_trial_credit",
        "summary",
    ),
    references=("person",),
    natural=("person", "date"),
)
EVENT = RecordKind(
    "event",
    Event,
    ("kind", "title", "date", "place", "description"),
    references=("authority", "persons"),
    natural=("kind", "title", "date", "persons"),
)


def plain(value):
    """A column value as JSON holds it: dates as ISO strings."""
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


# Typed text in which a person the reader may not see can be named (cases/masking.py).
MASKED_COLUMNS = {
    "title",
    "publisher",
    "date_note",
    "public_summary",
    "internal_notes",
    "place",
    "reason",
    "description",
    "note",
    "charge",
    "summary",
    "quote",
}


def columns(kind, instance, masker=NO_MASKING):
    data = {name: plain(getattr(instance, name)) for name in kind.column_names()}
    return withhold_names(data, masker)


def withhold_names(data, masker):
    """``data`` with hidden persons' names withheld from its typed text, and no address
    that spells one out."""
    if masker:
        for name in MASKED_COLUMNS.intersection(data):
            data[name] = masker(data[name])
        if masker.names_someone_in_address(data.get("url")):
            data["url"] = ""
    return data


def authority_reference(authority):
    if authority is None:
        return None
    return {"name": authority.name, "country": authority.country}


def canonical(value):
    return json.dumps(value, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def key_base(kind, data):
    """The kind and a hash of the natural fields: the key before any ``-2`` suffix."""
    natural = [data.get(name) for name in kind.natural_names()]
    digest = hashlib.sha256(canonical([kind.name, natural]).encode()).hexdigest()[:10]
    return f"{kind.name}-{digest}"


def assign_keys(kind, items):
    """Give each (data, instance) pair a key; return [(key, data, instance)] sorted by key.

    Records with equal natural fields share a base and are told apart by ``-2``, ``-3``… in
    the order of their whole content, so the suffix depends on the data alone.
    """
    groups = defaultdict(list)
    for data, instance in items:
        groups[key_base(kind, data)].append((data, instance))
    keyed = []
    for base, members in groups.items():
        members.sort(key=lambda member: canonical(member[0]))
        for number, (data, instance) in enumerate(members, 1):
            keyed.append((base if number == 1 else f"{base}-{number}", data, instance))
    keyed.sort(key=lambda item: item[0])
    return keyed


def with_key(key, data):
    return {"key": key, **data}


# --- Scope ----------------------------------------------------------------------------------


def export_superuser():
    """The reader of an export made without a user: an unsaved superuser, who sees everything.

    Only management commands use it (whoever runs them can read the database anyway); it is
    never saved and never signs in.
    """
    return get_user_model()(username="export_cases", is_superuser=True, is_active=True)


@dataclass
class ExportScope:
    user: object
    persons: object  # a Person queryset, each visible to ``user``
    complete: bool  # an admin's export of everything: unlinked reference data too

    @classmethod
    def for_user(cls, user, persons=None):
        """What ``user`` may export; ``persons`` narrows it (the directory's filters)."""
        visible = Person.objects.visible_to(user)
        if persons is None:
            return cls(user, visible, complete=is_admin(user))
        # A plain queryset of the chosen persons: whatever a filter joined or annotated, each
        # person once, in the usual order.
        chosen = Person.objects.filter(pk__in=persons.order_by().values("pk"))
        return cls(user, chosen.filter(pk__in=visible.values("pk")), complete=False)

    @classmethod
    def everything(cls):
        return cls.for_user(export_superuser())

    def with_managed(self, persons):
        """Annotate ``export_managed``: may the user read this person's internal fields?"""
        if is_admin(self.user):
            return persons.annotate(export_managed=Value(True))
        if not self.user.is_authenticated:
            return persons.annotate(export_managed=Value(False))
        managed = Person.objects.managed_by(self.user).filter(pk=OuterRef("pk"))
        return persons.annotate(export_managed=Exists(managed))

    @cached_property
    def person_ids(self):
        return self.persons.order_by().values("pk")

    def _shared(self, model):
        if self.complete:
            return model.objects.all()
        through = model.persons.through
        link = through.objects.filter(
            **{model._meta.model_name: OuterRef("pk"), "person__in": self.person_ids}
        )
        return model.objects.filter(Exists(link))

    def proceedings(self):
        return self._shared(Proceeding)

    def events(self):
        return self._shared(Event)

    def records(self):
        """Every record kind that can cite a source, as querysets within the scope."""
        proceedings = self.proceedings().values("pk")
        return {
            BorderCrossing: BorderCrossing.objects.filter(person__in=self.person_ids),
            Detention: Detention.objects.filter(person__in=self.person_ids),
            StatusDecision: StatusDecision.objects.filter(person__in=self.person_ids),
            Ruling: Ruling.objects.filter(person__in=self.person_ids),
            Proceeding: self.proceedings(),
            Participant: Participant.objects.filter(proceeding__in=proceedings),
            Hearing: Hearing.objects.filter(proceeding__in=proceedings),
            Event: self.events(),
        }

    def sources(self):
        if self.complete:
            return Source.objects.all()
        cited = Q(pk__in=[])
        for model, records in self.records().items():
            content_type = ContentType.objects.get_for_model(model)
            cited |= Q(content_type=content_type, object_id__in=records.values("pk"))
        return Source.objects.filter(pk__in=Citation.objects.filter(cited).values("source"))

    @cached_property
    def masker(self):
        """Withholds from typed text the names of the persons the user may not see who share a
        record or a cited source with an exported person (cases/masking.py)."""
        if self.complete:
            return NO_MASKING
        # Ids read first: the nested subqueries together would be too deep for SQLite.
        linked = linked_persons(
            proceedings=list(self.proceedings().values_list("pk", flat=True)),
            events=list(self.events().values_list("pk", flat=True)),
            sources=list(self.sources().values_list("pk", flat=True)),
        )
        keep = self.persons.order_by().values_list("name", flat=True)
        return masker_for(self.user, linked, keep=list(keep))

    def authorities(self):
        if self.complete:
            return Authority.objects.all()
        records = self.records()
        used = Q(pk__in=[])
        for model in [Detention, StatusDecision, Proceeding, Event]:
            used |= Q(pk__in=records[model].values("authority"))
        return Authority.objects.filter(used)


# --- JSON -----------------------------------------------------------------------------------


def _citations(instance, source_keys, masker=NO_MASKING):
    cited = [
        {
            "source": source_keys[citation.source_id],
            "quote": masker(citation.quote),
            "confidence": citation.confidence,
        }
        for citation in instance.citations.all()
    ]
    return sorted(cited, key=lambda citation: citation["source"])


def _by_date(keyed, date_name):
    """Keyed records in chronological order, ties broken by key."""
    return sorted(
        keyed, key=lambda item: (getattr(item[2], f"approx_{date_name}").sort_key(), item[0])
    )


def source_data(source, masker=NO_MASKING):
    return columns(SOURCE, source, masker)


def keyed_sources(sources, masker=NO_MASKING):
    return assign_keys(SOURCE, [(source_data(source, masker), source) for source in sources])


def crossing_data(crossing, source_keys, masker=NO_MASKING):
    return {
        **columns(CROSSING, crossing, masker),
        "citations": _citations(crossing, source_keys, masker),
    }


def detention_data(detention, source_keys, masker=NO_MASKING):
    return {
        "authority": authority_reference(detention.authority),
        **columns(DETENTION, detention, masker),
        "citations": _citations(detention, source_keys, masker),
    }


def status_data(status, source_keys, proceeding_keys, masker=NO_MASKING):
    return {
        "authority": authority_reference(status.authority),
        "proceeding": proceeding_keys.get(status.proceeding_id),
        **columns(STATUS, status, masker),
        "citations": _citations(status, source_keys, masker),
    }


def participant_data(participant, source_keys, masker=NO_MASKING):
    return {
        **columns(PARTICIPANT, participant, masker),
        "citations": _citations(participant, source_keys, masker),
    }


def hearing_data(hearing, source_keys, masker=NO_MASKING):
    return {
        **columns(HEARING, hearing, masker),
        "citations": _citations(hearing, source_keys, masker),
    }


def ruling_data(ruling, source_keys, masker=NO_MASKING):
    return {
        "person": ruling.person.ref,
        **columns(RULING, ruling, masker),
        "citations": _citations(ruling, source_keys, masker),
    }


def proceeding_data(proceeding, source_keys, masker=NO_MASKING):
    """A proceeding with its parts; ``persons`` and ``rulings`` as prefetched by the caller."""
    participants = sorted(
        (participant_data(p, source_keys, masker) for p in proceeding.participants.all()),
        key=lambda data: (data["role"], data["name"]),
    )
    hearings = [
        with_key(key, data)
        for key, data, _hearing in _by_date(
            assign_keys(
                HEARING,
                [(hearing_data(h, source_keys, masker), h) for h in proceeding.hearings.all()],
            ),
            "date",
        )
    ]
    rulings = [
        with_key(key, data)
        for key, data, _ruling in _by_date(
            assign_keys(
                RULING, [(ruling_data(r, source_keys, masker), r) for r in proceeding.rulings.all()]
            ),
            "date",
        )
    ]
    return {
        "authority": authority_reference(proceeding.authority),
        "persons": sorted(person.ref for person in proceeding.persons.all()),
        **columns(PROCEEDING, proceeding, masker),
        "participants": participants,
        "hearings": hearings,
        "rulings": rulings,
        "citations": _citations(proceeding, source_keys, masker),
    }


def event_data(event, source_keys, masker=NO_MASKING):
    return {
        "authority": authority_reference(event.authority),
        "persons": sorted(person.ref for person in event.persons.all()),
        **columns(EVENT, event, masker),
        "citations": _citations(event, source_keys, masker),
    }


def person_data(person, source_keys, proceeding_keys, managed, masker=NO_MASKING):
    """One person with every record of their own; ``managed`` adds notes and lawyers."""
    data = columns(PERSON, person, masker)
    if managed:
        data.update({name: masker(getattr(person, name)) for name in PERSON_MANAGER_COLUMNS})
        data["lawyers"] = sorted(user.get_username() for user in person.lawyers.all())
    data["variants"] = sorted(
        (columns(VARIANT, variant, masker) for variant in person.variants.all()),
        key=lambda variant: (variant["script"], variant["name"]),
    )
    crossings = assign_keys(
        CROSSING, [(crossing_data(c, source_keys, masker), c) for c in person.crossings.all()]
    )
    detentions = assign_keys(
        DETENTION, [(detention_data(d, source_keys, masker), d) for d in person.detentions.all()]
    )
    statuses = assign_keys(
        STATUS,
        [(status_data(s, source_keys, proceeding_keys, masker), s) for s in person.statuses.all()],
    )
    data["crossings"] = [with_key(k, d) for k, d, _c in _by_date(crossings, "date")]
    data["detentions"] = [with_key(k, d) for k, d, _d in _by_date(detentions, "start")]
    data["statuses"] = [with_key(k, d) for k, d, _s in _by_date(statuses, "decided")]
    return data


def citations_prefetch():
    return Prefetch("citations", queryset=Citation.objects.order_by())


def person_records_prefetch():
    """What ``person_data`` reads, for a Person queryset: a fixed number of queries."""
    return [
        "variants",
        "lawyers",
        Prefetch(
            "crossings", queryset=BorderCrossing.objects.prefetch_related(citations_prefetch())
        ),
        Prefetch(
            "detentions",
            queryset=Detention.objects.select_related("authority").prefetch_related(
                citations_prefetch()
            ),
        ),
        Prefetch(
            "statuses",
            queryset=StatusDecision.objects.select_related("authority").prefetch_related(
                citations_prefetch()
            ),
        ),
    ]


def proceedings_prefetch(persons):
    """What ``proceeding_data`` reads; ``persons`` limits who is named (the export's persons)."""
    return [
        Prefetch("persons", queryset=Person.objects.filter(pk__in=persons).only("pk", "ref")),
        Prefetch(
            "participants", queryset=Participant.objects.prefetch_related(citations_prefetch())
        ),
        Prefetch("hearings", queryset=Hearing.objects.prefetch_related(citations_prefetch())),
        Prefetch(
            "rulings",
            queryset=Ruling.objects.filter(person__in=persons)
            .select_related("person")
            .prefetch_related(citations_prefetch()),
        ),
        citations_prefetch(),
    ]


def keyed_proceedings(proceedings, persons, source_keys, masker=NO_MASKING):
    proceedings = proceedings.select_related("authority").prefetch_related(
        *proceedings_prefetch(persons)
    )
    return assign_keys(
        PROCEEDING, [(proceeding_data(p, source_keys, masker), p) for p in proceedings]
    )


def keyed_events(events, persons, source_keys, masker=NO_MASKING):
    events = events.select_related("authority").prefetch_related(
        Prefetch("persons", queryset=Person.objects.filter(pk__in=persons).only("pk", "ref")),
        citations_prefetch(),
    )
    return assign_keys(EVENT, [(event_data(e, source_keys, masker), e) for e in events])


def _dumps(value, indent):
    text = json.dumps(value, indent=2, ensure_ascii=False)
    return text.replace("\n", "\n" + " " * indent)


def iter_json(scope, progress=None):
    """The export as JSON text, in pieces: persons are read and written chunk by chunk.

    ``progress`` is called with the number of persons written so far after each one.
    """
    with transaction.atomic():
        # One transaction: PostgreSQL then reads the persons through a cursor as they are
        # written, instead of running the whole query first.
        masker = scope.masker
        sources = keyed_sources(scope.sources(), masker)
        source_keys = {source.pk: key for key, _data, source in sources}
        proceedings = keyed_proceedings(scope.proceedings(), scope.person_ids, source_keys, masker)
        proceeding_keys = {proceeding.pk: key for key, _data, proceeding in proceedings}
        authorities = sorted(
            (columns(AUTHORITY, authority) for authority in scope.authorities()),
            key=lambda data: (data["country"], data["name"]),
        )
        yield f'{{\n  "format": "{FORMAT}",\n  "version": {VERSION},\n'
        yield f'  "authorities": {_dumps(authorities, 2)},\n'
        sources_data = [with_key(key, data) for key, data, _source in sources]
        sources_data.sort(key=lambda data: (data["published"] or "", data["title"], data["key"]))
        yield f'  "sources": {_dumps(sources_data, 2)},\n'
        yield '  "persons": ['
        persons = scope.with_managed(scope.persons).prefetch_related(*person_records_prefetch())
        count = 0
        for person in in_chunks(persons):
            data = person_data(person, source_keys, proceeding_keys, person.export_managed, masker)
            yield ("\n    " if count == 0 else ",\n    ") + _dumps(data, 4)
            count += 1
            if progress:
                progress(count)
        yield "\n  ],\n" if count else "],\n"
        proceedings_data = sorted(
            (with_key(key, data) for key, data, _p in proceedings),
            key=lambda data: (data["authority"]["name"], data["case_number"], data["key"]),
        )
        yield f'  "proceedings": {_dumps(proceedings_data, 2)},\n'
        events = keyed_events(scope.events(), scope.person_ids, source_keys, masker)
        events_data = [with_key(key, data) for key, data, _e in _by_date(events, "date")]
        yield f'  "events": {_dumps(events_data, 2)}\n}}\n'


# --- Sheets ---------------------------------------------------------------------------------

PERSON_COLUMNS = [
    "ref",
    "name",
    "other_names",
    "sex",
    "birth_year",
    "birth_year_approximate",
    "ethnicity",
    "citizenship",
    "place_of_origin",
    "visibility",
    "current_status",
    "current_status_outcome",
    "current_status_valid_until",
    "public_summary",
    "internal_notes",
    "lawyers",
]

# The entries of /people/<ref>/timeline.json (DESIGN.md), one row each, after the person.
ENTRY_COLUMNS = [
    "person_ref",
    "person_name",
    "date",
    "precision",
    "not_later_than",
    "date_display",
    "end_date",
    "end_precision",
    "kind",
    "title",
    "detail",
    "sources",
]

SHEETS = {"persons": PERSON_COLUMNS, "entries": ENTRY_COLUMNS}


def _yes_no(value):
    return gettext("yes") if value else gettext("no")


def person_rows(scope, progress=None):
    """The persons sheet: the header, then one row per person.

    The current status is worked out in Python from each chunk's decisions (as
    ``cases.timeline.current_status`` does, the same rule as ``annotate_current_status``):
    as a subquery per row, PostgreSQL would compute it for every person before sorting them,
    and the first row would wait for all of them.
    """
    yield PERSON_COLUMNS
    persons = scope.with_managed(scope.persons).prefetch_related(
        "variants", "lawyers", Prefetch("statuses", queryset=StatusDecision.objects.order_by())
    )
    count = 0
    with transaction.atomic():
        for person in in_chunks(persons):
            current = current_status(person.statuses.all())
            decision = current.decision if current else None
            managed = person.export_managed
            yield [
                person.ref,
                person.name,
                "; ".join(variant.name for variant in person.variants.all()),
                str(person.get_sex_display()),
                person.birth_year if person.birth_year is not None else "",
                _yes_no(person.birth_year_is_approximate) if person.birth_year else "",
                person.ethnicity,
                person.citizenship,
                person.place_of_origin,
                str(person.get_visibility_display()),
                str(decision.get_status_display()) if decision else "",
                str(decision.get_outcome_display()) if decision else "",
                str(decision.approx_valid_until) if decision else "",
                scope.masker(person.public_summary),
                scope.masker(person.internal_notes) if managed else "",
                ", ".join(sorted(u.get_username() for u in person.lawyers.all()))
                if managed
                else "",
            ]
            count += 1
            if progress:
                progress(count)


def _source_text(source):
    """'Publisher, Title, 23 December 2019 https://…': a source as the entries sheet cites it."""
    parts = [
        ", ".join(
            part
            for part in [source.publisher, source.title, date_text(source.approx_published)]
            if part
        )
    ]
    if source.url:
        parts.append(source.url)
    return " ".join(parts)


def _source_line(cited, texts):
    """'[2] Publisher, Title, …': ``texts`` remembers each source's text (the same sources
    come back for many persons), by what the text is made of, names withheld or not."""
    source = cited.source
    key = (source.pk, source.publisher, source.title, source.url, source.approx_published)
    text = texts.get(key)
    if text is None:
        text = texts[key] = _source_text(source)
    return f"[{cited.number}] {text}"


def _batches(rows, size):
    """Lists of up to ``size`` items of ``rows``, in order."""
    batch = []
    for row in rows:
        batch.append(row)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def entry_rows(scope, progress=None):
    """The timeline-entries sheet: the header, then each person's timeline, entry by entry.

    The entries are those of ``build_timelines`` for the exporting user, so the sheet says
    what the person's page and timeline JSON say, names withheld alike. The timelines are
    built ``CHUNK_SIZE`` persons at a time, in a fixed number of queries each.
    """
    yield ENTRY_COLUMNS
    # The persons' iterator is closed before the transaction ends, also when the reader stops
    # early: PostgreSQL reads them through a cursor that lives only as long as the transaction.
    with (
        transaction.atomic(),
        closing(scope.persons.iterator(chunk_size=CHUNK_SIZE)) as persons,
    ):
        yield from _entry_rows(scope, persons, progress)


def _entry_rows(scope, persons, progress):
    count = 0
    # Formatting a source takes longer than anything else in a row, and the same sources come
    # back row after row: each is formatted once (dates are, in cases.timeline.date_text).
    sources = {}
    for batch in _batches(persons, CHUNK_SIZE):
        for timeline in build_timelines(batch, scope.user, masker=scope.masker):
            person = timeline.person
            for entry in timeline.entries:
                yield [
                    person.ref,
                    person.name,
                    entry.date.iso() or "",
                    entry.date.precision,
                    plain(entry.date.not_later_than) or "",
                    str(entry.date_display),
                    entry.end.iso() or "" if entry.has_end else "",
                    entry.end.precision if entry.has_end else "",
                    entry.kind,
                    str(entry.title),
                    entry.plain_detail(),
                    " | ".join(_source_line(cited, sources) for cited in entry.citations),
                ]
            count += 1
            if progress:
                progress(count)


def sheet_rows(sheet, scope, progress=None):
    return {"persons": person_rows, "entries": entry_rows}[sheet](scope, progress)


# Spreadsheets run a cell that starts with one of these as a formula ("CSV injection"), some
# even after leading spaces; names and summaries come from many hands, so such a cell is written
# with a leading apostrophe (OWASP's advice). Only the human-facing CSV does this: the JSON
# export stays lossless, and the XLSX export types its cells as text instead.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n")


def safe_cell(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    if isinstance(value, str) and value.lstrip(" \u00a0").startswith(FORMULA_STARTS):
        return "'" + value
    return value


def iter_csv(rows, buffer_size=16 * 1024):
    """CSV text in pieces of about ``buffer_size`` characters, starting with a BOM.

    The byte-order mark makes spreadsheet programs read the file as UTF-8 (names in Cyrillic
    and Chinese script); Python reads it with the encoding ``utf-8-sig``.
    """
    buffer = io.StringIO()
    buffer.write("\ufeff")
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([safe_cell(value) for value in row])
        if buffer.tell() >= buffer_size:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def write_xlsx(scope, target, progress=None):
    """Both sheets in one workbook, written row by row (openpyxl's write-only mode)."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    for sheet in SHEETS:
        worksheet = workbook.create_sheet(sheet)
        for row in sheet_rows(sheet, scope, progress if sheet == "persons" else None):
            cells = []
            for value in row:
                if isinstance(value, str):
                    cell = WriteOnlyCell(worksheet, ILLEGAL_CHARACTERS_RE.sub("", value))
                    # openpyxl would turn text starting with "=" into a formula.
                    cell.data_type = "s"
                    cells.append(cell)
                else:
                    cells.append(value)
            worksheet.append(cells)
    workbook.save(target)
