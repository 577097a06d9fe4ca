"""The hostile review of the admin's changelist lookups and its "view on site" shortcut.

Aisulu Ashyqkyzy is public and her lawyer works in the admin; Bekzat Zhasyrynuly is
confidential and not his. Her typed texts name him, masked as "[name withheld]" on every page.
A lookup in the address (``?public_summary__regex=…``) must not count the rows that name him,
nor a reverse relation (``?detentions=4``) tie his records to hers: a changelist takes only the
parameters of its own sidebar filters and date hierarchy, for admins too. The shortcut
``/admin/r/<content type>/<id>/`` answers for him as for an id that does not exist.
"""

import re
from html import unescape
from urllib.parse import parse_qsl, urlencode

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.test import Client, RequestFactory
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import (
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    Source,
)
from casetracker.admin_lookups import OwnFiltersOnlyMixin
from people.models import NameVariant, Person

from ..factories import (
    cite,
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
    make_user,
)

pytestmark = pytest.mark.django_db

HIS_NAME = "Bekzat Zhasyrynuly"
NOWHERE = "Qwzxvy"  # a word in no record


@pytest.fixture
def case(lawyer, other_lawyer):
    her = make_person(name="Aisulu Ashyqkyzy", lawyers=[lawyer])
    her.public_summary = f"Crossed into Kazakhstan with {HIS_NAME} in 2018."
    her.save()
    him = make_person(
        name=HIS_NAME,
        visibility=Person.Visibility.CONFIDENTIAL,
        lawyers=[other_lawyer],
        variants=["Бекзат Жасырынұлы"],
    )
    court = make_authority(name="Zharkent court")
    source = make_source(title="Two refugees tried", date_note=f"Undated; {HIS_NAME} interview")
    crossing = make_crossing(her, place="Khorgos", reason=f"Crossed with {HIS_NAME}.")
    cite(crossing, source, quote=f"{HIS_NAME} and Ashyqkyzy waded across.")
    own = make_proceeding(
        persons=[her], authority=court, description=f"Opened after {HIS_NAME}'s arrest."
    )
    Participant.objects.create(
        proceeding=own, name="Aiman Zhunusova", role=Participant.Role.DEFENCE, note=HIS_NAME
    )
    make_hearing(own, title="First session", summary=f"The court heard {HIS_NAME}.")
    make_ruling(own, her)
    make_event(
        persons=[her], title=f"Vigil for {HIS_NAME}", description=f"{HIS_NAME}'s family spoke."
    )
    make_detention(her, authority=court)
    make_status(her)
    # His own records: the same court detains and tries him.
    his_court = make_authority(name="Almaty court")
    his_detention = make_detention(him, authority=his_court)
    cite(his_detention, source)
    his_proceeding = make_proceeding(persons=[him], authority=his_court)
    his_ruling = make_ruling(his_proceeding, him)
    return {
        "her": her,
        "him": him,
        "court": court,
        "his_court": his_court,
        "his_detention": his_detention,
        "his_proceeding": his_proceeding,
        "his_ruling": his_ruling,
    }


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def changelist(model):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def without_nonces(response):
    """The page without what differs on every response: script nonces and the CSRF token."""
    content = re.sub(rb'nonce="[^"]*"', b"", response.content)
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b"", content)


# Lookups no filter offers -----------------------------------------------------------------

TEXT_LOOKUPS = [
    (Person, "public_summary"),
    (Citation, "quote"),
    (Proceeding, "description"),
    (Event, "title"),
    (Event, "description"),
    (Source, "date_note"),
    (Hearing, "summary"),
    (BorderCrossing, "reason"),
    (Participant, "note"),
]


@pytest.mark.parametrize(("model", "field"), TEXT_LOOKUPS)
@pytest.mark.parametrize("lookup", ["icontains", "regex"])
def test_it_refuses_a_lookup_on_typed_text_alike_for_a_hidden_name_and_a_word_nowhere(
    case, lawyer, model, field, lookup
):
    client = signed_in(lawyer)
    hidden = client.get(changelist(model), {f"{field}__{lookup}": "Zhasyrynuly"})
    nowhere = client.get(changelist(model), {f"{field}__{lookup}": NOWHERE})
    assert hidden.status_code == nowhere.status_code == 400
    assert without_nonces(hidden) == without_nonces(nowhere)
    assert b"Zhasyrynuly" not in hidden.content


def test_it_refuses_the_binary_search_that_recovered_his_name(case, lawyer):
    client = signed_in(lawyer)
    url = changelist(Person)
    answers = {
        client.get(url, {"public_summary__regex": f"with Q[{letters}]"}).status_code
        for letters in ("a-m", "n-z", "A-Z")
    }
    assert answers == {400}
    for value in ("Qaster", "Qbster", "Zhasyrynuly", HIS_NAME):
        assert client.get(url, {"public_summary__icontains": value}).status_code == 400
        assert client.get(url, {"public_summary": value}).status_code == 400


@pytest.mark.parametrize(
    ("model", "relation", "his", "nowhere"),
    [
        (Person, "detentions", "his_detention", 999_999),
        (Person, "rulings", "his_ruling", 999_999),
        (Proceeding, "rulings", "his_ruling", 999_999),
        (Proceeding, "persons", "him", 999_999),
        (Event, "persons", "him", 999_999),
    ],
)
def test_it_refuses_a_reverse_relation_that_ties_his_records_to_hers(
    case, lawyer, model, relation, his, nowhere
):
    client = signed_in(lawyer)
    hidden = client.get(changelist(model), {relation: case[his].pk})
    missing = client.get(changelist(model), {relation: nowhere})
    assert hidden.status_code == missing.status_code == 400
    assert without_nonces(hidden) == without_nonces(missing)


@pytest.mark.parametrize("relation", ["detentions", "proceedings", "detentions__person"])
def test_it_refuses_an_authoritys_reverse_relations(case, lawyer, relation):
    client = signed_in(lawyer)
    for value in (case["his_detention"].pk, case["him"].pk, 999_999):
        url = reverse("admin:cases_authority_changelist")
        assert client.get(url, {relation: value}).status_code == 400
        assert client.get(url, {f"{relation}__id__exact": value}).status_code == 400


@pytest.mark.parametrize(
    "params",
    [
        {"quote__icontains": "\x00"},
        {"quote__regex": "("},
        {"confidence__exact": "high\x00"},
        {"content_type__id__exact": "\x00"},
    ],
)
def test_it_never_fails_on_a_nul_byte_or_a_broken_pattern_for_anyone(
    case, lawyer, admin_user, params
):
    for user in (lawyer, admin_user):
        response = signed_in(user).get(changelist(Citation), params)
        assert response.status_code == 400


def test_a_search_with_a_nul_byte_finds_nothing_and_never_fails(case, lawyer, admin_user):
    for user in (lawyer, admin_user):
        client = signed_in(user)
        for term in ("\x00", "Ashyq\x00kyzy"):
            # Django's own search form refuses it with a message and searches nothing.
            response = client.get(changelist(Person), {"q": term})
            assert response.status_code == 200
            assert response.context["cl"].query == ""
            response = client.get(
                reverse("admin:autocomplete"),
                {"term": term, "app_label": "cases", "model_name": "detention"}
                | {"field_name": "person"},
            )
            assert response.status_code == 400


@pytest.mark.parametrize(
    ("model", "params"),
    [
        (Person, {"public_summary__regex": "("}),
        (Person, {"public_summary__icontains": "\x00"}),
        (Person, {"visibility__exact": "\x00"}),
        (Person, {"assigned": "me\x00"}),
        (Source, {"published__year": "\x00"}),
        (Source, {"published__gte": "2019-01-01"}),  # the date hierarchy's own range, typed
        (Person, {"ref__in": "a,b"}),
        (Person, {"pk__gt": "1"}),
        (Detention, {"authority__name__icontains": "court"}),
        (Detention, {"person__name__icontains": "Zhas"}),
    ],
)
def test_it_refuses_the_same_for_an_admin(case, admin_user, model, params):
    assert signed_in(admin_user).get(changelist(model), params).status_code == 400


def test_the_read_log_and_users_take_only_their_own_filters(case, admin_user):
    client = signed_in(admin_user)
    client.get(reverse("cases:person", kwargs={"ref": case["him"].ref}))
    log = reverse("admin:people_accesslogentry_changelist")
    assert client.get(log, {"person_ref__icontains": case["him"].ref[:2]}).status_code == 400
    assert client.get(log, {"path__regex": "("}).status_code == 400
    assert client.get(log, {"what__exact": "page"}).status_code == 200
    users = reverse("admin:auth_user_changelist")
    assert client.get(users, {"password__startswith": "md5"}).status_code == 400
    assert client.get(users, {"is_staff__exact": "1"}).status_code == 200


def test_every_registered_admin_has_the_rule():
    for model_admin in admin.site._registry.values():
        assert isinstance(model_admin, OwnFiltersOnlyMixin), type(model_admin)


# The sidebar's own filters still work ------------------------------------------------------


@pytest.fixture
def everything(case, admin_user, lawyer):
    """A row of every kind the admin lists, so that every filter has choices to offer."""
    # Devices of someone else: the standing users sign in without a second factor.
    someone = make_user("someone")
    TOTPDevice.objects.create(user=someone, name="phone", confirmed=True)
    StaticDevice.objects.create(user=someone, name="backup", confirmed=True)
    Client().post(reverse("login"), {"username": "lawyer", "password": "wrong-guess"})
    client = signed_in(admin_user)
    client.get(reverse("cases:person", kwargs={"ref": case["him"].ref}))
    assert AccessAttempt.objects.exists()
    return case


def filter_links(html):
    """The query strings of the links a changelist offers: filters, dates, sorting, pages."""
    return {unescape(href) for href in re.findall(r'href="(\?[^"]*)"', html)}


def walk(client, url, date_hierarchy):
    """Open every link of the changelist, and from there every step down its date hierarchy
    (year, month, day); return the query strings opened."""
    seen = set()
    todo = ["?"]
    while todo:
        query = todo.pop()
        if query in seen:
            continue
        seen.add(query)
        response = client.get(url + query)
        assert response.status_code == 200, (url + query, response.status_code)
        for link in filter_links(response.content.decode()) - seen:
            # Sorting and facet counts are no filters: the walk leaves them out (time).
            if {key for key, _ in parse_qsl(link[1:])} & {"o", "_facets"}:
                continue
            if query == "?" or date_steps(link, date_hierarchy) > date_steps(query, date_hierarchy):
                todo.append(link)
    return seen


def date_steps(query, date_hierarchy):
    keys = {key for key, _ in parse_qsl(query[1:])}
    return len(keys & {f"{date_hierarchy}__{part}" for part in ("year", "month", "day")})


def visible_admins(user):
    request = RequestFactory().get("/")
    request.user = user
    for model, model_admin in admin.site._registry.items():
        if model_admin.has_view_or_change_permission(request):
            yield model, model_admin


@pytest.mark.parametrize("user_name", ["admin_user", "lawyer"])
def test_every_filter_choice_of_every_changelist_opens(everything, request, user_name):
    user = request.getfixturevalue(user_name)
    client = signed_in(user)
    walked = set()
    for model, model_admin in visible_admins(user):
        url = changelist(model)
        queries = walk(client, url, model_admin.date_hierarchy)
        params = {key for query in queries for key, _ in parse_qsl(query[1:])}
        if model_admin.list_filter or model_admin.date_hierarchy:
            assert params - {"o", "p", "_facets"}, f"{url} offers no filter link"
        walked.add(model)
        # Each filter's parameter with a value no choice offers: no rows, Django's "?e=1"
        # or a refusal (a month without its year), never a server error; with a NUL byte,
        # a refusal.
        for key in params - {"o", "p", "_facets"}:
            for value in ("zz", "99999999999999999999"):
                response = client.get(f"{url}?{urlencode({key: value})}")
                assert response.status_code in (200, 302, 400), (url, key, value)
                if response.status_code == 302:
                    assert "e=1" in response.url
            assert client.get(url, {key: "1\x00"}).status_code == 400
    if user_name == "admin_user":  # all but the sign-in failures nobody reads in the admin
        assert walked == set(admin.site._registry) - {AccessFailureLog}


def test_a_popup_for_a_raw_id_or_autocomplete_field_still_opens(everything, lawyer, admin_user):
    for user in (lawyer, admin_user):
        client = signed_in(user)
        for params in ({"_popup": "1"}, {"_popup": "1", "_to_field": "id"}):
            assert client.get(changelist(Person), params).status_code == 200
            assert client.get(changelist(Source), params).status_code == 200
        response = client.get(
            reverse("admin:autocomplete"),
            {
                "term": "Ashyq",
                "app_label": "cases",
                "model_name": "detention",
                "field_name": "person",
            },
        )
        assert response.status_code == 200
        assert "Ashyqkyzy" in response.content.decode()


def test_the_filters_still_narrow_the_list(everything, lawyer):
    client = signed_in(lawyer)
    response = client.get(changelist(Person), {"visibility__exact": "public"})
    assert list(response.context["cl"].result_list) == [everything["her"]]
    court = everything["court"]
    response = client.get(changelist(Detention), {"authority__id__exact": court.pk})
    assert [detention.authority for detention in response.context["cl"].result_list] == [court]
    response = client.get(changelist(Ruling), {"date__year": "2019", "date__month": "12"})
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 1


# View on site ------------------------------------------------------------------------------


def shortcut(obj):
    content_type = ContentType.objects.get_for_model(obj)
    return reverse("admin:view_on_site", args=[content_type.pk, obj.pk])


def test_view_on_site_answers_for_a_hidden_object_as_for_a_missing_one(case, lawyer):
    client = signed_in(lawyer)
    him = case["him"]
    variant = NameVariant.objects.get(person=him)
    person_type = ContentType.objects.get_for_model(Person)
    missing = client.get(reverse("admin:view_on_site", args=[person_type.pk, 999_999]))
    assert missing.status_code == 404
    for obj in (him, variant, case["his_ruling"], case["his_detention"]):
        response = client.get(shortcut(obj))
        assert response.status_code == 404, obj
        assert without_nonces(response) == without_nonces(missing)
        assert him.ref not in response.content.decode()
    for path in (
        f"/admin/r/{person_type.pk}/abc/",
        f"/admin/r/{person_type.pk}/99999999999999999999/",
        f"/admin/r/999999/{him.pk}/",
        f"/admin/r/{ContentType.objects.get_for_model(Session).pk}/x/",
    ):
        assert client.get(path).status_code == 404, path


def test_view_on_site_redirects_for_a_visible_object(case, lawyer, other_lawyer):
    client = signed_in(lawyer)
    her = case["her"]
    response = client.get(shortcut(her))
    assert response.status_code == 302
    assert response.url.endswith(her.get_absolute_url())
    # The link on her change page is the guarded one, and it works.
    page = client.get(reverse("admin:people_person_change", args=[her.pk])).content.decode()
    assert shortcut(her) in page
    response = signed_in(other_lawyer).get(shortcut(case["him"]))
    assert response.status_code == 302
    assert response.url.endswith(case["him"].get_absolute_url())


def test_view_on_site_is_for_signed_in_staff(case, researcher):
    url = shortcut(case["her"])
    response = Client().get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
    response = signed_in(researcher).get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))
