import datetime

import pytest
from django.urls import reverse

from people.models import Person
from tests.factories import cite, make_crossing, make_event, make_person, make_proceeding

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
# Who may open the page of a person of each visibility; "lawyer" is the assigned one.
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}
MAY_READ_NOTES = {"lawyer", "admin_user"}


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


def get_as(client, request, reader, url):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    return client.get(url)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_it_shows_a_person_only_to_who_may_see_them(client, request, persons, reader, visibility):
    person = persons[visibility]
    response = get_as(client, request, reader, person.get_absolute_url())
    body = response.content.decode()
    if reader in MAY_SEE[visibility]:
        assert response.status_code == 200
        assert person.name in body
        assert (f"NOTE-{visibility}" in body) == (reader in MAY_READ_NOTES)
    else:
        assert response.status_code == 404
        assert person.name not in body


@pytest.mark.parametrize("reader", READERS)
def test_the_directory_lists_only_visible_persons(client, request, persons, reader):
    body = get_as(client, request, reader, reverse("cases:directory")).content.decode()
    for visibility, person in persons.items():
        assert (person.name in body) == (reader in MAY_SEE[visibility])
    assert "NOTE-" not in body


def test_a_shared_record_withholds_the_name_of_a_person_the_reader_may_not_see(client, persons):
    public, confidential = persons["public"], persons["confidential"]
    make_proceeding(persons=[public, confidential])
    make_event(persons=[public, confidential], title="Press conference")
    body = client.get(public.get_absolute_url()).content.decode()
    assert confidential.name not in body
    assert confidential.ref not in body
    assert body.count("a person whose name is withheld") == 2


def test_a_shared_record_links_a_person_the_reader_may_see(client, persons):
    public = persons["public"]
    other = make_person(name="Visible Codefendant")
    make_proceeding(persons=[public, other])
    body = client.get(public.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}"' in body


def test_the_url_of_a_person_holds_a_reference_not_a_name(persons):
    for person in persons.values():
        assert person.name.split()[0] not in person.get_absolute_url()
        assert person.ref in person.get_absolute_url()


def test_it_numbers_sources_and_shows_entries_in_order(client):
    person = make_person()
    late = make_crossing(person, date=datetime.date(2019, 10, 1), date_precision="day")
    early = make_crossing(person, date=datetime.date(2018, 5, 1), date_precision="month")
    cite(late, quote="crossed on October 1")
    cite(early)
    body = client.get(person.get_absolute_url()).content.decode()
    assert body.index("May 2018") < body.index("1 October 2019")
    assert 'href="#source-1"' in body and 'id="source-2"' in body
