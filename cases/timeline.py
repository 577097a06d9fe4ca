"""One person's case as a single chronological list of entries, with numbered sources.

``build_timeline`` makes a fixed number of queries whatever the number of records: one per
record kind, each with its citations and their sources prefetched.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casetracker.dates import ApproximateDate
from people.models import Person

from .models import (
    Citation,
    Event,
    Hearing,
    Proceeding,
)


@dataclass
class CitedSource:
    number: int
    source: object
    quote: str
    confidence: str


KIND_LABELS = {
    "crossing": gettext_lazy("Border crossing"),
    "detention": gettext_lazy("Detention"),
    "proceeding": gettext_lazy("Proceeding"),
    "hearing": gettext_lazy("Hearing"),
    "ruling": gettext_lazy("Ruling"),
    "status": gettext_lazy("Status"),
    "event": gettext_lazy("Event"),
}


@dataclass
class Entry:
    kind: str  # crossing, detention, proceeding, hearing, ruling, status, event
    anchor: str
    date: ApproximateDate
    title: str
    detail: str = ""
    end: ApproximateDate | None = None
    citations: list = field(default_factory=list)
    others: list = field(default_factory=list)  # other persons concerned: (name, url) or None

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def year(self):
        return self.date.date.year if self.date.date else None


@dataclass
class Timeline:
    person: Person
    entries: list
    sources: list  # distinct sources in the order they are first cited


def _citations():
    return Prefetch("citations", queryset=Citation.objects.select_related("source"))


def _others(persons, person, visible_ids):
    """The other persons of a shared record: a name only where the reader may see it."""
    return [
        (other.name, other.get_absolute_url()) if other.pk in visible_ids else None
        for other in persons
        if other.pk != person.pk
    ]


def _sentence(ruling):
    parts = [ruling.get_outcome_display()]
    if ruling.sentence_kind:
        if ruling.sentence_months:
            parts.append(
                _("%(kind)s of %(months)s months")
                % {"kind": ruling.get_sentence_kind_display(), "months": ruling.sentence_months}
            )
        else:
            parts.append(ruling.get_sentence_kind_display())
    if ruling.removal:
        parts.append(_("deportation %(removal)s") % {"removal": ruling.get_removal_display()})
    return "; ".join(parts)


def _proceeding_label(proceeding):
    return _("%(kind)s case at %(authority)s") % {
        "kind": proceeding.get_kind_display(),
        "authority": proceeding.authority.name,
    }


def build_timeline(person, user):
    """The entries of ``person`` that ``user`` may read, in chronological order."""
    proceedings = list(
        Proceeding.objects.filter(persons=person)
        .select_related("authority")
        .prefetch_related("persons", "participants", _citations())
    )
    events = list(Event.objects.filter(persons=person).prefetch_related("persons", _citations()))
    sharing = {p.pk for record in proceedings + events for p in record.persons.all()}
    visible_ids = set(
        Person.objects.visible_to(user).filter(pk__in=sharing).values_list("pk", flat=True)
    )

    entries = []
    for crossing in person.crossings.prefetch_related(_citations()):
        entries.append(
            Entry(
                "crossing",
                f"crossing-{crossing.pk}",
                crossing.approx_date,
                _("Crossed from %(origin)s into %(destination)s (%(method)s)")
                % {
                    "origin": crossing.from_country,
                    "destination": crossing.to_country,
                    "method": crossing.get_method_display(),
                },
                detail=crossing.reason,
                citations=list(crossing.citations.all()),
            )
        )
    for detention in person.detentions.select_related("authority").prefetch_related(_citations()):
        by = f" — {detention.authority.name}" if detention.authority else ""
        entries.append(
            Entry(
                "detention",
                f"detention-{detention.pk}",
                detention.approx_start,
                f"{detention.get_kind_display()}{by}",
                detail=" ".join(filter(None, [detention.place, detention.description])),
                end=detention.approx_end,
                citations=list(detention.citations.all()),
            )
        )
    hearings = {}
    for hearing in Hearing.objects.filter(proceeding__in=proceedings).prefetch_related(
        _citations()
    ):
        hearings.setdefault(hearing.proceeding_id, []).append(hearing)
    rulings = {}
    for ruling in person.rulings.prefetch_related(_citations()):
        rulings.setdefault(ruling.proceeding_id, []).append(ruling)
    for proceeding in proceedings:
        label = _proceeding_label(proceeding)
        own_hearings = hearings.get(proceeding.pk, [])
        own_rulings = rulings.get(proceeding.pk, [])
        dates = sorted([h.approx_date for h in own_hearings] + [r.approx_date for r in own_rulings])
        participants = ", ".join(
            f"{p.get_role_display()} {p.name}" for p in proceeding.participants.all()
        )
        entries.append(
            Entry(
                "proceeding",
                f"proceeding-{proceeding.pk}",
                dates[0] if dates else ApproximateDate(None, "unknown"),
                f"{label}: {proceeding.charge}" if proceeding.charge else label,
                detail=participants,
                end=max((r.approx_date for r in own_rulings), default=None),
                citations=list(proceeding.citations.all()),
                others=_others(proceeding.persons.all(), person, visible_ids),
            )
        )
        for hearing in own_hearings:
            entries.append(
                Entry(
                    "hearing",
                    f"hearing-{hearing.pk}",
                    hearing.approx_date,
                    f"{proceeding.authority.name}: {hearing.title or _('hearing')}",
                    detail=hearing.summary,
                    citations=list(hearing.citations.all()),
                )
            )
        for ruling in own_rulings:
            entries.append(
                Entry(
                    "ruling",
                    f"ruling-{ruling.pk}",
                    ruling.approx_date,
                    f"{proceeding.authority.name}: {_sentence(ruling)}",
                    detail=" ".join(filter(None, [ruling.pre_trial_credit, ruling.summary])),
                    citations=list(ruling.citations.all()),
                )
            )
    for status in person.statuses.select_related("authority").prefetch_related(_citations()):
        title = f"{status.get_status_display()}: {status.get_outcome_display()}"
        if status.authority:
            title += f" — {status.authority.name}"
        detail = ""
        if status.approx_valid_until.is_set:
            detail = _("valid %(start)s until %(end)s") % {
                "start": status.approx_valid_from,
                "end": status.approx_valid_until,
            }
        entries.append(
            Entry(
                "status",
                f"status-{status.pk}",
                status.approx_decided,
                title,
                detail=" ".join(filter(None, [detail, status.note])),
                citations=list(status.citations.all()),
            )
        )
    for event in events:
        entries.append(
            Entry(
                "event",
                f"event-{event.pk}",
                event.approx_date,
                event.title,
                detail=event.description,
                citations=list(event.citations.all()),
                others=_others(event.persons.all(), person, visible_ids),
            )
        )

    entries.sort(key=lambda entry: entry.date.sort_key())
    return Timeline(person, entries, _number_sources(entries))


def _number_sources(entries):
    """Number sources in order of first citation; turn each entry's citations into markers."""
    numbers = {}
    for entry in entries:
        cited = []
        for citation in entry.citations:
            number = numbers.setdefault(citation.source_id, (len(numbers) + 1, citation.source))[0]
            cited.append(CitedSource(number, citation.source, citation.quote, citation.confidence))
        entry.citations = sorted(cited, key=lambda c: c.number)
    return [source for _number, source in sorted(numbers.values(), key=lambda pair: pair[0])]
