"""A person's history page: who changed what and when, for those who manage the person."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.history import person_history
from people.models import Person
from tests.factories import (
    cite,
    make_crossing,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}
MANAGES = {"lawyer", "admin_user"}


def history_url(person):
    return reverse("account:person-history", kwargs={"ref": person.ref})


def login(client, request, reader):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))


def rows(changes, kind=None):
    """(kind, action, [(label, before, after)…]) of each change, newest first."""
    return [
        (change.kind.name, change.action, [(f.label, f.before, f.after) for f in change.fields])
        for change in changes
        if kind is None or change.kind.name == kind
    ]


@pytest.fixture
def persons(lawyer):
    made = {}
    for visibility in Person.Visibility.values:
        person = make_person(
            name=f"Secret{visibility.title()} Name",
            visibility=visibility,
            internal_notes=f"OLD-NOTE-{visibility}",
            lawyers=[lawyer],
        )
        person.internal_notes = f"NOTE-{visibility}"
        person.save()
        made[visibility] = person
    return made


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_it_shows_the_history_only_to_who_manages_the_person(
    client, request, persons, reader, visibility
):
    person = persons[visibility]
    login(client, request, reader)
    response = client.get(history_url(person))
    body = response.content.decode()
    if reader == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif reader in MANAGES:
        assert response.status_code == 200
        assert f"OLD-NOTE-{visibility}" in body
    else:
        assert response.status_code == (403 if reader in MAY_SEE[visibility] else 404)
    if reader not in MANAGES:
        assert "NOTE-" not in body
    if reader not in MAY_SEE[visibility]:
        assert person.name not in body


def test_it_shows_a_change_with_field_names_choices_who_and_when(client, lawyer, persons):
    person = persons["internal"]
    client.force_login(lawyer)
    edit = reverse("account:person-edit", kwargs={"ref": person.ref})
    form = client.get(edit).context["form"]
    client.post(
        edit,
        {
            "name": person.name,
            "sex": Person.Sex.FEMALE,
            "birth_year": "1976",
            "internal_notes": "Family still in Xinjiang",
            "version": form.initial["version"],
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-name": "Сикрет",
            "variants-0-script": "cyrillic",
        },
    )
    changes = person_history(person, lawyer)
    assert rows(changes)[:2] == [
        ("variant", "added", [("Name", "—", "Сикрет"), ("Script", "—", "Cyrillic")]),
        (
            "person",
            "changed",
            [
                ("Sex", "not known", "female"),
                ("Birth year", "—", "1976"),
                ("Birth year is approximate", "yes", "no"),
                ("Internal notes", "NOTE-internal", "Family still in Xinjiang"),
            ],
        ),
    ]
    assert changes[1].user == lawyer
    body = client.get(history_url(person)).content.decode()
    assert "not known" in body and "Family still in Xinjiang" in body
    assert f'id="{changes[1].anchor}"' in body
    assert "by lawyer" in body


def test_it_shows_an_approximate_date_as_one_readable_date(lawyer, persons):
    crossing = make_crossing(persons["public"])
    crossing.date, crossing.date_precision = datetime.date(2018, 5, 12), "day"
    crossing.save()
    assert rows(person_history(persons["public"], lawyer), "crossing")[0] == (
        "crossing",
        "changed",
        [("Date of crossing", "May 2018", "12 May 2018")],
    )


def test_it_shows_creations_and_deletions_with_their_values(client, lawyer, persons):
    person = persons["confidential"]
    status = make_status(person, note="granted for one year")
    cite(status, quote="granted refugee status")
    status.delete()
    changes = rows(person_history(person, lawyer))
    kinds = [(kind, action) for kind, action, _fields in changes]
    assert ("status", "added") in kinds
    assert ("status", "deleted") in kinds
    assert ("citation", "deleted") in kinds
    deleted = next(
        fields for kind, action, fields in changes if (kind, action) == ("status", "deleted")
    )
    assert ("Note", "granted for one year", "—") in deleted
    assert ("Status", "refugee", "—") in deleted
    client.force_login(lawyer)
    body = client.get(history_url(person)).content.decode()
    assert "granted refugee status" in body


def test_it_shows_the_assigned_lawyers_by_name(lawyer, other_lawyer, admin_user, persons):
    person = persons["public"]
    person.lawyers.add(other_lawyer)
    latest = rows(person_history(person, admin_user), "person")[0]
    assert latest == ("person", "changed", [("Assigned lawyers", "lawyer", "lawyer, other_lawyer")])


def test_a_shared_proceeding_withholds_the_names_the_reader_may_not_see(
    client, lawyer, other_lawyer, persons
):
    mine = persons["public"]
    hidden = make_person(
        name="Hidden Codefendant", visibility="confidential", lawyers=[other_lawyer]
    )
    visible = make_person(name="Visible Codefendant", visibility="internal")
    proceeding = make_proceeding(persons=[mine, hidden, visible], case_number="2-77/2019")
    make_event(persons=[mine, hidden], title="Press conference in Almaty")
    make_hearing(proceeding, title="first session")
    changes = person_history(mine, lawyer)
    shared = rows(changes, "proceeding")[0]
    assert shared[2] == [
        (
            "Persons concerned",
            "—",
            # The hidden codefendant is left out, not counted: a count would confirm them.
            "SecretPublic Name, Visible Codefendant",
        )
    ]
    client.force_login(lawyer)
    body = client.get(history_url(mine)).content.decode()
    assert "2-77/2019" in body and "first session" in body and "Press conference" in body
    assert "Hidden Codefendant" not in body
    assert hidden.ref not in body


def test_a_record_moved_to_a_hidden_person_shows_nothing_of_what_it_became(
    client, lawyer, other_lawyer, persons
):
    mine = persons["internal"]
    hidden = make_person(name="Hidden Person", visibility="confidential", lawyers=[other_lawyer])
    proceeding = make_proceeding(persons=[mine, hidden])
    ruling = make_ruling(proceeding, person=mine, summary="suspended sentence")
    ruling.person = hidden
    ruling.save()
    ruling.summary = "SECRET-AFTER-MOVE"
    ruling.save()
    assert rows(person_history(mine, lawyer), "ruling")[0] == (
        "ruling",
        "moved_out",
        [("Person", "SecretInternal Name", "a person whose name is withheld")],
    )
    client.force_login(lawyer)
    body = client.get(history_url(mine)).content.decode()
    assert "SECRET-AFTER-MOVE" not in body and "Hidden Person" not in body


def test_changes_after_the_person_left_a_shared_record_are_not_shown(lawyer, other_lawyer, persons):
    mine = persons["public"]
    hidden = make_person(name="Hidden Person", visibility="confidential", lawyers=[other_lawyer])
    proceeding = make_proceeding(persons=[mine, hidden], charge="illegal border crossing")
    make_hearing(proceeding, title="before leaving")
    proceeding.persons.remove(mine)
    proceeding.charge = "SECRET-CHARGE"
    proceeding.save()
    hearing = make_hearing(proceeding, title="SECRET-HEARING")
    hearing.refresh_from_db()
    shown = [
        (change.kind.name, change.action, change.label) for change in person_history(mine, lawyer)
    ]
    assert ("proceeding", "moved_out") in [(kind, action) for kind, action, _label in shown]
    text = repr(rows(person_history(mine, lawyer))) + repr(shown)
    assert "SECRET-CHARGE" not in text and "SECRET-HEARING" not in text
    assert "before leaving" in text


def _fill_case(person, count):
    for _index in range(count):
        crossing = make_crossing(person)
        crossing.place = "Khorgos"
        crossing.save()
        cite(crossing)
        proceeding = make_proceeding(persons=[person])
        make_hearing(proceeding)
        make_ruling(proceeding, person=person)
        make_status(person)
        make_event(persons=[person])


def test_the_history_makes_a_fixed_number_of_queries(client, lawyer, persons):
    person = persons["internal"]
    client.force_login(lawyer)
    _fill_case(person, 1)
    client.get(history_url(person))  # Django caches content types on the first request
    with CaptureQueriesContext(connection) as few:
        client.get(history_url(person))
    _fill_case(person, 5)
    with CaptureQueriesContext(connection) as many:
        response = client.get(history_url(person))
    assert response.status_code == 200
    # 25, one query for the hidden names withheld, and the read log's one INSERT.
    assert len(few) == len(many) <= 27
