"""The admin as the first data-entry tool: every page obeys the visibility rules."""

import datetime
import json

import pytest
from django.apps import apps
from django.contrib import admin
from django.urls import reverse
from simple_history.admin import SimpleHistoryAdmin

from cases.models import (
    BorderCrossing,
    Citation,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    StatusDecision,
)
from casetracker.admin_access import RecordAdmin
from casetracker.dates import Precision
from people.models import NameVariant, Person
from people.roles import RECORD_MODELS

from .factories import (
    cite,
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)

PUBLIC_NAME = "Aibota Publicova"
INTERNAL_NAME = "Bakhyt Internalov"
CONFIDENTIAL_NAME = "Kaisha Secretkyzy"
CONFIDENTIAL_VARIANT = "Кайша Секреткызы"


@pytest.fixture
def people(lawyer):
    """A public person nobody is assigned to; an internal and a confidential one of `lawyer`."""
    return {
        "public": make_person(name=PUBLIC_NAME, visibility=Person.Visibility.PUBLIC),
        "internal": make_person(
            name=INTERNAL_NAME,
            visibility=Person.Visibility.INTERNAL,
            lawyers=[lawyer],
            internal_notes="Family still in Xinjiang.",
        ),
        "confidential": make_person(
            name=CONFIDENTIAL_NAME,
            visibility=Person.Visibility.CONFIDENTIAL,
            lawyers=[lawyer],
            variants=[CONFIDENTIAL_VARIANT],
        ),
    }


# One builder per admin under test: the record of a person, by visibility.
RECORD_BUILDERS = {
    "person": lambda person: person,
    "bordercrossing": lambda person: make_crossing(person),
    "proceeding": lambda person: make_proceeding(persons=[person], case_number=f"{person.pk}-1"),
    "statusdecision": lambda person: make_status(person),
}


def app_label(model_name):
    return "people" if model_name == "person" else "cases"


def admin_url(model_name, view, *args):
    return reverse(f"admin:{app_label(model_name)}_{model_name}_{view}", args=args)


@pytest.fixture
def records(people):
    return {
        model_name: {key: build(person) for key, person in people.items()}
        for model_name, build in RECORD_BUILDERS.items()
    }


def form_data(response):
    """The POST data of an admin change form as it was rendered, inlines included."""
    data = {}

    def add(form):
        for name in form.fields:
            value = form[name].value()
            if value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            else:
                value = str(value)
            data[form.add_prefix(name)] = value

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
        data[management.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            add(form)
    return data


def content(response):
    return response.content.decode()


# Registration ------------------------------------------------------------------------------


def test_it_registers_every_model_with_history_and_the_access_rules():
    for app, model_names in RECORD_MODELS.items():
        for model_name in model_names:
            model_admin = admin.site.get_model_admin(apps.get_model(app, model_name))
            assert isinstance(model_admin, RecordAdmin)
            assert isinstance(model_admin, SimpleHistoryAdmin)


def test_it_titles_the_site_casetracker(client, admin_user):
    client.force_login(admin_user)
    response = client.get(reverse("admin:index"))
    assert "<title>Casetracker administration | Casetracker</title>" in content(response)
    assert "Casetracker" in content(response)


@pytest.mark.parametrize(
    "model", [apps.get_model(app, name) for app, names in RECORD_MODELS.items() for name in names]
)
def test_it_opens_every_list_and_form_for_admins_and_lawyers(
    client, admin_user, lawyer, records, model
):
    cite(records["bordercrossing"]["internal"])
    make_ruling(records["proceeding"]["internal"])
    make_detention(records["person"]["internal"])
    make_event([records["person"]["internal"]])
    Hearing.objects.create(
        proceeding=records["proceeding"]["internal"], date_precision=Precision.UNKNOWN
    )
    Participant.objects.create(
        proceeding=records["proceeding"]["internal"], name="Judge", role=Participant.Role.JUDGE
    )
    obj = model._default_manager.first()
    info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
    for user in [admin_user, lawyer]:
        client.force_login(user)
        assert client.get(reverse(f"{info}_changelist")).status_code == 200
        assert client.get(reverse(f"{info}_change", args=[obj.pk])).status_code == 200
        assert client.get(reverse(f"{info}_history", args=[obj.pk])).status_code == 200
        expected = 403 if model is Citation and user == lawyer else 200
        assert client.get(reverse(f"{info}_add")).status_code == expected


# Who may enter -----------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_sends_a_researcher_to_the_login_page(client, researcher, records, model_name):
    client.force_login(researcher)
    obj = records[model_name]["public"]
    for url in [
        admin_url(model_name, "changelist"),
        admin_url(model_name, "change", obj.pk),
        admin_url(model_name, "history", obj.pk),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))


def test_it_sends_a_researcher_away_from_autocomplete(client, researcher, people):
    client.force_login(researcher)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": "bordercrossing", "field_name": "person"},
    )
    assert response.status_code == 302
    assert CONFIDENTIAL_NAME not in content(response)


# Changelists -------------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_lists_every_record_to_admins(client, admin_user, records, model_name):
    client.force_login(admin_user)
    response = client.get(admin_url(model_name, "changelist"))
    assert response.status_code == 200
    for name in [PUBLIC_NAME, INTERNAL_NAME, CONFIDENTIAL_NAME]:
        assert name in content(response)


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_lists_their_confidential_records_to_the_assigned_lawyer(
    client, lawyer, records, model_name
):
    client.force_login(lawyer)
    response = client.get(admin_url(model_name, "changelist"))
    assert response.status_code == 200
    for name in [PUBLIC_NAME, INTERNAL_NAME, CONFIDENTIAL_NAME]:
        assert name in content(response)


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_hides_confidential_records_from_an_unassigned_lawyer(
    client, other_lawyer, records, model_name
):
    client.force_login(other_lawyer)
    response = client.get(admin_url(model_name, "changelist"))
    assert response.status_code == 200
    assert PUBLIC_NAME in content(response)
    assert INTERNAL_NAME in content(response)
    assert CONFIDENTIAL_NAME not in content(response)
    assert list(response.context["cl"].result_list) == [
        records[model_name]["public"],
        records[model_name]["internal"],
    ] or set(response.context["cl"].result_list) == {
        records[model_name]["public"],
        records[model_name]["internal"],
    }


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_finds_nothing_confidential_when_an_unassigned_lawyer_searches_for_it(
    client, other_lawyer, records, model_name
):
    client.force_login(other_lawyer)
    for term in ["Secretkyzy", "Секреткызы"]:
        response = client.get(admin_url(model_name, "changelist"), {"q": term})
        assert response.status_code == 200
        assert list(response.context["cl"].result_list) == []
        assert CONFIDENTIAL_NAME not in content(response)


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_finds_a_record_by_a_name_variant_of_its_person(client, lawyer, records, model_name):
    client.force_login(lawyer)
    response = client.get(admin_url(model_name, "changelist"), {"q": "Секреткызы"})
    assert list(response.context["cl"].result_list) == [records[model_name]["confidential"]]


def test_it_filters_persons_by_visibility_and_assignment(client, lawyer, people):
    client.force_login(lawyer)
    response = client.get(admin_url("person", "changelist"), {"visibility__exact": "internal"})
    assert list(response.context["cl"].result_list) == [people["internal"]]
    response = client.get(admin_url("person", "changelist"), {"assigned": "me"})
    assert set(response.context["cl"].result_list) == {people["internal"], people["confidential"]}


def test_it_filters_crossings_by_date(client, admin_user, records):
    client.force_login(admin_user)
    response = client.get(admin_url("bordercrossing", "changelist"), {"date__year": "2018"})
    assert len(response.context["cl"].result_list) == 3
    assert "May 2018" in content(response)


# Change views ------------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_does_not_show_a_confidential_record_to_an_unassigned_lawyer(
    client, other_lawyer, records, model_name
):
    client.force_login(other_lawyer)
    obj = records[model_name]["confidential"]
    response = client.get(admin_url(model_name, "change", obj.pk), follow=True)
    assert response.redirect_chain[0] == (reverse("admin:index"), 302)
    assert "doesn’t exist" in content(response)
    assert CONFIDENTIAL_NAME not in content(response)


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_shows_an_internal_record_read_only_to_an_unassigned_lawyer(
    client, other_lawyer, records, model_name
):
    client.force_login(other_lawyer)
    obj = records[model_name]["internal"]
    response = client.get(admin_url(model_name, "change", obj.pk))
    assert response.status_code == 200
    assert INTERNAL_NAME in content(response)
    assert not response.context["has_change_permission"]
    assert not response.context["has_delete_permission"]
    assert 'name="_save"' not in content(response)


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_refuses_a_change_by_an_unassigned_lawyer(
    client, lawyer, other_lawyer, records, model_name
):
    obj = records[model_name]["internal"]
    client.force_login(lawyer)
    data = form_data(client.get(admin_url(model_name, "change", obj.pk)))
    client.force_login(other_lawyer)
    before = obj.history.count()

    response = client.post(admin_url(model_name, "change", obj.pk), data)

    assert response.status_code == 403
    assert obj.history.count() == before


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_lets_the_assigned_lawyer_change_their_record(client, lawyer, records, model_name):
    client.force_login(lawyer)
    obj = records[model_name]["confidential"]
    response = client.get(admin_url(model_name, "change", obj.pk))
    assert response.context["has_change_permission"]
    data = form_data(response)
    field = {
        "person": "place_of_origin",
        "bordercrossing": "place",
        "proceeding": "charge",
        "statusdecision": "note",
    }[model_name]
    data[field] = "Changed by the lawyer"

    response = client.post(admin_url(model_name, "change", obj.pk), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    obj.refresh_from_db()
    assert getattr(obj, field) == "Changed by the lawyer"


def test_it_shows_internal_notes_only_to_those_who_manage_the_person(
    client, lawyer, other_lawyer, people
):
    url = admin_url("person", "change", people["internal"].pk)
    client.force_login(lawyer)
    assert "Family still in Xinjiang." in content(client.get(url))
    client.force_login(other_lawyer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Family still in Xinjiang." not in content(response)
    assert "internal_notes" not in content(response)


def test_it_keeps_visibility_and_lawyers_for_admins_to_change(client, lawyer, other_lawyer, people):
    person = people["confidential"]
    client.force_login(lawyer)
    response = client.get(admin_url("person", "change", person.pk))
    assert "visibility" not in response.context["adminform"].form.fields
    assert "lawyers" not in response.context["adminform"].form.fields
    data = form_data(response)
    data["visibility"] = Person.Visibility.PUBLIC
    data["lawyers"] = [str(other_lawyer.pk)]

    response = client.post(admin_url("person", "change", person.pk), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.visibility == Person.Visibility.CONFIDENTIAL
    assert list(person.lawyers.all()) == [lawyer]


def test_it_lets_an_admin_change_visibility_and_lawyers(client, admin_user, other_lawyer, people):
    person = people["confidential"]
    client.force_login(admin_user)
    data = form_data(client.get(admin_url("person", "change", person.pk)))
    data["visibility"] = Person.Visibility.INTERNAL
    data["lawyers"] = [str(other_lawyer.pk)]

    response = client.post(admin_url("person", "change", person.pk), data)

    assert response.status_code == 302
    person.refresh_from_db()
    assert person.visibility == Person.Visibility.INTERNAL
    assert list(person.lawyers.all()) == [other_lawyer]


def test_it_assigns_a_lawyer_to_the_person_they_add(client, lawyer):
    client.force_login(lawyer)
    response = client.post(
        admin_url("person", "add"),
        {
            "name": "Zhanar Newcomer",
            "sex": Person.Sex.FEMALE,
            "birth_year_is_approximate": "on",
            "internal_notes": "Met at the Almaty office.",
            "variants-TOTAL_FORMS": "1",
            "variants-INITIAL_FORMS": "0",
            "variants-0-name": "Жанар",
            "variants-0-script": NameVariant.Script.CYRILLIC,
        },
    )

    assert response.status_code == 302
    person = Person.objects.get(name="Zhanar Newcomer")
    assert list(person.lawyers.all()) == [lawyer]
    assert person.visibility == Person.Visibility.CONFIDENTIAL
    assert person.internal_notes == "Met at the Almaty office."
    assert [variant.name for variant in person.variants.all()] == ["Жанар"]
    assert client.get(admin_url("person", "change", person.pk)).status_code == 200


def test_it_refuses_a_record_for_a_person_the_lawyer_does_not_manage(client, other_lawyer, people):
    client.force_login(other_lawyer)
    response = client.post(
        admin_url("bordercrossing", "add"),
        {
            "person": str(people["public"].pk),
            "date": "2018-05-01",
            "date_precision": Precision.MONTH,
            "from_country": "China",
            "to_country": "Kazakhstan",
            "method": BorderCrossing.Method.IRREGULAR,
            "cases-citation-content_type-object_id-TOTAL_FORMS": "0",
            "cases-citation-content_type-object_id-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "person" in response.context["adminform"].form.errors
    assert not BorderCrossing.objects.exists()


def test_it_offers_only_managed_persons_in_record_forms(client, lawyer, other_lawyer, people):
    client.force_login(lawyer)
    response = client.get(admin_url("statusdecision", "add"))
    choices = response.context["adminform"].form.fields["person"].queryset
    assert set(choices) == {people["internal"], people["confidential"]}
    client.force_login(other_lawyer)
    response = client.get(admin_url("statusdecision", "add"))
    assert list(response.context["adminform"].form.fields["person"].queryset) == []
    assert CONFIDENTIAL_NAME not in content(response)


# History views -----------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_hides_the_history_of_a_confidential_record_from_an_unassigned_lawyer(
    client, other_lawyer, records, model_name
):
    client.force_login(other_lawyer)
    obj = records[model_name]["confidential"]
    version = obj.history.earliest("history_date")
    response = client.get(admin_url(model_name, "history", obj.pk))
    assert response.status_code == 404
    assert CONFIDENTIAL_NAME not in content(response)
    response = client.get(admin_url(model_name, "simple_history", obj.pk, version.history_id))
    assert response.status_code == 404
    assert CONFIDENTIAL_NAME not in content(response)


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_shows_the_history_of_a_visible_record(
    client, lawyer, other_lawyer, records, model_name
):
    obj = records[model_name]["internal"]
    version = obj.history.earliest("history_date")
    for user in [lawyer, other_lawyer]:
        client.force_login(user)
        response = client.get(admin_url(model_name, "history", obj.pk))
        assert response.status_code == 200
        assert INTERNAL_NAME in content(response)
        response = client.get(admin_url(model_name, "simple_history", obj.pk, version.history_id))
        assert response.status_code == 200


@pytest.mark.parametrize("model_name", RECORD_BUILDERS)
def test_it_refuses_a_revert_by_an_unassigned_lawyer(client, other_lawyer, records, model_name):
    obj = records[model_name]["internal"]
    version = obj.history.earliest("history_date")
    client.force_login(other_lawyer)
    before = obj.history.count()
    response = client.post(admin_url(model_name, "simple_history", obj.pk, version.history_id))
    assert response.status_code == 403
    assert obj.history.count() == before


def test_it_shows_changes_of_internal_notes_only_to_those_who_manage_the_person(
    client, lawyer, other_lawyer, people
):
    person = people["internal"]
    person.internal_notes = "Brother detained in 2019."
    person.save()
    url = admin_url("person", "history", person.pk)
    client.force_login(lawyer)
    assert "Brother detained in 2019." in content(client.get(url))
    client.force_login(other_lawyer)
    response = client.get(url)
    assert response.status_code == 200
    assert "Brother detained" not in content(response)
    assert "Family still in Xinjiang." not in content(response)


def test_it_does_not_name_a_previous_hidden_person_in_a_record_history(
    client, other_lawyer, people
):
    crossing = make_crossing(people["confidential"])
    crossing.person = people["internal"]
    crossing.save()
    client.force_login(other_lawyer)

    response = client.get(admin_url("bordercrossing", "history", crossing.pk))

    assert response.status_code == 200
    assert INTERNAL_NAME in content(response)
    assert CONFIDENTIAL_NAME not in content(response)
    first = crossing.history.earliest("history_date")
    response = client.get(admin_url("bordercrossing", "simple_history", crossing.pk, first.pk))
    assert response.status_code == 404


# Autocomplete ------------------------------------------------------------------------------


def autocomplete(client, model_name="bordercrossing", field_name="person", term=""):
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    return response, [result["text"] for result in json.loads(response.content)["results"]]


@pytest.mark.parametrize(
    "model_name,field_name",
    [
        ("bordercrossing", "person"),
        ("statusdecision", "person"),
        ("proceeding", "persons"),
        ("ruling", "person"),
    ],
)
def test_it_suggests_only_the_persons_a_user_manages(
    client, admin_user, lawyer, other_lawyer, people, model_name, field_name
):
    client.force_login(admin_user)
    _, names = autocomplete(client, model_name, field_name)
    assert set(names) == {PUBLIC_NAME, INTERNAL_NAME, CONFIDENTIAL_NAME}
    client.force_login(lawyer)
    _, names = autocomplete(client, model_name, field_name)
    assert set(names) == {INTERNAL_NAME, CONFIDENTIAL_NAME}
    _, names = autocomplete(client, model_name, field_name, term="Секрет")
    assert names == [CONFIDENTIAL_NAME]
    client.force_login(other_lawyer)
    for term in ["", "Kaisha", "Секрет"]:
        response, names = autocomplete(client, model_name, field_name, term=term)
        assert names == []
        assert "Kaisha" not in content(response)


def test_it_suggests_authorities_and_sources_to_lawyers(client, other_lawyer, records):
    client.force_login(other_lawyer)
    _, names = autocomplete(client, "proceeding", "authority")
    # The courts of the public and internal cases; the confidential case's court is withheld.
    assert len(names) == 2
    _, names = autocomplete(client, "citation", "source", term="Article")
    assert names == []


# Shared records ----------------------------------------------------------------------------


@pytest.fixture
def shared_proceeding(people):
    """One case against a public and a confidential person, each with a ruling."""
    proceeding = make_proceeding(
        persons=[people["public"], people["confidential"]], case_number="2-19/2019"
    )
    make_ruling(proceeding, people["public"], summary="Public ruling")
    make_ruling(proceeding, people["confidential"], summary="Confidential ruling")
    return proceeding


def test_it_never_names_a_hidden_person_of_a_shared_record(
    client, other_lawyer, people, shared_proceeding
):
    shared_proceeding.persons.remove(people["confidential"])
    shared_proceeding.persons.add(people["confidential"])
    client.force_login(other_lawyer)
    for url in [
        admin_url("proceeding", "changelist"),
        admin_url("proceeding", "change", shared_proceeding.pk),
        admin_url("proceeding", "history", shared_proceeding.pk),
        admin_url("ruling", "changelist"),
        admin_url("hearing", "changelist"),
        admin_url("proceeding", "delete", shared_proceeding.pk),
    ]:
        response = client.get(url)
        assert response.status_code in (200, 403), url
        assert CONFIDENTIAL_NAME not in content(response), url
        assert "Confidential ruling" not in content(response), url
        assert "you may not see" not in content(response), url
    response = client.get(admin_url("proceeding", "change", shared_proceeding.pk))
    assert PUBLIC_NAME in content(response)
    assert "Public ruling" in content(response)


def test_it_does_not_find_a_shared_record_by_a_hidden_persons_name(
    client, lawyer, other_lawyer, shared_proceeding
):
    make_proceeding(case_number="unrelated")
    client.force_login(other_lawyer)
    response = client.get(admin_url("proceeding", "changelist"), {"q": "Secretkyzy"})
    assert list(response.context["cl"].result_list) == []
    response = client.get(admin_url("proceeding", "changelist"), {"q": "Publicova"})
    assert list(response.context["cl"].result_list) == [shared_proceeding]
    response = client.get(admin_url("proceeding", "changelist"), {"persons": "1"})
    assert response.status_code == 400
    client.force_login(lawyer)
    response = client.get(admin_url("proceeding", "changelist"), {"q": "Секреткызы"})
    assert list(response.context["cl"].result_list) == [shared_proceeding]


def test_it_shows_a_shared_record_read_only_to_a_lawyer_of_only_some_of_its_persons(
    client, lawyer, people, shared_proceeding
):
    # The lawyer represents the confidential defendant, not the public one: the proceeding's
    # shared content is not theirs alone to change.
    client.force_login(lawyer)
    url = admin_url("proceeding", "change", shared_proceeding.pk)
    response = client.get(url)
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    assert PUBLIC_NAME in content(response)
    data = {"kind": shared_proceeding.kind, "authority": str(shared_proceeding.authority_id)}
    data["charge"] = "illegal border crossing (art. 392)"

    response = client.post(url, data)

    assert response.status_code == 403
    shared_proceeding.refresh_from_db()
    assert shared_proceeding.charge != data["charge"]
    assert set(shared_proceeding.persons.all()) == {people["public"], people["confidential"]}


def test_it_lets_a_lawyer_of_every_person_change_a_shared_record(
    client, lawyer, people, shared_proceeding
):
    shared_proceeding.persons.remove(people["public"])
    shared_proceeding.persons.add(people["internal"])
    client.force_login(lawyer)
    url = admin_url("proceeding", "change", shared_proceeding.pk)
    data = form_data(client.get(url))
    data["charge"] = "illegal border crossing (art. 392)"

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    shared_proceeding.refresh_from_db()
    assert shared_proceeding.charge == "illegal border crossing (art. 392)"
    assert set(shared_proceeding.persons.all()) == {people["internal"], people["confidential"]}


def test_it_refuses_to_delete_a_shared_record_to_a_lawyer_of_only_some_persons(
    client, admin_user, lawyer, people, shared_proceeding
):
    client.force_login(lawyer)
    url = admin_url("proceeding", "delete", shared_proceeding.pk)

    assert client.get(url).status_code == 403
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert Proceeding.objects.filter(pk=shared_proceeding.pk).exists()

    client.force_login(admin_user)
    response = client.get(url)
    assert response.status_code == 200
    assert "Ruling:" in content(response)
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Proceeding.objects.filter(pk=shared_proceeding.pk).exists()


def test_it_does_not_name_hidden_records_that_protect_an_authority(client, other_lawyer, people):
    detention = make_detention(people["confidential"], authority=make_authority())
    make_detention(people["public"], authority=detention.authority)  # so the lawyer sees it
    client.force_login(other_lawyer)

    # An authority named by records the lawyer does not manage is not theirs to delete.
    response = client.get(admin_url("authority", "delete", detention.authority.pk))

    assert response.status_code == 403
    assert CONFIDENTIAL_NAME not in content(response)


def test_it_refuses_to_bulk_delete_records_a_lawyer_does_not_manage(client, other_lawyer, records):
    client.force_login(other_lawyer)
    crossings = [records["bordercrossing"]["public"], records["bordercrossing"]["internal"]]
    data = {
        "action": "delete_selected",
        "_selected_action": [str(crossing.pk) for crossing in crossings],
    }
    response = client.post(admin_url("bordercrossing", "changelist"), data)
    assert "Cannot delete border crossings" in content(response)
    response = client.post(admin_url("bordercrossing", "changelist"), {**data, "post": "yes"})
    assert response.status_code == 403
    assert BorderCrossing.objects.count() == 3


# Validation --------------------------------------------------------------------------------


def error_of(response, field):
    errors = response.context["adminform"].form.errors
    assert field in errors, errors
    return errors[field]


def test_it_shows_a_period_in_the_wrong_order_next_to_the_field(client, lawyer, people):
    status = make_status(people["internal"])
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("statusdecision", "change", status.pk)))
    data["valid_until"] = "2019-01-01"

    response = client.post(admin_url("statusdecision", "change", status.pk), data)

    assert response.status_code == 200
    assert "This cannot be before 29 October 2020." in error_of(response, "valid_until")
    assert 'id="id_valid_until_error"' in content(response)
    status.refresh_from_db()
    assert status.valid_until == datetime.date(2021, 10, 28)


def test_it_shows_a_month_date_not_on_the_first_next_to_the_field(client, lawyer, people):
    client.force_login(lawyer)
    response = client.post(
        admin_url("bordercrossing", "add"),
        {
            "person": str(people["internal"].pk),
            "date": "2018-05-17",
            "date_precision": Precision.MONTH,
            "from_country": "China",
            "to_country": "Kazakhstan",
            "method": BorderCrossing.Method.IRREGULAR,
            "cases-citation-content_type-object_id-TOTAL_FORMS": "0",
            "cases-citation-content_type-object_id-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "A date known to the month is stored on the 1st of that month." in error_of(
        response, "date"
    )
    assert 'id="id_date_error"' in content(response)
    assert not BorderCrossing.objects.exists()


def test_it_refuses_a_ruling_for_a_person_not_party_to_the_proceeding(client, lawyer, people):
    proceeding = make_proceeding(persons=[people["internal"]])
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("proceeding", "change", proceeding.pk)))
    data.update(
        {
            "rulings-TOTAL_FORMS": "1",
            "rulings-0-person": str(people["confidential"].pk),
            "rulings-0-outcome": Ruling.Outcome.CONVICTED,
            "rulings-0-date": "2019-12-23",
            "rulings-0-date_precision": Precision.DAY,
        }
    )

    response = client.post(admin_url("proceeding", "change", proceeding.pk), data)

    assert response.status_code == 200
    rulings = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.prefix == "rulings"
    )
    assert rulings.forms[0].errors["person"] == [
        f"{CONFIDENTIAL_NAME} is not a party to this proceeding."
    ]
    assert 'id="id_rulings-0-person_error"' in content(response)
    assert not Ruling.objects.exists()


def test_it_refuses_a_ruling_for_a_non_party_when_the_proceeding_is_added(
    client, admin_user, people
):
    authority = make_proceeding().authority
    client.force_login(admin_user)
    response = client.get(admin_url("proceeding", "add"))
    data = {
        "kind": Proceeding.Kind.CRIMINAL,
        "authority": str(authority.pk),
        "persons": [str(people["public"].pk)],
    }
    for inline in response.context["inline_admin_formsets"]:
        data[f"{inline.formset.prefix}-TOTAL_FORMS"] = "0"
        data[f"{inline.formset.prefix}-INITIAL_FORMS"] = "0"
    data.update(
        {
            "rulings-TOTAL_FORMS": "1",
            "rulings-0-person": str(people["internal"].pk),
            "rulings-0-outcome": Ruling.Outcome.CONVICTED,
            "rulings-0-date": "2019-12-23",
            "rulings-0-date_precision": Precision.DAY,
        }
    )

    response = client.post(admin_url("proceeding", "add"), data)

    assert response.status_code == 200
    assert "is not a party to this proceeding." in content(response)
    assert Proceeding.objects.count() == 1


def test_it_adds_hearings_and_rulings_through_the_proceeding(client, lawyer, people):
    proceeding = make_proceeding(persons=[people["internal"]])
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("proceeding", "change", proceeding.pk)))
    data.update(
        {
            "hearings-TOTAL_FORMS": "1",
            "hearings-0-date": "2019-12-01",
            "hearings-0-date_precision": Precision.MONTH,
            "hearings-0-title": "first session",
            "rulings-TOTAL_FORMS": "1",
            "rulings-0-person": str(people["internal"].pk),
            "rulings-0-outcome": Ruling.Outcome.CONVICTED,
            "rulings-0-date": "2019-12-23",
            "rulings-0-date_precision": Precision.DAY,
        }
    )

    response = client.post(admin_url("proceeding", "change", proceeding.pk), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    assert Hearing.objects.get().approx_date.precision == Precision.MONTH
    assert Ruling.objects.get().person == people["internal"]


def test_it_lists_status_decisions_with_readable_dates(client, lawyer, people):
    make_status(
        people["internal"],
        valid_until=None,
        valid_until_precision="",
        decided=datetime.date(2020, 10, 1),
        decided_precision=Precision.MONTH,
    )
    client.force_login(lawyer)
    response = client.get(admin_url("statusdecision", "changelist"))
    assert "October 2020" in content(response)
    assert StatusDecision.objects.count() == 1


def test_it_lets_a_lawyer_see_but_not_add_standalone_citations(client, lawyer):
    client.force_login(lawyer)
    response = client.get(reverse("admin:cases_citation_changelist"))
    assert response.status_code == 200
    assert client.get(reverse("admin:cases_citation_add")).status_code == 403
