"""One person's case as a single chronological list of entries, with numbered sources.

``build_timeline`` gives one person's timeline, ``build_timelines`` those of many persons at
once: the same entries, read in the same fixed number of queries for one person or for a few
hundred (nine at most, see cases/timeline_records.py), whatever the number of records and the
size of the database. Besides the records and their citations, they read every name the page
shows besides the person's own (other spellings, the other persons of a shared proceeding or
event with whether the reader may see them, the participants of the proceedings) and the
names of the persons sharing a record or a cited source whom the reader may not see. Those
last names are never shown: they are withheld from every typed text of the timeline
(cases/masking.py). The page, ``/people/<ref>/timeline.json`` and the export's entries sheet
all read what they return.
"""

import datetime
from dataclasses import dataclass, field
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import get_language, gettext_lazy, ngettext
from django.utils.translation import gettext as _

from casetracker.dates import ApproximateDate, Precision
from people.models import NameVariant, Person

from .masking import NO_MASKING, NameMasker, masked_copy
from .models import (
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Participant,
    Proceeding,
    Ruling,
    StatusDecision,
)
from .timeline_records import fetch_cases

KIND_LABELS = {
    "crossing": gettext_lazy("Border crossing"),
    "detention": gettext_lazy("Detention"),
    "proceeding": gettext_lazy("Proceeding"),
    "hearing": gettext_lazy("Hearing"),
    "ruling": gettext_lazy("Ruling"),
    "status": gettext_lazy("Status"),
    "event": gettext_lazy("Event"),
}
# Entries on the same day and precision: the order in which things follow from each other.
KIND_ORDER = list(KIND_LABELS)

ROLE_ORDER = list(Participant.Role.values)

# What a status is called in a sentence ("refugee status granted"), where the choice label
# alone ("refugee") does not read as a noun.
STATUS_NAMES = {
    StatusDecision.Status.ASYLUM_SEEKER: gettext_lazy("asylum-seeker status"),
    StatusDecision.Status.REFUGEE: gettext_lazy("refugee status"),
}

STATUS_SENTENCES = {
    StatusDecision.Outcome.APPLIED: gettext_lazy("applied for %(status)s"),
    StatusDecision.Outcome.GRANTED: gettext_lazy("%(status)s granted"),
    StatusDecision.Outcome.REFUSED: gettext_lazy("%(status)s refused"),
    StatusDecision.Outcome.EXTENDED: gettext_lazy("%(status)s extended"),
    StatusDecision.Outcome.REVOKED: gettext_lazy("%(status)s revoked"),
}

# Decisions whose validity is a period of protection (or of an order) on the strip.
PERIOD_OUTCOMES = {StatusDecision.Outcome.GRANTED, StatusDecision.Outcome.EXTENDED}

DETENTION_SENTENCES = {
    Detention.Kind.PRE_TRIAL: gettext_lazy("Held in pre-trial detention"),
    Detention.Kind.SENTENCE: gettext_lazy("Held in prison, serving a sentence"),
    Detention.Kind.IMMIGRATION: gettext_lazy("Held in immigration detention"),
    Detention.Kind.CAMP: gettext_lazy("Held in an internment camp"),
    Detention.Kind.QUESTIONING: gettext_lazy("Held for questioning"),
    Detention.Kind.OTHER: gettext_lazy("Detained"),
}

CROSSING_SENTENCES = {
    BorderCrossing.Method.IRREGULAR: gettext_lazy(
        "Crossed irregularly from %(origin)s into %(destination)s"
    ),
    BorderCrossing.Method.REGULAR: gettext_lazy(
        "Crossed regularly from %(origin)s into %(destination)s"
    ),
    BorderCrossing.Method.UNKNOWN: gettext_lazy("Crossed from %(origin)s into %(destination)s"),
}


# The labels of an entry's facts, and phrases of its title.
WHERE = gettext_lazy("Where")
WHY = gettext_lazy("Why")
BY = gettext_lazy("By")
CASE_NUMBER = gettext_lazy("Case number")
TOOK_PART = gettext_lazy("Took part")
DECIDED_BY = gettext_lazy("Decided by")
PRE_TRIAL_CREDIT = gettext_lazy("Credit for pre-trial detention")
VALID = gettext_lazy("Valid")
HEARING = gettext_lazy("hearing")
PROCEEDING_LABEL = gettext_lazy("%(kind)s case before %(authority)s")


def partial_iso(date):
    """An approximate date as ISO 8601 to its precision: 2019-10-01, 2019-10, 2019 or ''."""
    if not date or date.date is None:
        return ""
    if date.precision == Precision.YEAR:
        return f"{date.date.year:04d}"
    if date.precision == Precision.MONTH:
        return f"{date.date.year:04d}-{date.date.month:02d}"
    return date.date.isoformat()


@lru_cache(maxsize=16384)  # more than the days of a decade, in each precision
def _date_text(date, language):
    return str(date)


def date_text(date):
    """``str(date)`` of an ApproximateDate, remembered per language: formatting a date takes
    longer than building the entry that shows it (an export formats a million)."""
    return _date_text(date, get_language())


_CHOICE_LABELS = {}


def choice_label(choices, value):
    """The label of ``value`` among ``choices`` (a TextChoices), as ``get_<field>_display``
    gives it, without translating every label of the field to find it."""
    labels = _CHOICE_LABELS.get(choices)
    if labels is None:
        labels = _CHOICE_LABELS[choices] = dict(choices.choices)
    return labels.get(value, value)


class Words:
    """Translations made once per batch of timelines, of the module's lazy phrases and choice
    labels (which live as long as the process, so their identity is their key): gettext,
    asked for on every entry, would otherwise cost more than the entry."""

    def __init__(self):
        self._texts = {}

    def __call__(self, phrase):
        if isinstance(phrase, str):  # already text (a value no choice names)
            return phrase
        known = self._texts.get(id(phrase))
        if known is None or known[0] is not phrase:  # kept with its text: its id stays its own
            known = self._texts[id(phrase)] = (phrase, str(phrase))
        return known[1]


def _sentence_end(text):
    return text if text.rstrip().endswith((".", "!", "?", "…")) else f"{text}."


def status_name(status):
    return STATUS_NAMES.get(status) or StatusDecision.Status(status).label


@dataclass
class CitedSource:
    """One citation of an entry: the number of its source in the list, and what it quotes."""

    number: int
    source: object
    quote: str
    confidence: str

    @property
    def is_confident(self):
        return self.confidence == Citation.Confidence.HIGH

    @property
    def confidence_label(self):
        return Citation.Confidence(self.confidence).label


@dataclass
class OtherPerson:
    """Another person of a shared record whom the reader may see."""

    name: str
    ref: str

    @property
    def url(self):
        return reverse("cases:person", kwargs={"ref": self.ref})


@dataclass
class Variant:
    """Another spelling of the person's name, in some script."""

    name: str
    script: str

    @property
    def lang(self):
        # Only a script that settles the language: Cyrillic may be Kazakh or Russian.
        return "zh" if self.script == NameVariant.Script.CHINESE else ""


@dataclass
class Entry:
    kind: str  # crossing, detention, proceeding, hearing, ruling, status, event
    pk: int
    date: ApproximateDate
    title: str  # one plain sentence of what happened
    detail: str = ""  # free text a lawyer wrote: description, summary, note
    facts: list = field(default_factory=list)  # (label, value): where, why, by, who took part
    # A period (detention, proceeding, validity of a status) ends here; None while it goes on.
    end: ApproximateDate | None = None
    is_period: bool = False
    start: ApproximateDate | None = None  # where the period starts elsewhere than ``date``
    variant: str = ""  # detention kind, status, ruling outcome or event kind
    variant_label: str = ""
    outcome: str = ""  # of a status decision
    part_of: str = ""  # anchor of the proceeding a hearing, ruling or decision belongs to
    part_of_label: str = ""
    citations: list = field(default_factory=list)
    # The other persons of a shared record whom the reader may see; the others are left out,
    # not even counted: a placeholder would confirm that a hidden person exists.
    others: list = field(default_factory=list)  # OtherPerson

    @property
    def anchor(self):
        return f"{self.kind}-{self.pk}"

    @property
    def html_id(self):
        return f"entry-{self.anchor}"

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def period_start(self):
        return self.start if self.start is not None and self.start.is_set else self.date

    @property
    def is_open_ended(self):
        """A period with no recorded end: an ongoing detention, a status with no expiry."""
        return self.is_period and (self.end is None or not self.end.is_set)

    @property
    def has_end(self):
        return self.is_period and self.end is not None and self.end.is_set

    @property
    def date_iso(self):
        return partial_iso(self.date)

    @property
    def end_iso(self):
        return partial_iso(self.end) if self.has_end else ""

    @property
    def open_end_label(self):
        if self.kind == "detention":
            return _("ongoing")
        if self.kind == "proceeding":
            return _("no ruling yet")
        return _("no end recorded")

    @property
    def shows_range(self):
        """Whether the date line shows an end: periods other than a status's validity, whose
        end says something beyond their start."""
        if not self.is_period or self.kind == "status":
            return False
        if self.has_end:
            return self.end != self.date
        return self.date.is_known

    @property
    def date_display(self):
        if not self.shows_range:
            return date_text(self.date)
        if self.has_end:
            return f"{date_text(self.date)} – {date_text(self.end)}"
        return f"{date_text(self.date)} – {self.open_end_label}"

    @property
    def validity_display(self):
        """The period of a status decision, or its date where it sets none."""
        if self.is_period:
            return _validity(self.period_start, self.end or ApproximateDate(None, ""))
        return str(self.date)

    @property
    def group_key(self):
        """The year the entry is listed under, as ApproximateDate.sort_key places it."""
        if self.date.date:
            return self.date.date.year
        if self.date.not_later_than:
            return self.date.not_later_than.year
        return None

    def sort_key(self):
        return (*self.date.sort_key(), KIND_ORDER.index(self.kind), self.pk)

    def plain_detail(self):
        """The detail as one text: the free text, then each fact, then who else it concerns."""
        parts = [self.detail.strip()] if self.detail.strip() else []
        parts += [_sentence_end(f"{label}: {value}") for label, value in self.facts]
        if self.part_of_label:
            parts.append(_("Part of: %(proceeding)s.") % {"proceeding": self.part_of_label})
        if self.others:
            names = ", ".join(other.name for other in self.others)
            parts.append(_("Also concerns: %(names)s.") % {"names": names})
        return " ".join(parts)


@dataclass
class NumberedSource:
    """A source in the list at the bottom, with each citation of it and the entry it backs."""

    number: int
    source: object
    citations: list = field(default_factory=list)  # (entry, CitedSource)

    @property
    def html_id(self):
        return f"source-{self.number}"

    @property
    def published_iso(self):
        return partial_iso(self.source.approx_published)


@dataclass
class YearGroup:
    year: int | None
    entries: list

    @property
    def html_id(self):
        return f"year-{self.year}" if self.year is not None else "year-unknown"

    @property
    def label(self):
        return str(self.year) if self.year is not None else _("Date unknown")


@dataclass
class CurrentStatus:
    """A person's current status: what their latest decision in force says."""

    decision: StatusDecision
    today: datetime.date

    @property
    def name(self):
        return capfirst(status_name(self.decision.status))

    @property
    def until(self):
        until = self.decision.approx_valid_until
        return until if until.is_set else None

    @property
    def label(self):
        """'Refugee status until 28 October 2021', as the public may read it too."""
        decision = self.decision
        decided = decision.approx_decided
        if decision.outcome not in PERIOD_OUTCOMES:
            sentence = capfirst(
                STATUS_SENTENCES[decision.outcome] % {"status": status_name(decision.status)}
            )
            if decided.is_known:
                return _("%(decision)s, %(date)s") % {"decision": sentence, "date": decided}
            return sentence
        if self.until:
            return _("%(status)s until %(date)s") % {"status": self.name, "date": self.until}
        since = decision.approx_valid_from
        since = since if since.is_known else decided
        if since.is_known:
            return _("%(status)s since %(date)s") % {"status": self.name, "date": since}
        return self.name

    @property
    def counts_down(self):
        return self.decision.outcome in PERIOD_OUTCOMES and self.until is not None

    @property
    def days_left(self):
        return self.decision.days_left(self.today) if self.counts_down else None

    @property
    def expiry_state(self):
        """'expired', 'expiring', 'valid' or None, for the colour of the badge."""
        return self.decision.expiry_state(self.today) if self.counts_down else None

    @property
    def is_expired(self):
        return self.expiry_state == "expired"

    @property
    def countdown(self):
        """'expires in 41 days': shown to signed-in readers only."""
        days = self.days_left
        if days is None:
            return ""
        if days < 0:
            return ngettext("expired %(days)s day ago", "expired %(days)s days ago", -days) % {
                "days": -days
            }
        if days == 0:
            return _("expires today")
        return ngettext("expires in %(days)s day", "expires in %(days)s days", days) % {
            "days": days
        }


@dataclass
class Timeline:
    person: Person
    entries: list
    sources: list  # NumberedSource, in the order they are first cited
    variants: list = field(default_factory=list)  # Variant: the person's other names
    current_status: CurrentStatus | None = None
    # Withholds the names of the persons the reader may not see from typed text.
    masker: object = NO_MASKING

    @property
    def summary(self):
        return self.masker(self.person.public_summary)

    @property
    def internal_notes(self):
        return self.masker(self.person.internal_notes)

    @property
    def groups(self):
        """The entries under their year headings; undated ones last, under 'Date unknown'."""
        groups = []
        for entry in self.entries:
            key = entry.group_key
            if not groups or groups[-1].year != key:
                groups.append(YearGroup(key, []))
            groups[-1].entries.append(entry)
        return groups

    def as_data(self, absolute_url):
        """The timeline as the data of /people/<ref>/timeline.json (see DESIGN.md).

        ``absolute_url`` turns a path into a full URL (``request.build_absolute_uri``).
        Internal notes are never part of it: the JSON is for reading and linking, and the
        lawyers who manage a person read the notes on the page.
        """
        person = self.person
        return {
            "person": {
                "ref": person.ref,
                "name": person.name,
                "url": absolute_url(person.get_absolute_url()),
                "timeline_url": absolute_url(
                    person.get_absolute_url().rstrip("/") + "/timeline.json"
                ),
                "variants": [variant.name for variant in self.variants],
                "sex": person.sex,
                "birth_year": person.birth_year,
                "birth_year_is_approximate": person.birth_year_is_approximate,
                "ethnicity": person.ethnicity,
                "citizenship": person.citizenship,
                "place_of_origin": person.place_of_origin,
                "summary": self.summary,
                "visibility": person.visibility,
                "current_status": _status_data(self.current_status),
            },
            "entries": [_entry_data(entry) for entry in self.entries],
        }


def _iso(date):
    return date.isoformat() if date else None


def _status_data(current):
    if current is None:
        return None
    decision = current.decision
    return {
        "status": decision.status,
        "outcome": decision.outcome,
        "label": str(current.label),
        "decided": _iso(decision.decided),
        "decided_precision": decision.decided_precision,
        "valid_from": _iso(decision.valid_from),
        "valid_from_precision": decision.valid_from_precision or None,
        "valid_until": _iso(decision.valid_until),
        "valid_until_precision": decision.valid_until_precision or None,
        "expired": current.is_expired if current.counts_down else None,
    }


def _entry_data(entry):
    return {
        "date": entry.date.iso(),
        "precision": entry.date.precision,
        "not_later_than": _iso(entry.date.not_later_than),
        "date_display": entry.date_display,
        "kind": entry.kind,
        "title": entry.title,
        "detail": entry.plain_detail(),
        "end_date": entry.end.iso() if entry.has_end else None,
        "end_precision": entry.end.precision if entry.has_end else None,
        "sources": [
            {
                "title": cited.source.title,
                "publisher": cited.source.publisher or None,
                "url": cited.source.url or None,
                # To the precision the source gives: "2019-12-23", "2019-12", "2019" or null.
                "published_on": partial_iso(cited.source.approx_published) or None,
            }
            for cited in entry.citations
        ],
    }


def current_status(statuses, today=None):
    """The latest decision in force among ``statuses``, as ``annotate_current_status`` picks it.

    The same rule in Python, over decisions already fetched: a refusal leaves the previous
    status as it was; the latest decision date wins, undated ones count as oldest, then the
    last recorded. A test holds the two together.
    """
    in_force = [s for s in statuses if s.outcome != StatusDecision.Outcome.REFUSED]
    if not in_force:
        return None
    latest = max(
        in_force,
        key=lambda decision: (
            decision.decided is not None,
            decision.decided or datetime.date.min,
            decision.pk,
        ),
    )
    return CurrentStatus(latest, today or timezone.localdate())


def _ruling_sentence(ruling, proceeding, words):
    parts = [words(choice_label(Ruling.Outcome, ruling.outcome))]
    if ruling.outcome == Ruling.Outcome.NOT_REPORTED:
        parts = [_("outcome not reported")]
    if ruling.sentence_kind:
        parts.append(_sentence_phrase(ruling.sentence_kind, ruling.sentence_months))
    if ruling.removal:
        if proceeding.kind == Proceeding.Kind.EXTRADITION:
            template = _("extradition %(removal)s")
        else:
            template = _("deportation %(removal)s")
        parts.append(template % {"removal": words(choice_label(Ruling.Removal, ruling.removal))})
    return "; ".join(str(part) for part in parts)


def _sentence_phrase(kind, months):
    """'suspended prison sentence of 6 months', '12 months in prison'."""
    if not months or kind == Ruling.SentenceKind.FINE:
        return str(Ruling.SentenceKind(kind).label)
    phrases = {
        Ruling.SentenceKind.PRISON: ngettext(
            "%(months)s month in prison", "%(months)s months in prison", months
        ),
        Ruling.SentenceKind.SUSPENDED: ngettext(
            "suspended prison sentence of %(months)s month",
            "suspended prison sentence of %(months)s months",
            months,
        ),
        Ruling.SentenceKind.RESTRICTED_FREEDOM: ngettext(
            "%(months)s month of restricted freedom",
            "%(months)s months of restricted freedom",
            months,
        ),
    }
    default = ngettext("sentence of %(months)s month", "sentence of %(months)s months", months)
    return phrases.get(kind, default) % {"months": months}


def _proceeding_label(proceeding, words):
    return words(PROCEEDING_LABEL) % {
        "kind": capfirst(words(choice_label(Proceeding.Kind, proceeding.kind))),
        "authority": proceeding.authority.name,
    }


def _by(authority, sentence):
    """'Zharkent court: convicted; …': who decided, then what they decided."""
    return f"{authority.name}: {sentence}" if authority else capfirst(sentence)


def _validity(valid_from, valid_until):
    """'29 October 2020 – 28 October 2021', 'from 12 April 2021, no end recorded' or ''."""
    if valid_until.is_set:
        return f"{date_text(valid_from) or _('date unknown')} – {date_text(valid_until)}"
    if valid_from.is_set:
        return _("from %(date)s, no end recorded") % {"date": date_text(valid_from)}
    return ""


def build_timeline(person, user, today=None, masker=None):
    """The entries of ``person`` that ``user`` may read, in chronological order.

    The caller has already checked that ``user`` may see ``person`` (``get_person_for``);
    every record of a person takes that person's visibility, and a shared record names the
    other persons it concerns only where ``user`` may see them. Typed text (titles, details,
    sources, quotes, the summary) withholds the names of the persons ``user`` may not see who
    share a record or a cited source with ``person`` (cases/masking.py), with ``masker``
    where the caller has one for many persons at once (an export).
    """
    return build_timelines([person], user, today, masker)[0]


def build_timelines(persons, user, today=None, masker=None):
    """``build_timeline`` of each of ``persons`` (a list), in the same order: the same
    timelines, read for all of them at once in a fixed number of queries (see
    cases/timeline_records.py), however many persons and records there are."""
    today = today or timezone.localdate()
    words = Words()
    # With one masker for all, each source is masked once (its address searched once), not
    # once for every timeline that cites it.
    shown_sources = {} if masker is not None else None
    return [
        _Case.of(records, masker, words, shown_sources).timeline(today)
        for records in fetch_cases(persons, user, hidden_names=masker is None)
    ]


@dataclass
class _Case:
    """Every record of one person's case, and how each becomes an entry."""

    person: Person
    crossings: list
    detentions: list
    proceedings: dict  # by pk
    hearings: list
    rulings: list
    statuses: list
    events: list
    citations: dict  # (kind, pk): [Cited]
    variants: list  # Variant
    participants: dict  # proceeding pk: [(role, name)]
    others: dict  # (kind, pk): [(name, OtherPerson or None)]
    masker: object = NO_MASKING
    words: Words = field(default_factory=Words)
    proceeding_labels: dict = field(default_factory=dict)  # by pk
    shown_sources: dict | None = None  # by pk, as ``masker`` shows them

    @classmethod
    def of(cls, records, masker=None, words=None, shown_sources=None):
        """The case of ``CaseRecords``; with ``masker``, or one of its hidden names."""
        others = {
            key: [
                (name, OtherPerson(name, ref) if visible else None) for name, ref, visible in rows
            ]
            for key, rows in records.others.items()
        }
        case = cls(
            records.person,
            crossings=records.crossings,
            detentions=records.detentions,
            proceedings=records.proceedings,
            hearings=records.hearings,
            rulings=records.rulings,
            statuses=records.statuses,
            events=records.events,
            citations=records.citations,
            variants=sorted(
                (Variant(name, script) for name, script in records.variants),
                key=lambda variant: (variant.script, variant.name),
            ),
            participants=records.participants,
            others=others,
            words=words or Words(),
            shown_sources=shown_sources,
        )
        case.masker = masker if masker is not None else case.name_masker(records.hidden_names)
        return case

    def timeline(self, today):
        entries = [
            *map(self.crossing_entry, self.crossings),
            *map(self.detention_entry, self.detentions),
            *(
                entry
                for proceeding in self.proceedings.values()
                for entry in self.proceeding_entries(proceeding)
            ),
            *map(self.status_entry, self.statuses),
            *map(self.event_entry, self.events),
        ]
        entries.sort(key=Entry.sort_key)
        return Timeline(
            self.person,
            entries,
            _number_sources(entries, self.masker, self.shown_sources),
            variants=self.variants,
            current_status=current_status(self.statuses, today),
            masker=self.masker,
        )

    def name_masker(self, hidden_names):
        if not hidden_names:
            return NO_MASKING
        keep = [self.person.name, *(variant.name for variant in self.variants)]
        keep += [name for rows in self.others.values() for name, other in rows if other]
        keep += [name for rows in self.participants.values() for _role, name in rows]
        return NameMasker(hidden_names, keep=keep)

    def others_of(self, kind, pk):
        """The other persons the reader may see, sorted; the withheld ones are left out."""
        rows = self.others.get((kind, pk), [])
        return sorted((other for _name, other in rows if other), key=lambda other: other.name)

    def people_in(self, proceeding_pk, roles=None):
        """'judge A. Name, prosecutor B. Name': who took part, in their roles."""
        rows = sorted(
            self.participants.get(proceeding_pk, []),
            key=lambda row: (ROLE_ORDER.index(row[0]), row[1]),
        )
        return ", ".join(
            f"{self.words(choice_label(Participant.Role, role))} {name}"
            for role, name in rows
            if roles is None or role in roles
        )

    def facts(self, *pairs):
        """(label, value) of the facts that have a value, their labels translated."""
        return [(self.words(label), value) for label, value in pairs if value]

    def proceeding_label(self, proceeding):
        label = self.proceeding_labels.get(proceeding.pk)
        if label is None:
            label = self.proceeding_labels[proceeding.pk] = _proceeding_label(
                proceeding, self.words
            )
        return label

    def entry(self, kind, record, date, title, **fields):
        citations = self.citations.get((kind, record.pk), [])
        mask = self.masker
        if mask:
            fields["detail"] = mask(fields.get("detail", ""))
            fields["facts"] = [
                (label, mask(str(value))) for label, value in fields.get("facts", [])
            ]
            fields["part_of_label"] = mask(fields.get("part_of_label", ""))
            title = mask(str(title))
        return Entry(kind=kind, pk=record.pk, date=date, title=title, citations=citations, **fields)

    def crossing_entry(self, crossing):
        return self.entry(
            "crossing",
            crossing,
            crossing.approx_date,
            self.words(CROSSING_SENTENCES[crossing.method])
            % {"origin": crossing.from_country, "destination": crossing.to_country},
            variant=crossing.method,
            facts=self.facts((WHERE, crossing.place), (WHY, crossing.reason)),
        )

    def detention_entry(self, detention):
        return self.entry(
            "detention",
            detention,
            detention.approx_start,
            self.words(DETENTION_SENTENCES[detention.kind]),
            detail=detention.description,
            facts=self.facts(
                (WHERE, detention.place),
                (BY, detention.authority.name if detention.authority else ""),
            ),
            end=detention.approx_end if detention.approx_end.is_set else None,
            is_period=True,
            variant=detention.kind,
            variant_label=self.words(choice_label(Detention.Kind, detention.kind)),
        )

    def proceeding_entries(self, proceeding):
        """The proceeding, from its first hearing or decision to its last, then its parts."""
        label = self.proceeding_label(proceeding)
        anchor = f"entry-proceeding-{proceeding.pk}"
        hearings = [h for h in self.hearings if h.proceeding_id == proceeding.pk]
        rulings = [r for r in self.rulings if r.proceeding_id == proceeding.pk]
        # An application or appeal ends with a status decision rather than a ruling.
        decisions = [d for d in self.statuses if d.proceeding_id == proceeding.pk]
        endings = [r.approx_date for r in rulings] + [
            d.approx_decided for d in decisions if d.outcome != StatusDecision.Outcome.APPLIED
        ]
        dates = sorted(
            [h.approx_date for h in hearings] + [d.approx_decided for d in decisions] + endings
        )
        yield self.entry(
            "proceeding",
            proceeding,
            dates[0] if dates else ApproximateDate(None, Precision.UNKNOWN),
            f"{label}: {proceeding.charge}" if proceeding.charge else label,
            detail=proceeding.description,
            facts=self.facts(
                (CASE_NUMBER, proceeding.case_number),
                (TOOK_PART, self.people_in(proceeding.pk)),
            ),
            end=max(endings, default=None),
            is_period=True,
            variant=proceeding.kind,
            variant_label=self.words(choice_label(Proceeding.Kind, proceeding.kind)),
            others=self.others_of("proceeding", proceeding.pk),
        )
        for hearing in hearings:
            yield self.entry(
                "hearing",
                hearing,
                hearing.approx_date,
                _by(proceeding.authority, hearing.title or self.words(HEARING)),
                detail=hearing.summary,
                facts=self.facts((WHERE, hearing.place)),
                part_of=anchor,
                part_of_label=label,
            )
        for ruling in rulings:
            yield self.entry(
                "ruling",
                ruling,
                ruling.approx_date,
                _by(proceeding.authority, _ruling_sentence(ruling, proceeding, self.words)),
                detail=ruling.summary,
                facts=self.facts(
                    (DECIDED_BY, self.people_in(proceeding.pk, {Participant.Role.JUDGE})),
                    (PRE_TRIAL_CREDIT, ruling.pre_trial_credit),
                ),
                variant=ruling.outcome,
                variant_label=self.words(choice_label(Ruling.Outcome, ruling.outcome)),
                part_of=anchor,
                part_of_label=label,
            )

    def status_entry(self, status):
        valid_from, valid_until = status.approx_valid_from, status.approx_valid_until
        proceeding = self.proceedings.get(status.proceeding_id)
        return self.entry(
            "status",
            status,
            status.approx_decided,
            _by(
                status.authority,
                self.words(STATUS_SENTENCES[status.outcome])
                % {"status": self.words(status_name(status.status))},
            ),
            detail=status.note,
            facts=self.facts((VALID, _validity(valid_from, valid_until))),
            end=valid_until if valid_until.is_set else None,
            is_period=status.outcome in PERIOD_OUTCOMES,
            start=valid_from if valid_from.is_set else None,
            variant=status.status,
            variant_label=self.words(choice_label(StatusDecision.Status, status.status)),
            outcome=status.outcome,
            part_of=f"entry-proceeding-{proceeding.pk}" if proceeding else "",
            part_of_label=self.proceeding_label(proceeding) if proceeding else "",
        )

    def event_entry(self, event):
        return self.entry(
            "event",
            event,
            event.approx_date,
            event.title,
            detail=event.description,
            facts=self.facts(
                (WHERE, event.place),
                (BY, event.authority.name if event.authority else ""),
            ),
            variant=event.kind,
            variant_label=self.words(choice_label(Event.Kind, event.kind)),
            others=self.others_of("event", event.pk),
        )


def _number_sources(entries, masker=NO_MASKING, shown=None):
    """Number sources in order of first citation; turn each entry's citations into markers.

    Sources and quotes as the reader may read them: names withheld by ``masker``. ``shown``
    keeps each source as ``masker`` shows it, for timelines that share the masker."""
    numbered = {}
    shown = {} if shown is None else shown
    for entry in entries:
        cited = []
        for citation in entry.citations:
            source = numbered.get(citation.source_id)
            if source is None:
                copy = shown.get(citation.source_id)
                if copy is None:
                    copy = shown[citation.source_id] = masked_copy(citation.source, masker)
                source = numbered[citation.source_id] = NumberedSource(len(numbered) + 1, copy)
            marker = CitedSource(
                source.number, source.source, masker(citation.quote), citation.confidence
            )
            source.citations.append((entry, marker))
            cited.append(marker)
        entry.citations = sorted(cited, key=lambda marker: marker.number)
    return sorted(numbered.values(), key=lambda source: source.number)
