"""Replays of the hostile review's attacks on the write gate (issue 8, items 1, 4, 5, 6, 12).

Each test performs the attack as the review did and asserts that it now fails and changes
nothing. The admin and the lawyer's pages obey one gate: the same version check, the same
per-field permissions, the same rule for records shared by several persons.
"""

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from cases.models import BorderCrossing, Hearing, Proceeding
from people.models import Person
from people.roles import LAWYERS
from tests.factories import make_crossing, make_hearing, make_person, make_proceeding
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

SECRET_NAME = "Kaisha Secretkyzy"


def admin_url(app, model, view, *args):
    return reverse(f"admin:{app}_{model}_{view}", args=args)


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


# 1. A lawyer made a hidden person public by reverting to an old public version. ------------


def test_a_lawyer_cannot_make_a_person_public_by_reverting_the_history(lawyer, admin_user):
    person = make_person(name="Bakhyt Internalov", visibility=Person.Visibility.PUBLIC)
    person.lawyers.add(lawyer)
    public_version = person.history.latest("history_date")
    admin = signed_in(admin_user)
    data = form_data(admin.get(admin_url("people", "person", "change", person.pk)))
    data["visibility"] = Person.Visibility.INTERNAL
    assert admin.post(admin_url("people", "person", "change", person.pk), data).status_code == 302

    attacker = signed_in(lawyer)
    url = admin_url("people", "person", "simple_history", person.pk, public_version.history_id)
    page = attacker.get(url)
    assert page.status_code == 200
    assert "visibility" not in page.context["adminform"].form.fields
    response = attacker.post(url, form_data(page))

    assert response.status_code == 302  # the revert of what the lawyer may change went through
    person.refresh_from_db()
    assert person.visibility == Person.Visibility.INTERNAL
    assert Client().get(person.get_absolute_url()).status_code == 404


def test_a_forged_revert_cannot_set_a_field_the_lawyer_may_not_change(lawyer, other_lawyer):
    person = make_person(visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer])
    version = person.history.latest("history_date")
    attacker = signed_in(lawyer)
    url = admin_url("people", "person", "simple_history", person.pk, version.history_id)
    data = form_data(attacker.get(url))
    data.update({"visibility": "public", "lawyers": [str(other_lawyer.pk)]})

    attacker.post(url, data)

    person.refresh_from_db()
    assert person.visibility == Person.Visibility.CONFIDENTIAL
    assert list(person.lawyers.all()) == [lawyer]


# 4. The history showed old values of a record that had belonged to a hidden person. ------


def test_the_history_shows_nothing_of_a_crossing_while_it_was_a_hidden_persons(other_lawyer):
    secret = make_person(name=SECRET_NAME, visibility=Person.Visibility.CONFIDENTIAL)
    public = make_person(name="Aibota Publicova", visibility=Person.Visibility.PUBLIC)
    crossing = make_crossing(secret, place="Secret pass near Zharkent", reason="Fled the camp")
    hidden_version = crossing.history.latest("history_date")
    crossing.person, crossing.place, crossing.reason = public, "Khorgos", "Visit"
    crossing.save()
    attacker = signed_in(other_lawyer)

    response = attacker.get(admin_url("cases", "bordercrossing", "history", crossing.pk))

    body = response.content.decode()
    assert response.status_code == 200
    for secret_value in ["Secret pass", "Fled the camp", SECRET_NAME]:
        assert secret_value not in body
    assert "Khorgos" in body
    assert "(a version you may not see)" in body
    url = admin_url(
        "cases", "bordercrossing", "simple_history", crossing.pk, hidden_version.history_id
    )
    assert attacker.get(url).status_code == 404


def test_the_history_shows_nothing_of_a_proceeding_while_it_concerned_only_hidden_persons(
    admin_user, other_lawyer
):
    secret = make_person(name=SECRET_NAME, visibility=Person.Visibility.CONFIDENTIAL)
    public = make_person(name="Aibota Publicova", visibility=Person.Visibility.PUBLIC)
    proceeding = make_proceeding(persons=[secret], charge="Espionage charge")
    hidden_versions = list(proceeding.history.values_list("history_id", flat=True))
    # An admin moves the proceeding to the public person and corrects the charge.
    admin = signed_in(admin_user)
    url = admin_url("cases", "proceeding", "change", proceeding.pk)
    data = form_data(admin.get(url))
    data.update({"persons": [str(public.pk)], "charge": "Illegal border crossing"})
    assert admin.post(url, data).status_code == 302
    attacker = signed_in(other_lawyer)

    response = attacker.get(admin_url("cases", "proceeding", "history", proceeding.pk))

    body = response.content.decode()
    assert response.status_code == 200
    assert "Espionage" not in body and SECRET_NAME not in body
    assert "(a version you may not see)" in body
    for history_id in hidden_versions:
        url = admin_url("cases", "proceeding", "simple_history", proceeding.pk, history_id)
        assert attacker.get(url).status_code == 404, history_id


# 5. Lost updates in the admin. -------------------------------------------------------------


def test_a_second_admin_saving_an_older_version_is_refused(admin_user):
    person = make_person(place_of_origin="Tekes")
    url = admin_url("people", "person", "change", person.pk)
    first, second = signed_in(admin_user), signed_in(admin_user)
    first_data = form_data(first.get(url))
    second_data = form_data(second.get(url))

    first_data["place_of_origin"] = "Zhaosu"
    assert first.post(url, first_data).status_code == 302
    second_data["place_of_origin"] = "Ghulja"
    response = second.post(url, second_data)

    assert response.status_code == 200
    assert "Someone else saved this record after you opened it" in response.content.decode()
    assert 'value="Ghulja"' in response.content.decode()  # what was typed is kept
    person.refresh_from_db()
    assert person.place_of_origin == "Zhaosu"


# 6. Lawyers deleted whole persons; an unassigned lawyer changed a co-defendant's hearing. ---


def test_a_lawyer_cannot_delete_a_person(lawyer):
    person = make_person(lawyers=[lawyer])
    make_crossing(person)
    url = admin_url("people", "person", "delete", person.pk)
    attacker = signed_in(lawyer)

    assert attacker.get(url).status_code == 403
    assert attacker.post(url, {"post": "yes"}).status_code == 403
    changelist = admin_url("people", "person", "changelist")
    data = {"action": "delete_selected", "_selected_action": [str(person.pk)], "post": "yes"}
    attacker.post(changelist, data)

    assert Person.objects.filter(pk=person.pk).exists()
    assert BorderCrossing.objects.filter(person=person).exists()
    lawyers = Group.objects.get(name=LAWYERS)
    assert not lawyers.permissions.filter(codename="delete_person").exists()


@pytest.fixture
def shared_hearing(lawyer, other_lawyer):
    """A hearing of a proceeding against `other_lawyer`'s client and a confidential person."""
    client = make_person(name="Own Client", visibility=Person.Visibility.INTERNAL)
    client.lawyers.add(other_lawyer)
    secret = make_person(name=SECRET_NAME, lawyers=[lawyer])
    proceeding = make_proceeding(persons=[client, secret], charge="as charged")
    return make_hearing(proceeding, place="Zharkent court", summary="Adjourned")


def test_a_lawyer_of_one_defendant_cannot_change_a_shared_hearing_in_the_admin(
    other_lawyer, lawyer, shared_hearing
):
    url = admin_url("cases", "hearing", "change", shared_hearing.pk)
    data = form_data(signed_in(lawyer).get(url))
    data["summary"] = "Rewritten"
    attacker = signed_in(other_lawyer)

    assert attacker.post(url, data).status_code == 403
    delete = admin_url("cases", "hearing", "delete", shared_hearing.pk)
    assert attacker.post(delete, {"post": "yes"}).status_code == 403
    proceeding = admin_url("cases", "proceeding", "change", shared_hearing.proceeding_id)
    assert attacker.post(proceeding, {"charge": "Rewritten"}).status_code == 403

    shared_hearing.refresh_from_db()
    assert shared_hearing.summary == "Adjourned"
    assert Proceeding.objects.get().charge == "as charged"


def test_a_lawyer_of_one_defendant_cannot_change_a_shared_hearing_on_the_lawyer_pages(
    other_lawyer, shared_hearing
):
    person = Person.objects.get(name="Own Client")
    attacker = signed_in(other_lawyer)
    kwargs = {"ref": person.ref, "pk": shared_hearing.pk}
    edit = reverse("edit:hearing-edit", kwargs=kwargs)
    delete = reverse("edit:hearing-delete", kwargs=kwargs)

    assert attacker.get(edit).status_code == 403
    assert attacker.post(edit, {"summary": "Rewritten"}).status_code == 403
    assert attacker.get(delete).status_code == 403
    assert attacker.post(delete).status_code == 403
    proceeding_kwargs = {"ref": person.ref, "pk": shared_hearing.proceeding_id}
    proceeding_edit = reverse("edit:proceeding-edit", kwargs=proceeding_kwargs)
    assert attacker.get(proceeding_edit).status_code == 403
    add = attacker.get(reverse("edit:hearing-add", kwargs={"ref": person.ref}))
    assert list(add.context["form"].fields["proceeding"].queryset) == []

    shared_hearing.refresh_from_db()
    assert shared_hearing.summary == "Adjourned"
    assert Hearing.objects.count() == 1


def test_a_lawyer_of_one_defendant_may_still_take_their_client_off(other_lawyer, shared_hearing):
    person = Person.objects.get(name="Own Client")
    proceeding = shared_hearing.proceeding
    delete = reverse("edit:proceeding-delete", kwargs={"ref": person.ref, "pk": proceeding.pk})

    assert signed_in(other_lawyer).post(delete).status_code == 302

    assert list(proceeding.persons.all()) == [Person.objects.get(name=SECRET_NAME)]
    assert Hearing.objects.filter(pk=shared_hearing.pk).exists()


# 12. A mistyped admin history URL gave a 500. ----------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/admin/people/person/{pk}/history/not-a-number/",
        "/admin/people/person/{pk}/history/99999999999999999999999/",
        "/admin/people/person/{pk}/history/%C2%B2/",
        "/admin/people/person/not-a-number/history/1/",
        "/admin/people/person/not-a-number/history/",
        "/admin/cases/proceeding/x%00y/history/",
        "/admin/cases/bordercrossing/1.5/history/1/",
    ],
)
def test_a_mistyped_history_url_is_not_found(admin_user, lawyer, path):
    person = make_person(lawyers=[lawyer])
    for user in [admin_user, lawyer]:
        response = signed_in(user).get(path.format(pk=person.pk))
        assert response.status_code == 404, (user, path)


def test_the_lawyer_revert_page_form_still_posts(lawyer):
    # Guard for the replay above: the revert form is the change form, version included.
    person = make_person(lawyers=[lawyer], place_of_origin="Tekes")
    old = person.history.latest("history_date")
    person.place_of_origin = "Zhaosu"
    person.save()
    client = signed_in(lawyer)
    url = admin_url("people", "person", "simple_history", person.pk, old.history_id)
    page = client.get(url)
    assert page.context["adminform"].form["place_of_origin"].value() == "Tekes"
    assert client.post(url, form_data(page)).status_code == 302
    person.refresh_from_db()
    assert person.place_of_origin == "Tekes"
