"""/people.json: the directory as data, with the same filters, search and privacy."""

import datetime

import pytest
from django.urls import reverse

from people.models import Person
from tests.factories import (
    make_crossing,
    make_detention,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
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


def get_json(client, request, reader, params=None):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    response = client.get(reverse("cases:directory-json"), params or {})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response


def make_case(name, **overrides):
    person = make_person(name=name, variants=[f"{name} Variant"], **overrides)
    make_crossing(person)
    make_detention(person)
    proceeding = make_proceeding(persons=[person])
    make_hearing(proceeding)
    make_ruling(proceeding, person)
    make_status(person)
    make_event(persons=[person])
    return person


@pytest.fixture
def persons(lawyer):
    return {
        visibility: make_case(
            f"Secret{visibility.title()} Name",
            visibility=visibility,
            internal_notes=f"NOTE-{visibility}",
            lawyers=[lawyer],
        )
        for visibility in Person.Visibility.values
    }


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize(
    "params",
    [{}, {"q": "secret"}, {"q": "name variant", "status": "refugee"}, {"detained": "yes"}],
)
def test_it_lists_only_persons_the_reader_may_see(client, request, persons, reader, params):
    response = get_json(client, request, reader, params)
    body = response.content.decode()
    data = response.json()
    expected = {person.ref for v, person in persons.items() if reader in MAY_SEE[v]}
    assert {row["ref"] for row in data["results"]} == expected
    assert data["count"] == len(expected)
    for visibility, person in persons.items():
        if reader not in MAY_SEE[visibility]:
            assert person.name not in body
            assert person.ref not in body
    assert "NOTE-" not in body
    assert "internal_notes" not in body


def test_a_result_carries_absolute_links_and_what_a_row_shows(client, persons):
    person = persons["public"]
    data = client.get(reverse("cases:directory-json")).json()
    assert set(data) >= {"count", "next", "previous", "results"}
    (row,) = data["results"]
    assert row["ref"] == person.ref
    assert row["name"] == "SecretPublic Name"
    assert row["url"] == f"http://testserver/people/{person.ref}/"
    assert row["timeline_url"] == f"http://testserver/people/{person.ref}/timeline.json"
    assert row["variants"] == ["SecretPublic Name Variant"]
    assert row["current_status"] == "refugee"
    assert row["last_entry_date"] == "2020-10-29"
    assert row["last_entry"]["kind"] == "status"
    assert row["last_entry"]["date_display"] == "29 October 2020"
    assert row["crossing_year"] == 2018
    assert row["matched_variant"] is None
    assert data["next"] is None and data["previous"] is None


def test_it_searches_and_filters_like_the_page(client):
    aqan = make_person(name="Qaisha Aqan", variants=["Қайша Ақан"], sex="female")
    make_status(aqan)
    make_person(name="Baghashar Malikuly", sex="male")
    data = client.get(reverse("cases:directory-json"), {"q": "қайша"}).json()
    assert [row["name"] for row in data["results"]] == ["Qaisha Aqan"]
    assert data["results"][0]["matched_variant"] == "Қайша Ақан"
    by_sex = client.get(reverse("cases:directory-json"), {"sex": "male"}).json()
    assert [row["name"] for row in by_sex["results"]] == ["Baghashar Malikuly"]
    by_status = client.get(reverse("cases:directory-json"), {"status": "none"}).json()
    assert [row["name"] for row in by_status["results"]] == ["Baghashar Malikuly"]


def test_it_pages_with_absolute_next_and_previous_links_that_keep_the_filters(client):
    for number in range(30):
        make_person(name=f"Person {number:02d}", sex="female")
    first = client.get(reverse("cases:directory-json"), {"sex": "female"}).json()
    assert first["count"] == 30 and len(first["results"]) == 25
    assert first["next"] == "http://testserver/people.json?sex=female&page=2"
    assert first["previous"] is None
    second = client.get(first["next"]).json()
    assert [row["name"] for row in second["results"]] == [f"Person {n}" for n in range(25, 30)]
    assert second["next"] is None
    assert second["previous"] == "http://testserver/people.json?sex=female"
    past_the_end = client.get(reverse("cases:directory-json"), {"page": "999"}).json()
    assert past_the_end["results"] == second["results"]


def test_a_bad_value_is_reported_and_only_that_filter_ignored(client):
    make_person(name="Qaisha Aqan", sex="female")
    make_person(name="Baghashar Malikuly", sex="male")
    response = client.get(reverse("cases:directory-json"), {"year_min": "abc", "sex": "male"})
    assert response.status_code == 200
    data = response.json()
    assert [row["name"] for row in data["results"]] == ["Baghashar Malikuly"]
    assert list(data["errors"]) == ["year_min"]


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize("params", [{}, {"q": "person", "detained": "yes", "status": "refugee"}])
def test_it_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries, count, params
):
    for number in range(count):
        make_case(f"Person {number}", visibility="confidential")
    client.force_login(admin_user)
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:directory-json"), params)
    assert response.json()["count"] == count
