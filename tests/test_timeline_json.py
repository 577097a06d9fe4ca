"""/people/<ref>/timeline.json: the timeline as data, in the shape DESIGN.md gives."""

import datetime

import pytest
from django.urls import reverse

from cases.models import Citation, Participant, Ruling
from people.models import Person
from tests.factories import (
    cite,
    fill_case,
    grow_database_around,
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

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}
ENTRY_KEYS = {
    "date",
    "precision",
    "not_later_than",
    "date_display",
    "kind",
    "title",
    "detail",
    "end_date",
    "end_precision",
    "sources",
}
SOURCE_KEYS = {"title", "publisher", "url", "published_on"}


def json_url(person):
    return reverse("cases:person-json", kwargs={"ref": person.ref})


def get_as(client, request, reader, url):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    return client.get(url)


@pytest.fixture
def case(lawyer):
    """A public person with one record of every kind, some cited, and a hidden co-defendant."""
    person = make_person(
        name="Qaisha Aqan",
        variants=["Kaisha Akan"],
        birth_year=1976,
        ethnicity="Kazakh",
        place_of_origin="Xinjiang, China",
        internal_notes="NOTE-family-in-xinjiang",
        lawyers=[lawyer],
    )
    hidden = make_person(
        name="Hidden Codefendant", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )
    article = make_source(
        title="Court Rules That Ethnic Kazakh Will Not Be Deported",
        publisher="RFE/RL (Kazakh Service)",
        url="https://example.org/ruling",
        published=D(2019, 12, 1),
        published_precision="month",
    )
    court = make_authority(name="Zharkent court")
    records = {
        "crossing": make_crossing(person, date=D(2018, 5, 1), date_precision="month"),
        "detention": make_detention(
            person, start=D(2019, 10, 1), end=D(2020, 1, 7), end_precision="day"
        ),
        "event": make_event(
            persons=[person, hidden],
            title="Press conference in Almaty",
            date=None,
            date_precision="unknown",
            date_not_later_than=D(2019, 10, 29),
        ),
    }
    proceeding = make_proceeding(persons=[person, hidden], authority=court)
    Participant.objects.create(proceeding=proceeding, name="E. Asubaeva", role="judge")
    records["proceeding"] = proceeding
    records["hearing"] = make_hearing(proceeding, date=D(2019, 11, 1), date_precision="month")
    records["ruling"] = make_ruling(
        proceeding,
        person,
        date=D(2019, 12, 23),
        sentence_kind=Ruling.SentenceKind.SUSPENDED,
        sentence_months=6,
        removal=Ruling.Removal.REFUSED,
    )
    records["status"] = make_status(person)
    cite(records["ruling"], article, quote="will not be deported")
    cite(records["crossing"], article, confidence=Citation.Confidence.MEDIUM)
    return person, hidden, records


def test_it_gives_the_person_and_the_entries_in_the_documented_shape(client, case):
    person, _hidden, _records = case
    response = client.get(json_url(person))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    data = response.json()
    assert set(data) == {"person", "entries"}
    about = data["person"]
    assert about["ref"] == person.ref
    assert about["name"] == "Qaisha Aqan"
    assert about["url"] == f"http://testserver{person.get_absolute_url()}"
    assert about["timeline_url"] == f"http://testserver{json_url(person)}"
    assert about["variants"] == ["Kaisha Akan"]
    assert about["birth_year"] == 1976 and about["ethnicity"] == "Kazakh"
    assert about["current_status"]["status"] == "refugee"
    assert about["current_status"]["valid_until"] == "2021-10-28"
    assert about["current_status"]["label"] == "Refugee status until 28 October 2021"
    for entry in data["entries"]:
        assert set(entry) == ENTRY_KEYS
        assert entry["kind"] in {
            "crossing",
            "detention",
            "proceeding",
            "hearing",
            "ruling",
            "status",
            "event",
        }
        for source in entry["sources"]:
            assert set(source) == SOURCE_KEYS


def test_its_entries_are_in_chronological_order_with_their_dates(client, case):
    person, _hidden, _records = case
    entries = client.get(json_url(person)).json()["entries"]

    assert [entry["kind"] for entry in entries] == [
        "crossing",
        "detention",
        "event",
        "proceeding",
        "hearing",
        "ruling",
        "status",
    ]
    crossing, detention, event, proceeding, hearing, ruling, status = entries
    assert (crossing["date"], crossing["precision"], crossing["date_display"]) == (
        "2018-05-01",
        "month",
        "May 2018",
    )
    assert crossing["end_date"] is None and crossing["end_precision"] is None
    assert (detention["end_date"], detention["end_precision"]) == ("2020-01-07", "day")
    assert detention["date_display"] == "October 2019 – 7 January 2020"
    assert (event["date"], event["precision"], event["not_later_than"]) == (
        None,
        "unknown",
        "2019-10-29",
    )
    assert event["date_display"] == "date unknown (before 29 October 2019)"
    assert (proceeding["date"], proceeding["end_date"]) == ("2019-11-01", "2019-12-23")
    assert "Took part: judge E. Asubaeva." in proceeding["detail"]
    assert hearing["end_date"] is None
    assert ruling["title"] == (
        "Zharkent court: convicted; suspended prison sentence of 6 months; deportation refused"
    )
    assert ruling["detail"].startswith("Decided by: judge E. Asubaeva.")
    assert (status["date"], status["end_date"], status["end_precision"]) == (
        "2020-10-29",
        "2021-10-28",
        "day",
    )


def test_it_lists_the_sources_of_each_entry(client, case):
    person, _hidden, _records = case
    entries = {entry["kind"]: entry for entry in client.get(json_url(person)).json()["entries"]}

    assert entries["ruling"]["sources"] == [
        {
            "title": "Court Rules That Ethnic Kazakh Will Not Be Deported",
            "publisher": "RFE/RL (Kazakh Service)",
            "url": "https://example.org/ruling",
            # Known to the month: no day is invented.
            "published_on": "2019-12",
        }
    ]
    assert entries["crossing"]["sources"][0]["title"].startswith("Court Rules")
    assert entries["status"]["sources"] == []


@pytest.mark.parametrize("reader", READERS)
def test_it_never_names_a_withheld_person_nor_gives_internal_notes(client, request, case, reader):
    person, hidden, _records = case
    body = get_as(client, request, reader, json_url(person)).content.decode()

    assert "NOTE-family-in-xinjiang" not in body
    assert "internal_notes" not in body
    assert (hidden.name in body) == (reader in {"lawyer", "admin_user"})
    if reader not in {"lawyer", "admin_user"}:
        assert hidden.ref not in body
        assert "withheld" not in body  # not even a placeholder that would confirm them


@pytest.fixture
def persons(lawyer):
    return {
        visibility: make_person(
            name=f"Secret{visibility.title()} Name",
            visibility=visibility,
            internal_notes=f"NOTE-{visibility}",
            lawyers=[lawyer],
        )
        for visibility in Person.Visibility.values
    }


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_it_gives_the_data_only_to_who_may_see_the_person(
    client, request, persons, reader, visibility
):
    person = persons[visibility]
    response = get_as(client, request, reader, json_url(person))
    body = response.content.decode()

    if reader in MAY_SEE[visibility]:
        assert response.status_code == 200
        assert response.json()["person"]["name"] == person.name
    else:
        assert response.status_code == 404
        assert person.name not in body
    assert f"NOTE-{visibility}" not in body


def test_it_is_a_404_for_an_unknown_reference(client):
    assert client.get("/people/zzzzzzzzzz/timeline.json").status_code == 404


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "lawyer", "admin_user"])
@pytest.mark.parametrize("copies", [1, 8])
def test_it_makes_a_fixed_number_of_queries(
    client, request, django_assert_max_num_queries, lawyer, reader, copies
):
    person = make_person(variants=["A", "B"], lawyers=[lawyer])
    fill_case(person, copies)
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))

    with django_assert_max_num_queries(15):
        response = client.get(json_url(person))
    assert len(response.json()["entries"]) == 7 * copies


# The person, then their timeline (nine queries at most, cases/timeline.py); a signed-in
# reader adds their session, user and permissions (two), and the read log's entry (the person
# read here is not public).
JSON_QUERIES = 10
SIGNED_IN_QUERIES = 4 + 1


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "lawyer", "admin_user"])
@pytest.mark.parametrize("others", [1, 30])
def test_its_queries_do_not_grow_with_the_database(
    client, request, django_assert_max_num_queries, lawyer, reader, others
):
    visibility = Person.Visibility.PUBLIC if reader == "anonymous" else Person.Visibility.INTERNAL
    person = make_person(variants=["A"], lawyers=[lawyer], visibility=visibility)
    fill_case(person, 3)
    grow_database_around(person, others)
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    client.get(json_url(person))  # Django reads the content types once a process

    bound = JSON_QUERIES + (SIGNED_IN_QUERIES if reader != "anonymous" else 0)
    with django_assert_max_num_queries(bound):
        response = client.get(json_url(person))
    assert len(response.json()["entries"]) == 7 * 3 + 1
