"""The person form: a lawyer enters a new person (after a duplicate check) and edits one."""

import pytest
from django.test import Client
from django.urls import resolve, reverse

from people.models import NameVariant, Person
from people.roles import LAWYERS, RESEARCHERS
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db

NEW = "/people/new/"
READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}
MANAGES = {"lawyer", "admin_user"}


def login(client, request, reader):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))


def variant_rows(rows=(), initial=0):
    """The management form and rows of the name-variant formset."""
    data = {"variants-TOTAL_FORMS": str(len(rows)), "variants-INITIAL_FORMS": str(initial)}
    for index, row in enumerate(rows):
        for key, value in row.items():
            data[f"variants-{index}-{key}"] = value
    return data


def new_person(name="Zhanar Newcomer", variants=(), **fields):
    data = {"name": name, "sex": Person.Sex.FEMALE, **fields}
    data.update(variant_rows([{"name": v, "script": "latin"} for v in variants]))
    return data


def edit_url(person):
    return reverse("account:person-edit", kwargs={"ref": person.ref})


def edit_data(client, person, **changes):
    """What the edit form posts as opened now by the client's user, with ``changes``."""
    form = client.get(edit_url(person)).context["form"]
    data = {
        name: form.initial.get(name, getattr(person, name, ""))
        for name in form.fields
        if name not in ("lawyers",)
    }
    data = {key: "" if value is None else value for key, value in data.items()}
    if "lawyers" in form.fields:
        data["lawyers"] = [user.pk for user in person.lawyers.all()]
    if not data.get("birth_year_is_approximate"):
        data.pop("birth_year_is_approximate", None)
    variants = list(person.variants.all())
    data.update(
        variant_rows(
            [{"id": v.pk, "name": v.name, "script": v.script, "note": v.note} for v in variants],
            initial=len(variants),
        )
    )
    data.update(changes)
    return data


# --- Creating a person -----------------------------------------------------------------------


def test_new_is_the_create_page_not_a_reference():
    assert resolve(NEW).view_name == "account:person-create"
    assert reverse("account:person-create") == NEW


@pytest.mark.parametrize("reader", READERS)
def test_it_opens_the_new_person_form_only_to_lawyers_and_admins(client, request, reader):
    login(client, request, reader)
    response = client.get(NEW)
    if reader == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif reader == "researcher":
        assert response.status_code == 403
    else:
        assert response.status_code == 200
        assert 'name="csrfmiddlewaretoken"' in response.content.decode()


@pytest.mark.parametrize("reader", ["anonymous", "researcher"])
def test_a_refused_new_person_is_not_saved(client, request, reader):
    login(client, request, reader)
    response = client.post(NEW, new_person())
    assert response.status_code in (302, 403)
    assert not Person.objects.exists()


def test_a_lawyers_new_person_is_confidential_and_assigned_to_them(client, lawyer):
    client.force_login(lawyer)
    response = client.post(NEW, new_person(variants=["Жанар Жаңакелді"]))
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    assert person.visibility == Person.Visibility.CONFIDENTIAL
    assert list(person.lawyers.all()) == [lawyer]
    assert [v.name for v in person.variants.all()] == ["Жанар Жаңакелді"]
    assert person.history.earliest().history_user == lawyer


def test_a_lawyer_cannot_choose_visibility_or_lawyers(client, lawyer, other_lawyer):
    client.force_login(lawyer)
    client.post(NEW, new_person(visibility="public", lawyers=[other_lawyer.pk]))
    person = Person.objects.get()
    assert person.visibility == Person.Visibility.CONFIDENTIAL
    assert list(person.lawyers.all()) == [lawyer]


def test_an_admin_chooses_visibility_and_lawyers(client, admin_user, lawyer, other_lawyer):
    client.force_login(admin_user)
    make_user("inactive_lawyer", role=LAWYERS, is_active=False)
    make_user("another_researcher", role=RESEARCHERS)
    form = client.get(NEW).context["form"]
    assert set(form.fields["lawyers"].queryset) == {lawyer, other_lawyer, admin_user}
    response = client.post(NEW, new_person(visibility="internal", lawyers=[other_lawyer.pk]))
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.visibility == Person.Visibility.INTERNAL
    assert list(person.lawyers.all()) == [other_lawyer]


def test_it_shows_every_mistake_and_saves_nothing(client, lawyer):
    client.force_login(lawyer)
    data = new_person(name="", birth_year="1850")
    response = client.post(NEW, data)
    assert response.status_code == 200
    form = response.context["form"]
    assert set(form.errors) == {"name", "birth_year"}
    assert "Nothing was saved." in response.content.decode()
    assert not Person.objects.exists()


def test_it_shows_possible_duplicates_before_saving(client, lawyer):
    existing = make_person(name="Qaisha Aqan", variants=["Қайша Ақан"], birth_year=1976)
    client.force_login(lawyer)
    response = client.post(NEW, new_person(name="Kaisha Akan", birth_year="1976"))
    body = response.content.decode()
    assert response.status_code == 200
    assert Person.objects.count() == 1
    assert f'href="{existing.get_absolute_url()}"' in body
    assert "same birth year" in body
    assert "This is a different person" in body
    assert response.context["form"]["seen_candidates"].value() == existing.ref


def test_a_confirmed_different_person_is_saved(client, lawyer):
    existing = make_person(name="Qaisha Aqan")
    client.force_login(lawyer)
    data = new_person(name="Kaisha Akan", different_person="on", seen_candidates=existing.ref)
    response = client.post(NEW, data)
    assert response.status_code == 302
    assert Person.objects.filter(name="Kaisha Akan").exists()


def test_a_confirmation_counts_only_for_the_candidates_shown(client, lawyer):
    make_person(name="Qaisha Aqan")
    other = make_person(name="Kaisha Akanova")
    client.force_login(lawyer)
    data = new_person(name="Kaisha Akan", different_person="on", seen_candidates=other.ref)
    response = client.post(NEW, data)
    assert response.status_code == 200
    assert not Person.objects.filter(name="Kaisha Akan").exists()
    assert len(response.context["candidates"]) == 2


@pytest.mark.parametrize("reader", ["other_lawyer", "lawyer", "admin_user"])
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_duplicate_candidates_are_only_persons_the_reader_may_see(
    client, request, lawyer, reader, visibility
):
    existing = make_person(
        name="Qaisha Aqan",
        variants=["Қайша Ақан"],
        visibility=visibility,
        internal_notes=f"NOTE-{visibility}",
        lawyers=[lawyer],
    )
    login(client, request, reader)
    response = client.post(NEW, new_person(name="Kaisha Akan", visibility="confidential"))
    body = response.content.decode()
    assert "NOTE-" not in body
    if reader in MAY_SEE[visibility]:
        assert response.status_code == 200
        assert [c.person for c in response.context["candidates"]] == [existing]
        assert existing.get_absolute_url() in body and "Қайша Ақан" in body
    else:
        assert response.status_code == 302
        assert existing.ref not in body and "Қайша Ақан" not in body


def test_it_does_not_reveal_a_duplicate_the_lawyer_may_not_see(client, lawyer, other_lawyer):
    hidden = make_person(
        name="Qaisha Aqan",
        visibility="confidential",
        internal_notes="NOTE-confidential",
        lawyers=[other_lawyer],
    )
    client.force_login(lawyer)
    response = client.post(NEW, new_person(name="Qaisha Aqan"))
    assert response.status_code == 302
    own = Person.objects.get(lawyers=lawyer)
    pages = [client.get(response["Location"]), client.post(NEW, new_person(name="Kaisha Akan"))]
    assert [c.person for c in pages[1].context["candidates"]] == [own]
    for page in pages:
        assert hidden.ref not in page.content.decode()
        assert "NOTE-confidential" not in page.content.decode()


def test_the_new_person_form_needs_the_csrf_token(lawyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lawyer)
    response = client.post(NEW, new_person())
    assert response.status_code == 403
    assert not Person.objects.exists()


# --- Editing a person ------------------------------------------------------------------------


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
def test_it_opens_the_edit_form_only_to_who_manages_the_person(
    client, request, persons, reader, visibility
):
    person = persons[visibility]
    login(client, request, reader)
    response = client.get(edit_url(person))
    body = response.content.decode()
    if reader == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    elif reader in MANAGES:
        assert response.status_code == 200
        assert f"NOTE-{visibility}" in body
    else:
        assert response.status_code == (403 if reader in MAY_SEE[visibility] else 404)
    if reader not in MANAGES:
        assert f"NOTE-{visibility}" not in body
        assert person.name not in body or reader in MAY_SEE[visibility]


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "other_lawyer"])
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_a_refused_edit_changes_nothing(client, request, persons, reader, visibility):
    person = persons[visibility]
    versions = person.history.count()
    login(client, request, reader)
    data = {"name": "Changed", "sex": "male", "internal_notes": "overwritten", **variant_rows()}
    response = client.post(edit_url(person), data)
    assert response.status_code in (302, 403, 404)
    person.refresh_from_db()
    assert (person.name, person.internal_notes) == (
        f"Secret{visibility.title()} Name",
        f"NOTE-{visibility}",
    )
    assert person.history.count() == versions


def test_a_lawyer_edits_the_person_and_their_variants(client, lawyer, persons):
    person = persons["internal"]
    keep = NameVariant.objects.create(person=person, name="Secret Namme")
    drop = NameVariant.objects.create(person=person, name="Сикрет")
    client.force_login(lawyer)
    data = edit_data(client, person, name="Renamed Person", birth_year="1980")
    data.update(
        {
            "variants-TOTAL_FORMS": "3",
            "variants-0-id": drop.pk,
            "variants-0-name": drop.name,
            "variants-0-script": "cyrillic",
            "variants-0-DELETE": "on",
            "variants-1-id": keep.pk,
            "variants-1-name": "Secret Naame",
            "variants-1-script": "latin",
            "variants-2-name": "Ренеймд",
            "variants-2-script": "cyrillic",
        }
    )
    response = client.post(edit_url(person), data)
    assert response.status_code == 302
    assert response["Location"] == person.get_absolute_url()
    person.refresh_from_db()
    assert (person.name, person.birth_year) == ("Renamed Person", 1980)
    assert sorted(v.name for v in person.variants.all()) == ["Secret Naame", "Ренеймд"]


def test_a_lawyer_cannot_change_visibility_or_lawyers(client, lawyer, other_lawyer, persons):
    person = persons["confidential"]
    client.force_login(lawyer)
    data = edit_data(client, person, visibility="public", lawyers=[other_lawyer.pk])
    assert "visibility" not in client.get(edit_url(person)).context["form"].fields
    assert client.post(edit_url(person), data).status_code == 302
    person.refresh_from_db()
    assert person.visibility == "confidential"
    assert list(person.lawyers.all()) == [lawyer]


def test_an_admin_assigns_lawyers(client, admin_user, lawyer, other_lawyer, persons):
    person = persons["confidential"]
    client.force_login(admin_user)
    data = edit_data(client, person, lawyers=[lawyer.pk, other_lawyer.pk], visibility="internal")
    assert client.post(edit_url(person), data).status_code == 302
    person.refresh_from_db()
    assert set(person.lawyers.all()) == {lawyer, other_lawyer}
    assert person.visibility == "internal"


def test_a_stale_edit_is_refused_and_keeps_what_was_typed(client, lawyer, admin_user, persons):
    person = persons["internal"]
    client.force_login(lawyer)
    stale = edit_data(client, person, internal_notes="typed by the lawyer")
    # Meanwhile an admin saves the person.
    admin = Client()
    admin.force_login(admin_user)
    newer = edit_data(admin, person, internal_notes="saved by the admin")
    assert admin.post(edit_url(person), newer).status_code == 302

    response = client.post(edit_url(person), stale)
    body = response.content.decode()
    assert response.status_code == 409
    person.refresh_from_db()
    assert person.internal_notes == "saved by the admin"
    assert "Someone else saved this person" in body
    assert "typed by the lawyer" in body
    assert response.context["form"].conflicts == [
        ("Internal notes", "saved by the admin", "typed by the lawyer")
    ]

    # Saving again, having seen the newer version, keeps the lawyer's.
    again = dict(stale, version=response.context["form"]["version"].value())
    assert client.post(edit_url(person), again).status_code == 302
    person.refresh_from_db()
    assert person.internal_notes == "typed by the lawyer"


def test_a_variant_added_elsewhere_makes_an_edit_stale(client, lawyer, persons):
    person = persons["public"]
    client.force_login(lawyer)
    stale = edit_data(client, person, name="Renamed")
    NameVariant.objects.create(person=person, name="Added Meanwhile")
    response = client.post(edit_url(person), stale)
    assert response.status_code == 409
    person.refresh_from_db()
    assert person.name == "SecretPublic Name"
    assert ("Name variants", "Added Meanwhile", "—") in response.context["form"].conflicts


def test_a_variant_deleted_elsewhere_is_typed_back_as_a_new_row(client, lawyer, persons):
    person = persons["public"]
    gone = NameVariant.objects.create(person=person, name="Deleted Meanwhile")
    client.force_login(lawyer)
    stale = edit_data(client, person, name="Renamed", **{"variants-0-note": "typed note"})
    gone.delete()

    response = client.post(edit_url(person), stale)
    assert response.status_code == 409
    assert ("Name variants", "—", "Deleted Meanwhile") in response.context["form"].conflicts
    variants = response.context["variants"]
    assert variants.initial_form_count() == 0
    assert variants.forms[0]["name"].value() == "Deleted Meanwhile"
    assert variants.forms[0]["note"].value() == "typed note"

    # Saving the form as shown again keeps what the lawyer typed.
    again = {key: value for key, value in stale.items() if not key.startswith("variants-")}
    again.update(response.context["variants"].data.dict())
    again["version"] = response.context["form"]["version"].value()
    assert client.post(edit_url(person), again).status_code == 302
    person.refresh_from_db()
    assert person.name == "Renamed"
    assert [(v.name, v.note) for v in person.variants.all()] == [
        ("Deleted Meanwhile", "typed note")
    ]


def test_the_edit_form_needs_the_csrf_token(lawyer, persons):
    person = persons["public"]
    client = Client(enforce_csrf_checks=True)
    client.force_login(lawyer)
    data = edit_data(client, person, name="Changed")
    assert client.post(edit_url(person), data).status_code == 403
    person.refresh_from_db()
    assert person.name == "SecretPublic Name"
