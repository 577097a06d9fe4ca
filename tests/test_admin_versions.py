"""The admin obeys the lawyer pages' write gate: version checks, reverts, person deletion."""

import threading

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.test import Client
from django.urls import reverse

from cases.models import BorderCrossing, Event, Proceeding, Ruling
from casetracker.admin_access import RecordAdmin
from people.models import Person
from people.roles import ADMINS, ensure_roles
from tests.factories import (
    cite,
    make_crossing,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_source,
    make_user,
)
from tests.test_admin import form_data

STALE = "Someone else saved this record after you opened it"


def admin_url(obj, view="change", *args):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=(obj.pk, *args))


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def change_admins():
    return [
        model_admin
        for model_admin in admin.site._registry.values()
        if isinstance(model_admin, RecordAdmin)
    ]


@pytest.mark.django_db
def test_every_record_admin_change_form_carries_the_version(admin_user):
    person = make_person()
    proceeding = make_proceeding(persons=[person])
    ruling = make_ruling(proceeding, person)
    objects = {
        "person": person,
        "namevariant": person.variants.create(name="Variant"),
        "bordercrossing": make_crossing(person),
        "proceeding": proceeding,
        "hearing": make_hearing(proceeding),
        "participant": proceeding.participants.create(name="Judge X", role="judge"),
        "ruling": ruling,
        "citation": cite(ruling),
        "event": make_event(persons=[person]),
        "source": make_source(),
    }
    client = signed_in(admin_user)
    checked = set()
    for model_admin in change_admins():
        obj = objects.get(model_admin.model._meta.model_name)
        if obj is None:
            obj = model_admin.model._default_manager.first()
        if obj is None:
            continue
        response = client.get(admin_url(obj))
        assert response.status_code == 200, model_admin
        form = response.context["adminform"].form
        assert form["version"].value(), model_admin
        assert 'name="version"' in response.content.decode(), model_admin
        checked.add(model_admin.model._meta.model_name)
    assert set(objects) <= checked


@pytest.mark.django_db
def test_a_stale_admin_save_is_refused_and_keeps_what_was_typed(admin_user):
    crossing = make_crossing(place="Khorgos")
    url = admin_url(crossing)
    mine, theirs = signed_in(admin_user), signed_in(admin_user)
    my_data = form_data(mine.get(url))
    their_data = form_data(theirs.get(url))
    their_data["place"] = "Zharkent"
    assert theirs.post(url, their_data).status_code == 302
    rows_before = crossing.history.count()

    my_data["place"] = "Bakhty"
    response = mine.post(url, my_data)

    assert response.status_code == 200
    assert STALE in response.content.decode()
    assert response.context["adminform"].form["place"].value() == "Bakhty"
    crossing.refresh_from_db()
    assert crossing.place == "Zharkent"
    assert crossing.history.count() == rows_before

    # Having read the message, saving again keeps my version.
    again = form_data(response)
    assert mine.post(url, again).status_code == 302
    crossing.refresh_from_db()
    assert crossing.place == "Bakhty"


@pytest.mark.django_db
def test_an_admin_save_without_a_current_version_is_refused(admin_user):
    crossing = make_crossing(place="Khorgos")
    client = signed_in(admin_user)
    data = form_data(client.get(admin_url(crossing)))
    data["place"] = "Forged"
    for version in [None, "", "2001-01-01T00:00:00+00:00"]:
        if version is None:
            data.pop("version")
        else:
            data["version"] = version
        assert client.post(admin_url(crossing), data).status_code == 200
    crossing.refresh_from_db()
    assert crossing.place == "Khorgos"


@pytest.mark.django_db
def test_a_stale_save_of_inline_rows_writes_none_of_them(admin_user):
    # Inline rows are covered by their parent's version: every save of the change form
    # saves the parent, so the second of two saves of one version is refused whole.
    crossing = make_crossing()
    citation = cite(crossing, quote="first quote")
    url = admin_url(crossing)
    mine, theirs = signed_in(admin_user), signed_in(admin_user)
    my_data, their_data = form_data(mine.get(url)), form_data(theirs.get(url))
    prefix = "cases-citation-content_type-object_id-0-quote"
    their_data[prefix] = "their quote"
    assert theirs.post(url, their_data).status_code == 302
    my_data[prefix] = "my quote"

    assert mine.post(url, my_data).status_code == 200

    citation.refresh_from_db()
    assert citation.quote == "their quote"


@pytest.mark.django_db
def test_a_record_deleted_meanwhile_is_not_saved(admin_user):
    crossing = make_crossing()
    client = signed_in(admin_user)
    data = form_data(client.get(admin_url(crossing)))
    BorderCrossing.objects.filter(pk=crossing.pk).delete()
    response = client.post(admin_url(crossing), data)
    assert response.status_code == 302  # Django's "does not exist" redirect
    assert not BorderCrossing.objects.exists()


# Reverts -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_revert_keeps_the_fields_the_user_may_not_change(lawyer, admin_user):
    person = make_person(visibility=Person.Visibility.PUBLIC, place_of_origin="Tekes")
    person.lawyers.add(lawyer)
    old = person.history.latest("history_date")
    person.visibility = Person.Visibility.CONFIDENTIAL
    person.place_of_origin = "Zhaosu"
    person.save()
    client = signed_in(lawyer)
    url = admin_url(person, "simple_history", old.history_id)
    page = client.get(url)
    form = page.context["adminform"].form
    assert form["place_of_origin"].value() == "Tekes"
    assert "visibility" not in form.fields

    assert client.post(url, form_data(page)).status_code == 302

    person.refresh_from_db()
    assert (person.place_of_origin, person.visibility) == ("Tekes", "confidential")
    # An admin's revert may restore the visibility: the field is theirs to change.
    client = signed_in(admin_user)
    page = client.get(url)
    assert page.context["adminform"].form["visibility"].value() == "public"
    assert client.post(url, form_data(page)).status_code == 302
    person.refresh_from_db()
    assert person.visibility == Person.Visibility.PUBLIC


@pytest.mark.django_db
def test_a_revert_over_a_newer_save_is_refused(admin_user):
    crossing = make_crossing(place="Khorgos")
    old = crossing.history.latest("history_date")
    client = signed_in(admin_user)
    url = admin_url(crossing, "simple_history", old.history_id)
    data = form_data(client.get(url))
    crossing.place = "Saved meanwhile"
    crossing.save()

    response = client.post(url, data)

    assert response.status_code == 200
    assert STALE in response.content.decode()
    crossing.refresh_from_db()
    assert crossing.place == "Saved meanwhile"


@pytest.mark.django_db
def test_a_revert_restores_the_persons_a_shared_record_then_concerned(admin_user):
    first, second = make_person(), make_person()
    event = make_event(persons=[first])
    old = event.history.latest("history_date")
    event.persons.set([second])
    client = signed_in(admin_user)
    url = admin_url(event, "simple_history", old.history_id)
    page = client.get(url)
    assert page.context["adminform"].form["persons"].value() == [first.pk]
    assert client.post(url, form_data(page)).status_code == 302
    assert list(Event.objects.get().persons.all()) == [first]


@pytest.mark.django_db
def test_a_lawyer_of_only_some_persons_cannot_revert_a_shared_record(lawyer):
    mine = make_person(lawyers=[lawyer])
    proceeding = make_proceeding(persons=[mine, make_person()], charge="as charged")
    old = proceeding.history.earliest("history_date")
    client = signed_in(lawyer)
    url = admin_url(proceeding, "simple_history", old.history_id)
    assert client.get(url).status_code == 200
    assert client.post(url, {"charge": "rewritten"}).status_code == 403
    assert Proceeding.objects.get().charge == "as charged"


@pytest.mark.django_db
def test_the_history_of_a_hearing_hides_versions_of_a_proceeding_the_reader_may_not_see(
    other_lawyer,
):
    secret = make_person(visibility=Person.Visibility.CONFIDENTIAL)
    hidden = make_proceeding(persons=[secret])
    visible = make_proceeding(persons=[make_person(visibility=Person.Visibility.PUBLIC)])
    hearing = make_hearing(hidden, place="Closed court", summary="Secret testimony")
    old = hearing.history.latest("history_date")
    hearing.proceeding, hearing.place, hearing.summary = visible, "Open court", "Adjourned"
    hearing.save()
    client = signed_in(other_lawyer)

    body = client.get(admin_url(hearing, "history")).content.decode()

    assert "Secret testimony" not in body and "Closed court" not in body
    assert "Open court" in body or "Adjourned" in body
    assert client.get(admin_url(hearing, "simple_history", old.history_id)).status_code == 404


# Deleting a person -------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_admin_deletes_a_person_with_their_case_in_history(admin_user):
    person = make_person(name="Deleted Person")
    other = make_person(name="Co-defendant")
    crossing = make_crossing(person)
    own_event = make_event(persons=[person], title="Their own press conference")
    shared = make_proceeding(persons=[person, other])
    make_ruling(shared, person)
    kept_ruling = make_ruling(shared, other)
    client = signed_in(admin_user)
    url = admin_url(person, "delete")

    page = client.get(url).content.decode()
    assert "Their own press conference" in page
    assert "Border crossing" in page

    assert client.post(url, {"post": "yes"}).status_code == 302

    assert not Person.objects.filter(pk=person.pk).exists()
    assert not BorderCrossing.objects.filter(pk=crossing.pk).exists()
    assert not Event.objects.filter(pk=own_event.pk).exists()
    assert list(Proceeding.objects.get().persons.all()) == [other]
    assert list(Ruling.objects.all()) == [kept_ruling]
    deleted = Person.history.get(id=person.pk, history_type="-")
    assert deleted.history_user == admin_user
    assert BorderCrossing.history.get(id=crossing.pk, history_type="-").history_user == admin_user
    assert Event.history.get(id=own_event.pk, history_type="-").history_user == admin_user
    last = shared.history.latest("history_date")
    assert [row.person_id for row in last.persons.all()] == [other.pk]
    assert last.history_user == admin_user


# Concurrent saves --------------------------------------------------------------------------


@pytest.fixture
def roles(transactional_db):
    # A transactional test before this one may have flushed the groups the data migration
    # created (as tests/browser/conftest.py explains).
    ensure_roles(Group, Permission)


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="row locks need PostgreSQL (SQLite has none)"
)
def test_twenty_concurrent_admin_saves_of_one_version_accept_exactly_one(roles):
    admin_user = make_user("admin", role=ADMINS, is_staff=True)
    person = make_person(place_of_origin="Tekes")
    url = admin_url(person)
    client = signed_in(admin_user)
    data = form_data(client.get(url))
    results = []
    start = threading.Barrier(20)

    def save(number):
        own = Client()
        own.force_login(admin_user)
        start.wait()
        try:
            response = own.post(url, {**data, "place_of_origin": f"Saved by {number}"})
            results.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=save, args=(number,)) for number in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(results) == [200] * 19 + [302]
    person.refresh_from_db()
    assert person.place_of_origin.startswith("Saved by")
    assert person.history.count() == 2
