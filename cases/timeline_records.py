"""Every record the timelines of many persons show, read in a fixed number of queries.

``fetch_cases(persons, user)`` reads them for any number of persons in nine queries at most:
one per record kind (the persons' proceedings and events, each with its link to the person,
their crossings, detentions, hearings, rulings and status decisions), one for the citations
of all of them with their sources, and one for every name the timelines show besides the
persons' own (``_names``). Each query is filtered by indexed ids — persons, proceedings,
events, content type and object, sources — so what it costs follows the persons asked for,
not the size of the database. The person page reads a batch of one; the export's entries
sheet reads a few hundred persons a batch.
"""

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db.models import Exists, F, OuterRef, Q, Value

from people.models import NameVariant, Person, is_admin

from .masking import citing_person_queries
from .models import (
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

KIND_MODELS = {
    "crossing": BorderCrossing,
    "detention": Detention,
    "proceeding": Proceeding,
    "hearing": Hearing,
    "ruling": Ruling,
    "status": StatusDecision,
    "event": Event,
}

# The records of a person's own, and the select_related each needs.
OWN_RECORDS = {
    "crossings": (BorderCrossing, ()),
    "detentions": (Detention, ("authority",)),
    "rulings": (Ruling, ()),
    "statuses": (StatusDecision, ("authority",)),
}


@dataclass
class CaseRecords:
    """One person's records, as their timeline shows them."""

    person: Person
    crossings: list = field(default_factory=list)
    detentions: list = field(default_factory=list)
    proceedings: dict = field(default_factory=dict)  # by pk
    hearings: list = field(default_factory=list)
    rulings: list = field(default_factory=list)
    statuses: list = field(default_factory=list)
    events: list = field(default_factory=list)
    citations: dict = field(default_factory=dict)  # (kind, pk): [Cited], for the batch
    variants: list = field(default_factory=list)  # (name, script): the person's other names
    # The other persons of a shared record: (kind, pk): [(name, ref, whether the reader may
    # see them)].
    others: dict = field(default_factory=dict)
    participants: dict = field(default_factory=dict)  # proceeding pk: [(role, name)]
    # The names and variants of the persons the reader may not see who share a record or a
    # cited source with the person (in a batch of several: with one of them), withheld from
    # typed text. None where not looked up.
    hidden_names: list | None = None

    def record_ids(self):
        """The ids of every record shown, by kind."""
        return {
            "crossing": [record.pk for record in self.crossings],
            "detention": [record.pk for record in self.detentions],
            "proceeding": list(self.proceedings),
            "hearing": [record.pk for record in self.hearings],
            "ruling": [record.pk for record in self.rulings],
            "status": [record.pk for record in self.statuses],
            "event": [record.pk for record in self.events],
        }


def fetch_cases(persons, user, hidden_names=True):
    """The records of each of ``persons`` (a list), as ``CaseRecords`` in the same order.

    The caller has already checked that ``user`` may see every one of ``persons``. With
    ``hidden_names``, the persons' ``hidden_names`` are looked up too (not for an admin, who
    sees everyone): for the batch as a whole, so that a batch of several withholds, in each
    timeline, the names of those linked to any of its persons. The page reads a batch of one;
    an export, with a masker of its own, does not look them up.
    """
    cases = {person.pk: CaseRecords(person) for person in persons}
    ids = list(cases)
    if not ids:
        return []
    proceedings = {}
    links = Proceeding.persons.through.objects.filter(person_id__in=ids)
    for link in links.select_related("proceeding__authority"):
        proceeding = proceedings.setdefault(link.proceeding_id, link.proceeding)
        cases[link.person_id].proceedings[proceeding.pk] = proceeding
    events = {}
    links = Event.persons.through.objects.filter(person_id__in=ids)
    for link in links.select_related("event__authority"):
        cases[link.person_id].events.append(events.setdefault(link.event_id, link.event))
    for name, (model, related) in OWN_RECORDS.items():
        records = model.objects.filter(person_id__in=ids)
        # select_related() with no field would follow every foreign key.
        for record in records.select_related(*related) if related else records:
            getattr(cases[record.person_id], name).append(record)
    hearings = {}
    for hearing in Hearing.objects.filter(proceeding_id__in=list(proceedings)):
        hearings.setdefault(hearing.proceeding_id, []).append(hearing)
    for case in cases.values():
        case.hearings = [hearing for pk in case.proceedings for hearing in hearings.get(pk, ())]

    records = {kind: set() for kind in KIND_MODELS}
    for case in cases.values():
        for kind, pks in case.record_ids().items():
            records[kind].update(pks)
    citations = _citations(records)
    for case in cases.values():
        case.citations = citations

    look_up_hidden = hidden_names and not (user is not None and is_admin(user))
    sources = {citation.source_id for cited in citations.values() for citation in cited}
    names = _names(
        ids, list(proceedings), list(events), list(sources) if look_up_hidden else None, user
    )
    for case in cases.values():
        _read_names(case, names)
    return [cases[person.pk] for person in persons]


@dataclass(frozen=True)
class Cited:
    """A citation as a timeline shows it: its source, what it quotes and how surely."""

    source: Source
    quote: str
    confidence: str

    @property
    def source_id(self):
        return self.source.pk


SOURCE_COLUMNS = [field.attname for field in Source._meta.concrete_fields]
SOURCE_ID = SOURCE_COLUMNS.index(Source._meta.pk.attname)


def _citations(records):
    """Citations of every record, keyed by (kind, pk), as ``Cited``: one query.

    By content type id, so that the (content_type, object_id) index serves it: a condition on
    the content type's app label and model name joins django_content_type and scans every
    citation. Read as rows, each source made once however often it is cited (the sources of
    a few hundred persons' cases are mostly the same few)."""
    content_types = ContentType.objects.get_for_models(*KIND_MODELS.values())
    kinds = {content_types[model].pk: kind for kind, model in KIND_MODELS.items()}
    condition = Q()
    for kind, pks in records.items():
        if pks:
            condition |= Q(content_type=content_types[KIND_MODELS[kind]], object_id__in=pks)
    if not condition:
        return {}
    citations = Citation.objects.filter(condition)
    rows = citations.values_list(
        "content_type_id",
        "object_id",
        "quote",
        "confidence",
        *(f"source__{column}" for column in SOURCE_COLUMNS),
    )
    sources, cited = {}, {}
    for content_type, object_id, quote, confidence, *source_row in rows:
        source = sources.get(source_row[SOURCE_ID])
        if source is None:
            source = Source.from_db(citations.db, SOURCE_COLUMNS, source_row)
            sources[source.pk] = source
        cited.setdefault((kinds[content_type], object_id), []).append(
            Cited(source, quote, confidence)
        )
    return cited


@dataclass
class _Names:
    """The rows of ``_names``, by what they name."""

    variants: dict = field(default_factory=dict)  # person id: [(name, script)]
    members: dict = field(default_factory=dict)  # (kind, pk): [(person id, name, ref, visible)]
    participants: dict = field(default_factory=dict)  # proceeding pk: [(role, name)]
    hidden: list | None = None  # names and variants of the persons the reader may not see


def _names(person_ids, proceeding_ids, event_ids, source_ids, user):
    """Every name the timelines show besides the persons' own, in one UNION query.

    The persons' other spellings; the persons of their proceedings and events, with whether
    ``user`` may see each; the participants of the proceedings. With ``source_ids`` (the
    sources the timelines cite), also the names and variants of the persons ``user`` may not
    see among those of the proceedings and events and those with a record citing one of the
    sources: names the timelines withhold from typed text and never show.
    """
    may_see = Exists(Person.objects.visible_to(user).filter(pk=OuterRef("person_id")))

    def columns(kind, record, person, role, name, ref=None, visible=None):
        return {
            "n_kind": Value(kind),
            "n_record": F(record),
            "n_person": person,
            "n_role": role,
            "n_name": F(name),
            "n_ref": Value("") if ref is None else ref,
            "n_visible": Value(True) if visible is None else visible,
        }

    members = {
        "proceeding": Proceeding.persons.through.objects.filter(proceeding_id__in=proceeding_ids),
        "event": Event.persons.through.objects.filter(event_id__in=event_ids),
    }
    parts = [
        NameVariant.objects.filter(person_id__in=person_ids)
        .order_by()
        .values(**columns("variant", "person_id", F("person_id"), F("script"), "name")),
        *(
            links.values(
                **columns(
                    kind,
                    f"{kind}_id",
                    F("person_id"),
                    Value(""),
                    "person__name",
                    F("person__ref"),
                    may_see,
                )
            )
            for kind, links in members.items()
        ),
        Participant.objects.filter(proceeding_id__in=proceeding_ids)
        .order_by()
        .values(**columns("participant", "proceeding_id", Value(0), F("role"), "name")),
    ]
    if source_ids is not None:
        linked = [links.values("person_id") for links in members.values()]
        linked += citing_person_queries(source_ids)
        hidden = (
            Person.objects.filter(pk__in=linked[0].union(*linked[1:], all=True))
            .exclude(Exists(Person.objects.visible_to(user).filter(pk=OuterRef("pk"))))
            .order_by()
        )
        # A hidden person's name, with one of their variants (or NULL) as its "ref": a row
        # per variant.
        parts.append(
            hidden.values(
                **columns(
                    "hidden", "pk", F("pk"), Value(""), "name", F("variants__name"), Value(False)
                )
            )
        )
    names = _Names(hidden=[] if source_ids is not None else None)
    hidden_persons = set()
    for row in parts[0].union(*parts[1:], all=True):
        kind, record, person = row["n_kind"], row["n_record"], row["n_person"]
        if kind == "variant":
            names.variants.setdefault(record, []).append((row["n_name"], row["n_role"]))
        elif kind == "participant":
            names.participants.setdefault(record, []).append((row["n_role"], row["n_name"]))
        elif kind == "hidden":
            if person not in hidden_persons:
                hidden_persons.add(person)
                names.hidden.append(row["n_name"])
            if row["n_ref"]:
                names.hidden.append(row["n_ref"])
        else:
            row = (person, row["n_name"], row["n_ref"], row["n_visible"])
            names.members.setdefault((kind, record), []).append(row)
    return names


def _read_names(case, names):
    person = case.person.pk
    case.variants = names.variants.get(person, [])
    case.participants = {pk: names.participants.get(pk, []) for pk in case.proceedings}
    shared = [("proceeding", pk) for pk in case.proceedings]
    shared += [("event", event.pk) for event in case.events]
    for key in shared:
        rows = names.members.get(key, ())
        case.others[key] = [(name, ref, visible) for pk, name, ref, visible in rows if pk != person]
    case.hidden_names = names.hidden
