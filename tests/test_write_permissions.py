"""Every write URL, as every kind of user, against persons of every visibility.

The URLs are read from ``cases.edit_urls``: a new write URL is walked here without anyone
having to remember it. A refused request must change nothing: every table a write view can
touch is compared, row by row, before and after.
"""

import datetime

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse

from cases import edit_urls
from cases.models import (
    Authority,
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)
from people.models import NameVariant, Person
from tests.factories import (
    cite,
    make_crossing,
    make_detention,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)
from tests.test_record_forms import date_parts, fill, form_values

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}
MAY_WRITE = {"lawyer", "admin_user"}  # "lawyer" is assigned to the person
TABLES = [
    Person,
    NameVariant,
    Authority,
    Source,
    Citation,
    BorderCrossing,
    Detention,
    Proceeding,
    Proceeding.persons.through,
    Participant,
    Hearing,
    Ruling,
    StatusDecision,
    Event,
    Event.persons.through,
]
ROUTES = [pattern.name for pattern in edit_urls.urlpatterns]
CHANGED = "Changed by the test"


def snapshot():
    """Every row of every table a write view can touch."""
    return {model: list(model.objects.order_by("pk").values()) for model in TABLES}


def make_records(person):
    """One record of every kind for ``person``, each citing a source."""
    proceeding = make_proceeding(persons=[person])
    records = {
        "crossing": make_crossing(person),
        "detention": make_detention(person),
        "proceeding": proceeding,
        "hearing": make_hearing(proceeding),
        "ruling": make_ruling(proceeding, person=person),
        "status": make_status(person),
        "event": make_event(persons=[person]),
    }
    for record in records.values():
        cite(record)
    return records


def add_changes(kind, records):
    proceeding = records["proceeding"]
    return {
        "crossing": {**date_parts("date", 2018, 5), "from_country": "China", "to_country": "KZ"},
        "detention": {"kind": "pre_trial", **date_parts("start", 2019, 10)},
        "proceeding": {"kind": "criminal", "authority": proceeding.authority_id},
        "hearing": {"proceeding": proceeding.pk, **date_parts("date", 2020, 2, 3)},
        "ruling": {
            "proceeding": proceeding.pk,
            **date_parts("date", 2020, 2, 3),
            "outcome": "acquitted",
        },
        "status": {"status": "refugee", "outcome": "applied", **date_parts("decided", 2020, 1)},
        "event": {"kind": "other", "title": CHANGED, **date_parts("date", 2019)},
        "source": {"kind": "article", "title": CHANGED, **date_parts("published", 2020)},
    }[kind]


EDITED_FIELD = {
    "crossing": "place",
    "detention": "place",
    "proceeding": "charge",
    "hearing": "title",
    "ruling": "summary",
    "status": "note",
    "event": "title",
}


@pytest.fixture
def scene(request, lawyer, admin_user):
    """A person of the visibility under test, assigned to ``lawyer``, with a record of each kind."""
    visibility = request.node.callspec.params["visibility"]
    person = make_person(name=f"Secret{visibility.title()} Name", visibility=visibility)
    person.lawyers.add(lawyer)
    return person, make_records(person)


def route_url(route, person, records):
    kind, action = route.rsplit("-", 1)
    kwargs = {"ref": person.ref}
    if action != "add":
        kwargs["pk"] = records[kind].pk
    return reverse(f"edit:{route}", kwargs=kwargs)


def payload(route, url, records, admin_user):
    """What the form at ``url`` posts when filled in correctly (read as an admin may see it)."""
    kind, action = route.rsplit("-", 1)
    editor = Client()
    editor.force_login(admin_user)
    page = editor.get(url)
    assert page.status_code == 200
    if action == "delete":
        return form_values(page, "confirm-form")
    if action == "add":
        return fill(form_values(page), **add_changes(kind, records))
    return fill(form_values(page), **{EDITED_FIELD[kind]: CHANGED})


def expected_refusal(reader, visibility):
    if reader == "anonymous":
        return "login"
    if reader in MAY_WRITE:
        return None
    return 403 if reader in MAY_SEE[visibility] else 404


def refusal_problems(response, refusal, url, secret):
    if refusal == "login":
        if response.status_code != 302 or response.url != f"{reverse('login')}?next={url}":
            return [f"expected a redirect to sign in, got {response.status_code}"]
    elif response.status_code != refusal:
        return [f"expected {refusal}, got {response.status_code}"]
    if secret in response.content.decode():
        return ["the refusal names the person"]
    return []


def allowed_problems(response, method, route, person, records, before):
    kind, action = route.rsplit("-", 1)
    if method == "get":
        if response.status_code != 200:
            return [f"expected 200, got {response.status_code}"]
        if 'name="csrfmiddlewaretoken"' not in response.content.decode():
            return ["the form has no CSRF token"]
        return [] if snapshot() == before else ["opening the form changed data"]
    if response.status_code != 302 or not response.url.startswith(person.get_absolute_url()):
        return [f"expected a redirect to the person's page, got {response.status_code}"]
    if snapshot() == before:
        return ["the save changed nothing"]
    record = records.get(kind)
    if action == "edit":
        record.refresh_from_db()
        if getattr(record, EDITED_FIELD[kind]) != CHANGED:
            return ["the edited field was not saved"]
    if action == "delete" and type(record).objects.filter(pk=record.pk).exists():
        return ["the record was not deleted"]
    return []


def test_every_write_url_is_behind_the_gate():
    for pattern in edit_urls.urlpatterns:
        assert getattr(pattern.callback, "writes_a_persons_case", False), pattern.name
    assert len(ROUTES) == 22


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_who_may_open_and_post_each_write_url(request, scene, admin_user, route, visibility):
    """GET and POST as each reader; each request is rolled back so the next starts afresh."""
    person, records = scene
    url = route_url(route, person, records)
    data = payload(route, url, records, admin_user)
    users = {reader: request.getfixturevalue(reader) for reader in READERS}
    problems = []
    for reader in READERS:
        refusal = expected_refusal(reader, visibility)
        for method in ("get", "post"):
            with transaction.atomic():
                client = Client()
                if reader != "anonymous":
                    client.force_login(users[reader])
                before = snapshot()
                response = client.get(url) if method == "get" else client.post(url, data)
                if refusal is None:
                    found = allowed_problems(response, method, route, person, records, before)
                else:
                    found = refusal_problems(response, refusal, url, person.name)
                    if snapshot() != before:
                        found.append("a refused request changed data")
                problems += [f"{reader} {method.upper()}: {problem}" for problem in found]
                transaction.set_rollback(True)
    assert not problems, problems


def test_a_record_of_another_person_is_not_found_under_a_managed_persons_url(
    client, lawyer, admin_user
):
    mine = make_person(lawyers=[lawyer])
    theirs = make_person(name="Someone Else", visibility=Person.Visibility.CONFIDENTIAL)
    make_records(mine)
    records = make_records(theirs)
    before = snapshot()
    for user in (lawyer, admin_user):
        client.force_login(user)
        for kind in edit_urls.SEGMENTS:
            for action in ("edit", "delete"):
                pk = records[kind].pk
                url = reverse(f"edit:{kind}-{action}", kwargs={"ref": mine.ref, "pk": pk})
                assert client.get(url).status_code == 404, url
                assert client.post(url, {"version": "x"}).status_code == 404, url
    assert snapshot() == before


@pytest.mark.parametrize("route", ["crossing-add", "proceeding-edit", "event-delete"])
def test_a_lawyer_no_longer_assigned_is_refused(client, lawyer, admin_user, route):
    person = make_person(visibility=Person.Visibility.INTERNAL, lawyers=[lawyer])
    records = make_records(person)
    url = route_url(route, person, records)
    data = payload(route, url, records, admin_user)
    person.lawyers.remove(lawyer)
    client.force_login(lawyer)
    before = snapshot()
    assert client.post(url, data).status_code == 403
    assert snapshot() == before


def test_an_inactive_lawyer_is_sent_to_sign_in(client, lawyer):
    person = make_person(lawyers=[lawyer])
    url = reverse("edit:crossing-add", kwargs={"ref": person.ref})
    client.force_login(lawyer)
    lawyer.is_active = False
    lawyer.save()
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_write_url_answers_only_get_and_post(client, lawyer, researcher):
    person = make_person(lawyers=[lawyer])
    url = reverse("edit:crossing-add", kwargs={"ref": person.ref})
    client.force_login(researcher)
    assert client.put(url).status_code == 403  # the gate speaks first
    client.force_login(lawyer)
    assert client.put(url).status_code == 405
    assert client.delete(url).status_code == 405


# Records shared with persons the lawyer does not represent ----------------------------------


@pytest.fixture
def shared_scene(lawyer, other_lawyer):
    """`other_lawyer`'s client shares a proceeding (with a hearing) and an event with a
    confidential person of `lawyer`'s; each has a ruling of their own."""
    client = make_person(name="Own Client", visibility=Person.Visibility.INTERNAL)
    client.lawyers.add(other_lawyer)
    secret = make_person(name="SecretCodefendant Name", lawyers=[lawyer])
    proceeding = make_proceeding(persons=[client, secret], charge="as charged")
    records = {
        "proceeding": proceeding,
        "hearing": make_hearing(proceeding, title="first session"),
        "ruling": make_ruling(proceeding, person=client),
        "event": make_event(persons=[client, secret], title="Joint press conference"),
    }
    make_ruling(proceeding, person=secret)
    return client, records


@pytest.mark.parametrize(
    "route", ["proceeding-edit", "event-edit", "hearing-edit", "hearing-delete"]
)
def test_a_shared_record_is_not_changed_by_a_lawyer_of_only_some_persons(
    client, other_lawyer, admin_user, shared_scene, route
):
    person, records = shared_scene
    url = route_url(route, person, records)
    data = payload(route, url, records, admin_user)
    client.force_login(other_lawyer)
    before = snapshot()
    for response in [client.get(url), client.post(url, data)]:
        assert response.status_code == 403, route
        assert "SecretCodefendant" not in response.content.decode()
    assert snapshot() == before


@pytest.mark.parametrize("kind", ["proceeding", "event"])
def test_a_lawyer_of_only_some_persons_takes_their_person_off_a_shared_record(
    client, other_lawyer, shared_scene, kind
):
    person, records = shared_scene
    client.force_login(other_lawyer)
    response = client.post(route_url(f"{kind}-delete", person, records))
    assert response.status_code == 302
    record = type(records[kind]).objects.get(pk=records[kind].pk)
    assert person not in record.persons.all()
    assert record.persons.count() == 1
    if kind == "proceeding":
        assert Hearing.objects.filter(pk=records["hearing"].pk).exists()
        assert not Ruling.objects.filter(person=person).exists()
        assert Ruling.objects.count() == 1


def test_a_lawyer_of_only_some_persons_still_records_their_persons_ruling(
    client, other_lawyer, admin_user, shared_scene
):
    person, records = shared_scene
    for route in ["ruling-edit", "ruling-add"]:
        url = route_url(route, person, records)
        data = payload(route, url, records, admin_user)
        client.force_login(other_lawyer)
        response = client.post(url, data)
        assert response.status_code == 302, (route, response.content.decode()[:2000])
    assert Ruling.objects.filter(person=person).count() == 2


def test_a_lawyer_of_only_some_persons_cannot_add_a_hearing_to_a_shared_proceeding(
    client, other_lawyer, shared_scene
):
    person, records = shared_scene
    url = route_url("hearing-add", person, records)
    client.force_login(other_lawyer)
    page = client.get(url)
    assert list(page.context["form"].fields["proceeding"].queryset) == []
    before = snapshot()
    data = {"proceeding": records["proceeding"].pk, **date_parts("date", 2020, 2, 3)}
    response = client.post(url, data)
    assert response.status_code == 200
    assert "proceeding" in response.context["form"].errors
    assert snapshot() == before


def test_a_source_is_cited_only_for_entries_the_lawyer_may_change(
    client, other_lawyer, shared_scene
):
    person, records = shared_scene
    url = route_url("source-add", person, records)
    client.force_login(other_lawyer)
    choices = dict(client.get(url).context["form"].fields["cite_for"].choices)
    assert f"ruling-{records['ruling'].pk}" in choices
    for kind in ["proceeding", "hearing", "event"]:
        assert f"{kind}-{records[kind].pk}" not in choices
    before = snapshot()
    data = {
        "kind": "article",
        "title": CHANGED,
        **date_parts("published", 2020),
        "confidence": "high",
        "cite_for": [f"hearing-{records['hearing'].pk}"],
    }
    response = client.post(url, data)
    assert response.status_code in (200, 403)
    assert snapshot() == before


def test_the_person_page_shows_edit_links_only_where_the_lawyer_may_change(
    client, other_lawyer, lawyer, shared_scene
):
    person, records = shared_scene
    client.force_login(other_lawyer)
    body = client.get(person.get_absolute_url()).content.decode()
    assert route_url("ruling-edit", person, records) in body
    for kind in ["proceeding", "hearing", "event"]:
        assert route_url(f"{kind}-edit", person, records) not in body, kind
    assert route_url("hearing-delete", person, records) not in body
    assert route_url("proceeding-delete", person, records) in body  # "Remove from this case"
    assert "Remove from this case" in body
    # Once the lawyer represents both, the shared records are theirs to edit.
    Person.objects.get(name="SecretCodefendant Name").lawyers.add(other_lawyer)
    body = client.get(person.get_absolute_url()).content.decode()
    for kind in ["proceeding", "hearing", "event", "ruling"]:
        assert route_url(f"{kind}-edit", person, records) in body, kind


def test_the_home_page_offers_to_edit_only_hearings_the_lawyer_may_change(
    client, other_lawyer, shared_scene
):
    person, records = shared_scene
    soon = datetime.date.today() + datetime.timedelta(days=3)
    shared = make_hearing(records["proceeding"], date=soon, title="Shared session")
    own = make_hearing(make_proceeding(persons=[person]), date=soon, title="Own session")
    client.force_login(other_lawyer)
    body = client.get(reverse("account:home")).content.decode()
    assert "Shared session" in body and "Own session" in body
    assert reverse("edit:hearing-edit", kwargs={"ref": person.ref, "pk": own.pk}) in body
    assert reverse("edit:hearing-edit", kwargs={"ref": person.ref, "pk": shared.pk}) not in body
