"""Sources and authorities take their visibility from the records that cite or name them."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from cases.models import Authority, Event, Proceeding, Source
from people.models import Person
from tests.factories import (
    cite,
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_person,
    make_proceeding,
    make_source,
    make_status,
)

pytestmark = pytest.mark.django_db


def make_source_by(user, **fields):
    """A source whose first version in the history names ``user``, as a saved form does."""
    source = Source(
        title=fields.pop("title", "A source"),
        published_precision="unknown",
        **fields,
    )
    source._history_user = user
    source.save()
    return source


def make_authority_by(user, **fields):
    authority = Authority(kind=Authority.Kind.POLICE, country="Kazakhstan", **fields)
    authority._history_user = user
    authority.save()
    return authority


@pytest.fixture
def case(lawyer, other_lawyer):
    """A public person nobody represents; a confidential one and an internal one of `lawyer`;
    an internal one of `other_lawyer`; the sources and authorities their records use."""
    public = make_person(name="Aibota Publicova", visibility=Person.Visibility.PUBLIC)
    secret = make_person(
        name="Kaisha Secretkyzy", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )
    internal = make_person(
        name="Bakhyt Internalov", visibility=Person.Visibility.INTERNAL, lawyers=[lawyer]
    )
    others = make_person(
        name="Dana Otherova", visibility=Person.Visibility.INTERNAL, lawyers=[other_lawyer]
    )
    secret_court = make_authority(name="Police, officer X")
    make_detention(secret, authority=secret_court)
    secret_source = make_source(title="Secretkyzy detained")
    cite(make_crossing(secret), source=secret_source)
    sources = {
        "public": cite(make_crossing(public)).source,
        "secret": secret_source,
        "internal": cite(make_status(internal)).source,
        "mine": make_source_by(lawyer, title="Uncited, entered by the lawyer"),
        "nobody's": make_source(title="Uncited, entered by the importer"),
    }
    shared = make_source(title="Two cases in one article")
    cite(make_crossing(public), source=shared)
    cite(make_detention(secret), source=shared)
    sources["shared"] = shared
    authorities = {
        "public": make_proceeding(persons=[public]).authority,
        "secret": secret_court,
        "internal": make_status(internal, authority=make_authority()).authority,
        "event": make_event(persons=[public, secret], authority=make_authority()).authority,
        "mine": make_authority_by(lawyer, name="Migration police, Zharkent"),
        "nobody's": make_authority(name="Unused court"),
    }
    both = make_authority(name="Court of both")
    make_proceeding(persons=[public], authority=both)
    make_proceeding(persons=[secret], authority=both)
    authorities["shared"] = both
    return {
        "persons": {"public": public, "secret": secret, "internal": internal, "others": others},
        "sources": sources,
        "authorities": authorities,
    }


def keys(found, objects):
    ids = set(found.values_list("pk", flat=True))
    return {key for key, obj in objects.items() if obj.pk in ids}


VISIBLE = {
    "admin": {"public", "secret", "internal", "mine", "nobody's", "shared", "event"},
    "lawyer": {"public", "secret", "internal", "mine", "shared", "event"},
    "other_lawyer": {"public", "internal", "shared", "event"},
    "researcher": {"public", "internal", "shared", "event"},
    "anonymous": {"public", "shared", "event"},
}
MANAGED = {
    "admin": VISIBLE["admin"],
    # Every record citing or naming it is the lawyer's, or nobody's yet and the lawyer's own.
    "lawyer": {"secret", "internal", "mine"},
    "other_lawyer": set(),
    "researcher": set(),
    "anonymous": set(),
}


@pytest.fixture
def users(admin_user, lawyer, other_lawyer, researcher):
    return {
        "admin": admin_user,
        "lawyer": lawyer,
        "other_lawyer": other_lawyer,
        "researcher": researcher,
        "anonymous": AnonymousUser(),
    }


@pytest.mark.parametrize("who", list(VISIBLE))
def test_a_source_is_visible_with_the_records_citing_it(case, users, who):
    sources = case["sources"]
    expected = VISIBLE[who] & set(sources)
    assert keys(Source.objects.visible_to(users[who]), sources) == expected
    assert keys(Source.objects.managed_by(users[who]), sources) == MANAGED[who] & set(sources)


@pytest.mark.parametrize("who", list(VISIBLE))
def test_an_authority_is_visible_with_the_records_naming_it(case, users, who):
    authorities = case["authorities"]
    assert keys(Authority.objects.visible_to(users[who]), authorities) == VISIBLE[who]
    expected = MANAGED[who] & set(authorities)
    # An authority is the user's to change when every record naming it is: whether a shared
    # event (with a person they do not represent) is theirs is the event's own rule.
    event = Event.objects.filter(authority=authorities["event"])
    if event.managed_by(users[who]).exists():
        expected.add("event")
    assert keys(Authority.objects.managed_by(users[who]), authorities) == expected


def test_a_source_cited_once_more_for_a_hidden_case_stays_visible_but_not_managed(
    case, lawyer, other_lawyer
):
    source = case["sources"]["internal"]
    assert Source.objects.managed_by(lawyer).filter(pk=source.pk).exists()
    cite(make_crossing(case["persons"]["others"]), source=source)
    assert not Source.objects.managed_by(lawyer).filter(pk=source.pk).exists()
    assert Source.objects.visible_to(lawyer).filter(pk=source.pk).exists()
    assert Source.objects.visible_to(other_lawyer).filter(pk=source.pk).exists()


def test_the_rules_are_one_query_whatever_the_number_of_sources(
    case, lawyer, django_assert_num_queries
):
    list(Source.objects.visible_to(lawyer))  # the content types are cached after this
    with django_assert_num_queries(1):
        list(Source.objects.visible_to(lawyer))
    with django_assert_num_queries(1):
        list(Source.objects.managed_by(lawyer))
    with django_assert_num_queries(1):
        list(Authority.objects.visible_to(lawyer))
    with django_assert_num_queries(1):
        list(Authority.objects.managed_by(lawyer))


def test_the_public_page_still_shows_the_sources_of_public_facts(client, case):
    public = case["persons"]["public"]
    body = client.get(public.get_absolute_url()).content.decode()
    assert case["sources"]["public"].title in body
    assert case["sources"]["shared"].title in body
    assert "Secretkyzy detained" not in body


# The lawyer's forms ------------------------------------------------------------------------


def edit_url(name, person):
    return reverse(f"edit:{name}", kwargs={"ref": person.ref})


def test_the_citation_list_offers_only_the_sources_a_lawyer_may_see(client, case, other_lawyer):
    client.force_login(other_lawyer)
    body = client.get(edit_url("crossing-add", case["persons"]["others"])).content.decode()
    assert '<datalist id="source-options">' in body
    for key in ["public", "internal", "shared"]:
        assert case["sources"][key].title in body
    assert "Secretkyzy detained" not in body
    assert "Uncited, entered by the lawyer" not in body


def test_a_lawyer_finds_the_uncited_source_they_entered(client, case, lawyer):
    client.force_login(lawyer)
    body = client.get(edit_url("crossing-add", case["persons"]["internal"])).content.decode()
    assert "Uncited, entered by the lawyer" in body
    assert "Uncited, entered by the importer" not in body


def test_the_authority_choices_are_the_ones_a_lawyer_may_see(client, case, other_lawyer):
    client.force_login(other_lawyer)
    for form in ["detention-add", "status-add", "event-add", "proceeding-add"]:
        body = client.get(edit_url(form, case["persons"]["others"])).content.decode()
        assert f'value="{case["authorities"]["public"].pk}"' in body, form
        assert "Police, officer X" not in body, form
        assert "Migration police, Zharkent" not in body, form


def test_a_new_court_named_like_a_hidden_one_is_that_court_left_unchanged(
    client, case, other_lawyer
):
    hidden = case["authorities"]["secret"]
    versions = hidden.history.count()
    client.force_login(other_lawyer)
    others = case["persons"]["others"]
    page = client.get(edit_url("proceeding-add", others))
    assert page.status_code == 200
    response = client.post(
        edit_url("proceeding-add", others),
        {
            "kind": "criminal",
            "new_authority_name": hidden.name,
            "new_authority_kind": "court",
            "new_authority_country": hidden.country,
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
            "participants-TOTAL_FORMS": "0",
            "participants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Proceeding.objects.get(persons=others).authority == hidden
    assert Authority.objects.filter(name=hidden.name).count() == 1
    assert hidden.history.count() == versions


# The admin ---------------------------------------------------------------------------------


def test_the_admin_lists_the_sources_and_authorities_a_user_may_see(client, case, other_lawyer):
    client.force_login(other_lawyer)
    body = client.get(reverse("admin:cases_source_changelist")).content.decode()
    assert case["sources"]["public"].title in body
    assert "Secretkyzy detained" not in body
    body = client.get(reverse("admin:cases_authority_changelist")).content.decode()
    assert case["authorities"]["public"].name in body
    assert "Police, officer X" not in body


def test_a_lawyer_may_change_a_source_only_their_own_records_cite(client, case, lawyer):
    client.force_login(lawyer)
    own = case["sources"]["secret"]
    response = client.get(reverse("admin:cases_source_change", args=[own.pk]))
    assert 'name="title"' in response.content.decode()
    shared = case["sources"]["shared"]
    response = client.post(
        reverse("admin:cases_source_change", args=[shared.pk]), {"title": "Changed"}
    )
    assert response.status_code == 403
    shared.refresh_from_db()
    assert shared.title == "Two cases in one article"


def test_a_lawyer_adds_a_source_in_the_admin_and_finds_it_again(client, lawyer):
    client.force_login(lawyer)
    response = client.post(
        reverse("admin:cases_source_add"),
        {
            "kind": "article",
            "title": "A new article",
            "published_precision": "unknown",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    source = Source.objects.get(title="A new article")
    assert Source.objects.managed_by(lawyer).filter(pk=source.pk).exists()
    response = client.get(reverse("admin:cases_source_change", args=[source.pk]))
    assert response.status_code == 200
