"""Replayed attacks: sources and authorities of a confidential case, seen or used by outsiders.

The review found a source cited only in a confidential case (its title names the person) in
every lawyer's citation list, in the admin's list, history and autocomplete, and citable by
id; authorities shared the design, and the directory named any authority given by id.
"""

import json

import pytest
from django.apps import apps
from django.urls import reverse

from cases.models import Authority, Detention, Source
from people.models import Person
from tests.factories import (
    cite,
    make_authority,
    make_crossing,
    make_detention,
    make_person,
    make_source,
)
from tests.test_admin import form_data

pytestmark = pytest.mark.django_db

SECRET_TITLE = "Kaisha Secretkyzy held in Zharkent"
SECRET_PUBLISHER = "Secretkyzy family letter"
SECRET_COURT = "Migration police, Zharkent (officer Serikov)"


@pytest.fixture
def secret(lawyer):
    """A confidential person of `lawyer`, with a source and an authority used only for her."""
    person = make_person(
        name="Kaisha Secretkyzy", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )
    source = make_source(title=SECRET_TITLE, publisher=SECRET_PUBLISHER)
    authority = make_authority(name=SECRET_COURT, kind=Authority.Kind.POLICE)
    cite(make_detention(person, authority=authority), source=source)
    return {"person": person, "source": source, "authority": authority}


@pytest.fixture
def own(other_lawyer):
    """The attacker: a lawyer with a case of their own, so the forms open for them."""
    return make_person(
        name="Dana Otherova", visibility=Person.Visibility.INTERNAL, lawyers=[other_lawyer]
    )


@pytest.fixture
def attacker(client, other_lawyer):
    client.force_login(other_lawyer)
    return client


def row_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models()
        if model._meta.app_label in ("cases", "people")
    }


def body(response):
    return response.content.decode()


def assert_withheld(text, typed=False):
    """None of the secret texts shows; ``typed``: the page echoes a search for part of them."""
    for secret_text in (SECRET_TITLE, SECRET_PUBLISHER, SECRET_COURT):
        assert secret_text not in text
    if not typed:
        assert "Secretkyzy" not in text


def edit_url(name, person):
    return reverse(f"edit:{name}", kwargs={"ref": person.ref})


def crossing_post(source_text):
    return {
        "date_year": "2018",
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": "unknown",
        "citations-TOTAL_FORMS": "1",
        "citations-INITIAL_FORMS": "0",
        "citations-0-source": source_text,
        "citations-0-confidence": "high",
    }


# The lawyer's forms ------------------------------------------------------------------------


def test_the_citation_list_does_not_offer_a_confidential_cases_source(attacker, secret, own):
    response = attacker.get(edit_url("crossing-add", own))
    assert response.status_code == 200
    assert_withheld(body(response))


@pytest.mark.parametrize("how", ["id", "title"])
def test_a_confidential_cases_source_cannot_be_cited_by_id_or_title(attacker, secret, own, how):
    source = secret["source"]
    typed = f"anything [#{source.pk}]" if how == "id" else SECRET_TITLE
    before = row_counts()
    response = attacker.post(edit_url("crossing-add", own), crossing_post(typed))
    assert response.status_code == 200
    # The same answer as for a source that does not exist at all.
    assert "There is no such source on record" in body(response)
    if how == "id":
        assert_withheld(body(response))
    assert row_counts() == before


def test_a_confidential_cases_authority_is_not_offered_nor_accepted(attacker, secret, own):
    response = attacker.get(edit_url("detention-add", own))
    assert_withheld(body(response))
    before = row_counts()
    response = attacker.post(
        edit_url("detention-add", own),
        {
            "kind": "pre_trial",
            "start_year": "2019",
            "authority": str(secret["authority"].pk),
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "Select a valid choice" in body(response)
    assert row_counts() == before


# The admin ---------------------------------------------------------------------------------


@pytest.mark.parametrize("model_name", ["source", "authority"])
def test_the_admin_withholds_them_everywhere(attacker, secret, model_name):
    obj = secret[model_name]
    changelist = reverse(f"admin:cases_{model_name}_changelist")
    assert_withheld(body(attacker.get(changelist)))
    assert_withheld(body(attacker.get(changelist, {"q": "Secretkyzy"})), typed=True)
    assert_withheld(body(attacker.get(changelist, {"q": "Serikov"})), typed=True)
    change = attacker.get(reverse(f"admin:cases_{model_name}_change", args=[obj.pk]), follow=True)
    assert_withheld(body(change))
    history = attacker.get(reverse(f"admin:cases_{model_name}_history", args=[obj.pk]))
    assert history.status_code == 404
    delete = attacker.get(reverse(f"admin:cases_{model_name}_delete", args=[obj.pk]), follow=True)
    assert_withheld(body(delete))
    before = row_counts()
    attacker.post(reverse(f"admin:cases_{model_name}_delete", args=[obj.pk]), {"post": "yes"})
    assert row_counts() == before


@pytest.mark.parametrize(
    "model_name,field_name,term",
    [
        ("citation", "source", "Secretkyzy"),
        ("citation", "source", "Zharkent"),
        ("detention", "authority", "Zharkent"),
        ("proceeding", "authority", "Serikov"),
        ("event", "authority", ""),
        ("statusdecision", "authority", ""),
    ],
)
def test_the_admin_autocomplete_withholds_them(attacker, secret, model_name, field_name, term):
    response = attacker.get(
        reverse("admin:autocomplete"),
        {"app_label": "cases", "model_name": model_name, "field_name": field_name, "term": term},
    )
    assert response.status_code == 200
    assert json.loads(response.content)["results"] == []


def test_the_admin_refuses_to_cite_a_hidden_source_by_id(attacker, secret, own):
    crossing = make_crossing(own)
    change_url = reverse("admin:cases_bordercrossing_change", args=[crossing.pk])
    data = form_data(attacker.get(change_url))
    prefix = "cases-citation-content_type-object_id"
    data.update(
        {
            f"{prefix}-TOTAL_FORMS": "1",
            f"{prefix}-0-source": str(secret["source"].pk),
            f"{prefix}-0-confidence": "high",
        }
    )
    before = row_counts()
    response = attacker.post(change_url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in body(response)
    assert_withheld(body(response))
    assert row_counts() == before
    assert not crossing.citations.exists()


def test_the_admin_refuses_a_hidden_authority_by_id(attacker, secret, own):
    detention = make_detention(own)
    change_url = reverse("admin:cases_detention_change", args=[detention.pk])
    data = form_data(attacker.get(change_url))
    data["authority"] = str(secret["authority"].pk)
    response = attacker.post(change_url, data)
    assert response.status_code == 200
    assert "Select a valid choice" in body(response)
    detention.refresh_from_db()
    assert detention.authority != secret["authority"]
    assert Detention.objects.filter(authority=secret["authority"]).count() == 1


def test_a_lawyer_cannot_rewrite_a_source_shown_in_others_cases(client, lawyer, secret):
    """The lawyer may see a source cited in a public case too, but not change its text."""
    public = make_person(name="Aibota Publicova")
    cite(make_crossing(public), source=secret["source"])
    client.force_login(lawyer)
    url = reverse("admin:cases_source_change", args=[secret["source"].pk])
    response = client.post(url, {"kind": "article", "title": "Rewritten"})
    assert response.status_code == 403
    assert Source.objects.get(pk=secret["source"].pk).title == SECRET_TITLE


# The directory -----------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "other_lawyer"])
def test_the_directory_does_not_name_a_hidden_authority_given_by_id(
    client, other_lawyer, secret, who
):
    if who == "other_lawyer":
        client.force_login(other_lawyer)
    response = client.get(reverse("cases:directory"), {"court": secret["authority"].pk})
    assert response.status_code == 200
    assert_withheld(body(response))
    response = client.get(reverse("cases:directory-json"), {"court": secret["authority"].pk})
    assert_withheld(body(response))
