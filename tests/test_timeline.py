"""build_timeline: every record kind merged into one sourced, chronological list."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Citation, Participant, Ruling, StatusDecision
from cases.models.statuses import annotate_current_status
from cases.timeline import build_timeline, build_timelines, current_status
from people.models import Person
from tests.factories import (
    cite,
    fill_case,
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_source,
    make_status,
)

D = datetime.date
pytestmark = pytest.mark.django_db

NO_PERIOD = {
    "valid_from": None,
    "valid_from_precision": "",
    "valid_until": None,
    "valid_until_precision": "",
}


def anchors(timeline):
    return [entry.anchor for entry in timeline.entries]


def entry_of(timeline, record, kind):
    return next(e for e in timeline.entries if e.anchor == f"{kind}-{record.pk}")


def test_it_merges_every_record_kind_in_date_order():
    person = make_person()
    court = make_authority(name="Zharkent court")
    status = make_status(person, decided=D(2020, 10, 29))
    crossing = make_crossing(person, date=D(2018, 5, 1), date_precision="month")
    proceeding = make_proceeding(persons=[person], authority=court)
    ruling = make_ruling(proceeding, person, date=D(2019, 12, 23))
    hearing = make_hearing(proceeding, date=D(2019, 11, 1), date_precision="month")
    event = make_event(persons=[person], date=D(2019, 10, 14))
    detention = make_detention(person, start=D(2019, 10, 1), start_precision="month")

    timeline = build_timeline(person, AnonymousUser())

    assert anchors(timeline) == [
        f"crossing-{crossing.pk}",
        f"detention-{detention.pk}",
        f"event-{event.pk}",
        f"proceeding-{proceeding.pk}",
        f"hearing-{hearing.pk}",
        f"ruling-{ruling.pk}",
        f"status-{status.pk}",
    ]
    assert [group.year for group in timeline.groups] == [2018, 2019, 2020]


def test_it_puts_the_precise_date_first_among_entries_of_the_same_first_day():
    person = make_person()
    make_event(persons=[person], title="Y", date=D(2019, 1, 1), date_precision="year")
    make_event(persons=[person], title="L", date=D(2019, 3, 5))
    make_event(persons=[person], title="M", date=D(2019, 1, 1), date_precision="month")
    make_event(persons=[person], title="D", date=D(2019, 1, 1))

    titles = [entry.title for entry in build_timeline(person, AnonymousUser()).entries]

    # As ApproximateDate.sort_key orders them: by first possible day, then precision.
    assert titles == ["D", "M", "Y", "L"]


def test_it_places_an_undated_entry_by_its_bound_and_one_without_at_the_end():
    person = make_person()
    unbounded = make_event(persons=[person], title="Unbounded", date=None, date_precision="unknown")
    bounded = make_event(
        persons=[person],
        title="Bounded",
        date=None,
        date_precision="unknown",
        date_not_later_than=D(2019, 10, 29),
    )
    make_event(persons=[person], title="Early", date=D(2019, 5, 1))
    make_event(persons=[person], title="Late", date=D(2019, 11, 1))
    make_event(persons=[person], title="Next year", date=D(2020, 2, 1))

    timeline = build_timeline(person, AnonymousUser())

    assert [e.title for e in timeline.entries] == [
        "Early",
        "Bounded",
        "Late",
        "Next year",
        "Unbounded",
    ]
    groups = timeline.groups
    assert [group.year for group in groups] == [2019, 2020, None]
    assert [group.label for group in groups] == ["2019", "2020", "Date unknown"]
    assert [group.html_id for group in groups] == ["year-2019", "year-2020", "year-unknown"]
    assert entry_of(timeline, bounded, "event").date_display == (
        "date unknown (before 29 October 2019)"
    )
    assert entry_of(timeline, unbounded, "event").date_display == "date unknown"


def test_it_says_what_a_ruling_decided_in_one_sentence():
    person = make_person()
    court = make_authority(name="Zharkent court")
    proceeding = make_proceeding(persons=[person], authority=court)
    Participant.objects.create(proceeding=proceeding, name="E. Asubaeva", role="judge")
    Participant.objects.create(proceeding=proceeding, name="A. Imyarova", role="prosecutor")
    Participant.objects.create(proceeding=proceeding, name="B. Azanov", role="defence")
    ruling = make_ruling(
        proceeding,
        person,
        sentence_kind=Ruling.SentenceKind.SUSPENDED,
        sentence_months=6,
        removal=Ruling.Removal.REFUSED,
        pre_trial_credit="one day counts as two",
    )

    timeline = build_timeline(person, AnonymousUser())
    entry = entry_of(timeline, ruling, "ruling")
    case = entry_of(timeline, proceeding, "proceeding")

    assert entry.title == (
        "Zharkent court: convicted; suspended prison sentence of 6 months; deportation refused"
    )
    assert ("Decided by", "judge E. Asubaeva") in entry.facts
    assert ("Credit for pre-trial detention", "one day counts as two") in entry.facts
    assert entry.part_of == case.html_id
    assert case.title == "Criminal case before Zharkent court: illegal border crossing"
    assert (
        "Took part",
        "judge E. Asubaeva, prosecutor A. Imyarova, defence lawyer B. Azanov",
    ) in case.facts


def test_it_spans_a_proceeding_from_its_first_hearing_to_its_last_ruling():
    person = make_person()
    proceeding = make_proceeding(persons=[person])
    make_hearing(proceeding, date=D(2019, 11, 1), date_precision="month")
    make_hearing(proceeding, date=D(2019, 12, 23))
    make_ruling(proceeding, person, date=D(2019, 12, 23))
    appeal = make_proceeding(persons=[person], kind="asylum_appeal")
    make_hearing(appeal, date=D(2020, 3, 2))

    timeline = build_timeline(person, AnonymousUser())
    closed = entry_of(timeline, proceeding, "proceeding")
    pending = entry_of(timeline, appeal, "proceeding")

    assert closed.date_display == "November 2019 – 23 December 2019"
    assert closed.end.date == D(2019, 12, 23) and not closed.is_open_ended
    assert pending.is_open_ended
    assert pending.date_display == "2 March 2020 – no ruling yet"


def test_it_dates_an_application_by_the_status_decision_that_ends_it():
    person = make_person()
    application = make_proceeding(persons=[person], kind="asylum", charge="")
    make_status(person, proceeding=application, decided=D(2020, 10, 29))

    entry = entry_of(build_timeline(person, AnonymousUser()), application, "proceeding")

    assert entry.date.date == D(2020, 10, 29)
    assert entry.end.date == D(2020, 10, 29)


def test_it_describes_detentions_crossings_statuses_and_events():
    person = make_person()
    police = make_authority(name="Immigration police", kind="police")
    detention = make_detention(
        person, kind="immigration", place="Almaty", authority=police, end=None, end_precision=""
    )
    crossing = make_crossing(person, place="Khorgos", reason="feared a camp")
    status = make_status(person, authority=make_authority(name="Aqmola commission"))
    refused = make_status(
        person, outcome=StatusDecision.Outcome.REFUSED, decided=D(2021, 3, 1), **NO_PERIOD
    )
    event = make_event(persons=[person], place="Almaty", title="Press conference")

    timeline = build_timeline(person, AnonymousUser())

    held = entry_of(timeline, detention, "detention")
    assert held.title == "Held in immigration detention"
    assert ("Where", "Almaty") in held.facts and ("By", "Immigration police") in held.facts
    assert held.is_open_ended and held.date_display == "October 2019 – ongoing"
    crossed = entry_of(timeline, crossing, "crossing")
    assert crossed.title == "Crossed irregularly from China into Kazakhstan"
    assert ("Why", "feared a camp") in crossed.facts
    granted = entry_of(timeline, status, "status")
    assert granted.title == "Aqmola commission: refugee status granted"
    assert ("Valid", "29 October 2020 – 28 October 2021") in granted.facts
    assert granted.is_period and granted.end.date == D(2021, 10, 28)
    no = entry_of(timeline, refused, "status")
    assert no.title == "Refugee status refused" and not no.is_period
    assert entry_of(timeline, event, "event").facts == [("Where", "Almaty")]


def test_it_numbers_sources_by_first_citation_and_keeps_every_citation():
    person = make_person()
    early = make_crossing(person, date=D(2018, 5, 1), date_precision="month")
    late = make_event(persons=[person], date=D(2019, 10, 14))
    article = make_source(title="Article")
    verdict = make_source(title="Verdict")
    cite(late, verdict, quote="five years in a camp")
    cite(late, article, quote="several years in a camp", confidence=Citation.Confidence.MEDIUM)
    cite(early, article, quote="crossed in May 2018")

    timeline = build_timeline(person, AnonymousUser())

    assert [numbered.source.title for numbered in timeline.sources] == ["Article", "Verdict"]
    cited = entry_of(timeline, late, "event").citations
    # Sources that disagree both stay cited; the doubtful one says so.
    assert [(c.number, c.quote, c.is_confident) for c in cited] == [
        (1, "several years in a camp", False),
        (2, "five years in a camp", True),
    ]
    assert cited[0].confidence_label == "medium"
    first = timeline.sources[0]
    assert first.html_id == "source-1"
    assert [(entry.anchor, c.quote) for entry, c in first.citations] == [
        (f"crossing-{early.pk}", "crossed in May 2018"),
        (f"event-{late.pk}", "several years in a camp"),
    ]


@pytest.mark.parametrize(
    ("reader", "sees_name"),
    [("anonymous", False), ("researcher", False), ("lawyer", True), ("admin_user", True)],
)
def test_it_names_the_other_persons_of_a_shared_record_it_may_show_and_leaves_out_the_rest(
    request, lawyer, reader, sees_name
):
    person = make_person(name="Public Person")
    visible = make_person(name="Alice Visible")
    hidden = make_person(
        name="Zed Hidden", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )
    proceeding = make_proceeding(persons=[person, hidden, visible])
    event = make_event(persons=[person, hidden])

    timeline = build_timeline(person, request.getfixturevalue(reader))

    case = entry_of(timeline, proceeding, "proceeding")
    assert case.others[0].name == "Alice Visible"
    assert case.others[0].url == visible.get_absolute_url()
    names = [other.name for other in case.others + entry_of(timeline, event, "event").others]
    if sees_name:
        assert names == ["Alice Visible", "Zed Hidden", "Zed Hidden"]
    else:
        # No placeholder: "a person whose name is withheld" would confirm that one exists.
        assert names == ["Alice Visible"]
        data = str(timeline.as_data(lambda path: path))
        assert "Zed Hidden" not in data and "withheld" not in data


def test_it_reads_the_other_names_of_the_person():
    person = make_person(variants=["Қайша Ақан", "Kaisha Akan"])
    person.variants.filter(name="Қайша Ақан").update(script="cyrillic")

    variants = build_timeline(person, AnonymousUser()).variants

    assert [(v.name, v.script) for v in variants] == [
        ("Қайша Ақан", "cyrillic"),
        ("Kaisha Akan", "latin"),
    ]


def test_its_current_status_is_the_one_annotate_current_status_picks():
    cases = {
        "granted then refused": [
            {"decided": D(2020, 10, 29)},
            {"decided": D(2021, 3, 1), "outcome": "refused", **NO_PERIOD},
        ],
        "undated decision is oldest": [
            {"decided": None, "decided_precision": "unknown", "status": "citizenship"},
            {"decided": D(2019, 10, 29), "status": "asylum_seeker"},
        ],
        "same day, last recorded": [
            {"decided": D(2020, 1, 1), "status": "asylum_seeker"},
            {"decided": D(2020, 1, 1), "status": "refugee"},
        ],
        "only refused": [{"outcome": "refused", **NO_PERIOD}],
    }
    persons = {}
    for name, decisions in cases.items():
        persons[name] = make_person()
        for fields in decisions:
            make_status(persons[name], **fields)
    annotated = {p.pk: p for p in annotate_current_status(Person.objects.all())}

    for name, person in persons.items():
        current = build_timeline(person, AnonymousUser()).current_status
        expected = annotated[person.pk].current_status_id
        assert (current.decision.pk if current else None) == expected, name


def test_its_current_status_reads_as_a_badge_and_counts_down():
    person = make_person()
    make_status(person, valid_until=D(2021, 10, 28))
    today = D(2021, 9, 17)

    current = build_timeline(person, AnonymousUser(), today=today).current_status

    assert current.label == "Refugee status until 28 October 2021"
    assert (current.expiry_state, current.countdown) == ("expiring", "expires in 41 days")
    current.today = D(2021, 11, 1)
    assert (current.expiry_state, current.countdown) == ("expired", "expired 4 days ago")
    assert current.is_expired
    current.today = D(2021, 1, 1)
    assert current.expiry_state == "valid"


def test_a_status_with_no_end_reads_since_and_does_not_count_down():
    person = make_person()
    make_status(
        person,
        status="asylum_seeker",
        decided=D(2019, 10, 29),
        valid_from=D(2019, 10, 29),
        valid_until=None,
        valid_until_precision="",
    )

    current = current_status(list(StatusDecision.objects.filter(person=person)))

    assert current.label == "Asylum-seeker status since 29 October 2019"
    assert current.countdown == "" and current.expiry_state is None


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "lawyer", "admin_user"])
def test_it_makes_as_many_queries_for_a_long_case_as_for_a_short_one(request, reader):
    user = request.getfixturevalue(reader)
    short, long = make_person(variants=["A"]), make_person(variants=["B", "C"])
    fill_case(short, 1)
    fill_case(long, 6)
    build_timeline(short, user)  # the reader's permissions are cached from here on

    counts = []
    for person in (short, long):
        with CaptureQueriesContext(connection) as queries:
            timeline = build_timeline(person, user)
        counts.append(len(queries))
    assert len(timeline.entries) == 6 * 7
    assert counts[0] == counts[1] <= 9


def summary(timeline):
    """What a reader is shown of a timeline, as plain values."""
    entries = [
        (
            entry.anchor,
            str(entry.title),
            entry.plain_detail(),
            entry.date_display,
            [(cited.number, cited.source.title, cited.quote) for cited in entry.citations],
        )
        for entry in timeline.entries
    ]
    sources = [(source.number, source.source.title) for source in timeline.sources]
    current = timeline.current_status.label if timeline.current_status else None
    return entries, sources, [variant.name for variant in timeline.variants], current


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "admin_user"])
def test_a_batch_gives_each_person_the_timeline_they_have_alone(request, reader):
    user = request.getfixturevalue(reader)
    persons = [make_person(variants=[f"V{number}"]) for number in range(4)]
    for number, person in enumerate(persons):
        fill_case(person, number + 1)
    shared = make_proceeding(persons=persons[:2])  # a record of two persons of the batch
    cite(shared)

    batch = build_timelines(persons, user)

    assert [timeline.person for timeline in batch] == persons
    assert [summary(timeline) for timeline in batch] == [
        summary(build_timeline(person, user)) for person in persons
    ]


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "admin_user"])
def test_it_builds_many_timelines_in_as_many_queries_as_one(request, reader):
    user = request.getfixturevalue(reader)
    persons = [make_person(variants=["A"]) for _number in range(12)]
    for person in persons:
        fill_case(person, 2)
    build_timelines(persons[:1], user)  # the reader's permissions are cached from here on

    counts = []
    for batch in (persons[:1], persons):
        with CaptureQueriesContext(connection) as queries:
            timelines = build_timelines(batch, user)
        counts.append(len(queries))
    assert sum(len(timeline.entries) for timeline in timelines) == 12 * 2 * 7
    assert counts[0] == counts[1] <= 9
