"""The home page: a public landing, or a lawyer's persons, deadlines and others' changes."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.dashboard import build_home
from cases.models import StatusDecision
from casetracker.dates import Precision
from people.models import Person
from tests.factories import (
    make_crossing,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)

pytestmark = pytest.mark.django_db

HOME = "/"
READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
HAS_HOME = {"other_lawyer", "lawyer", "admin_user"}


def today():
    return timezone.localdate()


def in_days(days):
    return today() + datetime.timedelta(days=days)


def login(client, request, reader):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))


def section(body, heading_id):
    """The HTML of the home page section under the heading with this id."""
    start = body.index(f'id="{heading_id}"')
    return body[start : body.index("</section>", start)]


def expiring_status(person, days, **overrides):
    """A status granted a year before, valid until ``days`` from today."""
    fields = {
        "decided": in_days(days - 365),
        "valid_from": in_days(days - 365),
        "valid_until": in_days(days),
    }
    fields.update(overrides)
    return make_status(person, **fields)


def by_someone(record, user):
    """Attribute every saved version of ``record`` to ``user``, as if they had saved it."""
    record.history.update(history_user=user)


@pytest.fixture
def persons(lawyer):
    """Persons assigned to ``lawyer``, entered by the lawyer themselves."""
    made = {
        visibility: make_person(
            name=f"Secret{visibility.title()} Name",
            visibility=visibility,
            internal_notes=f"NOTE-{visibility}",
            lawyers=[lawyer],
        )
        for visibility in Person.Visibility.values
    }
    for person in made.values():
        by_someone(person, lawyer)
    return made


@pytest.mark.parametrize("reader", READERS)
def test_it_shows_the_landing_or_the_lawyers_home(client, request, persons, reader):
    login(client, request, reader)
    response = client.get(HOME)
    body = response.content.decode()
    assert response.status_code == 200
    if reader in HAS_HOME:
        assert "My cases" in body
        assert reverse("account:person-create") in body
    else:
        assert "Browse the people" in body
        assert reverse("cases:directory") in body
        assert "My cases" not in body
    assert "NOTE-" not in body


@pytest.mark.parametrize("reader", READERS)
def test_it_lists_only_the_readers_own_persons(client, request, persons, reader):
    login(client, request, reader)
    body = client.get(HOME).content.decode()
    for person in persons.values():
        assert (person.name in body) == (reader in {"lawyer"})


def test_the_url_of_home_is_the_account_home():
    assert reverse("account:home") == HOME


def test_it_lists_a_current_status_that_expires_soon(client, lawyer, persons):
    person = persons["confidential"]
    status = expiring_status(person, 30)
    client.force_login(lawyer)
    body = client.get(HOME).content.decode()
    assert f"{person.get_absolute_url()}#entry-status-{status.pk}" in body
    assert "expires in 30 days" in body


def test_it_lists_an_expired_current_status(lawyer, persons):
    status = expiring_status(persons["public"], -5)
    home = build_home(lawyer)
    assert [(d.status, d.state, d.days_left) for d in home.statuses] == [(status, "expired", -5)]


def test_it_leaves_out_a_status_that_is_valid_for_long(lawyer, persons):
    expiring_status(persons["public"], 200)
    make_status(persons["internal"], valid_until=None, valid_until_precision="")
    assert build_home(lawyer).statuses == []


def test_a_renewed_status_no_longer_nags(client, lawyer, persons):
    person = persons["internal"]
    old = expiring_status(person, 20, decided=datetime.date(2020, 10, 29))
    renewal = make_status(
        person,
        outcome=StatusDecision.Outcome.EXTENDED,
        decided=in_days(-2),
        valid_from=in_days(20),
        valid_until=in_days(20 + 365),
    )
    assert build_home(lawyer).statuses == []
    client.force_login(lawyer)
    body = client.get(HOME).content.decode()
    assert f"#entry-status-{old.pk}" not in body
    assert f"#entry-status-{renewal.pk}" not in body


def test_a_refused_renewal_leaves_the_status_expiring(lawyer, persons):
    person = persons["public"]
    status = expiring_status(person, 10)
    make_status(person, outcome=StatusDecision.Outcome.REFUSED, decided=in_days(-1))
    assert [deadline.status for deadline in build_home(lawyer).statuses] == [status]


def test_a_status_known_to_the_month_expires_at_the_end_of_the_month(lawyer, persons):
    first_of_month = in_days(60).replace(day=1)
    expiring_status(
        persons["public"],
        60,
        valid_until=first_of_month,
        valid_until_precision=Precision.MONTH,
    )
    (deadline,) = build_home(lawyer).statuses
    assert deadline.state == "expiring"
    assert deadline.days_left >= 60 - 31


def test_it_lists_a_hearing_in_ten_days_but_not_in_twenty(client, lawyer, persons):
    proceeding = make_proceeding(persons=[persons["public"]])
    soon = make_hearing(proceeding, date=in_days(10), title="Appeal session")
    later = make_hearing(proceeding, date=in_days(20))
    past = make_hearing(proceeding, date=in_days(-3))
    client.force_login(lawyer)
    body = client.get(HOME).content.decode()
    assert [deadline.hearing for deadline in build_home(lawyer).hearings] == [soon]
    assert f"#entry-hearing-{soon.pk}" in body
    assert f"#entry-hearing-{later.pk}" not in body
    assert f"#entry-hearing-{past.pk}" not in body
    assert "in 10 days" in body


def test_a_hearing_shared_with_a_hidden_person_does_not_name_them(client, lawyer, other_lawyer):
    mine = make_person(name="Client Of Mine", lawyers=[lawyer])
    hidden = make_person(
        name="Hidden Codefendant", visibility="confidential", lawyers=[other_lawyer]
    )
    proceeding = make_proceeding(persons=[mine, hidden])
    make_hearing(proceeding, date=in_days(3))
    client.force_login(lawyer)
    body = client.get(HOME).content.decode()
    assert "Client Of Mine" in body
    assert "Hidden Codefendant" not in body
    assert hidden.ref not in body


def test_it_lists_proceedings_with_no_ruling_for_my_person(client, lawyer, persons):
    public, internal = persons["public"], persons["internal"]
    pending = make_proceeding(persons=[public], case_number="2-101/2020")
    decided = make_proceeding(persons=[internal], case_number="2-202/2019")
    make_ruling(decided, person=internal)
    half = make_proceeding(persons=[public, internal], case_number="2-303/2021")
    make_ruling(half, person=public)
    pairs = {(item.proceeding, item.person) for item in build_home(lawyer).awaiting_ruling}
    assert pairs == {(pending, public), (half, internal)}
    client.force_login(lawyer)
    body = section(client.get(HOME).content.decode(), "rulings-heading")
    assert "2-101/2020" in body
    assert "2-202/2019" not in body
    assert f"#entry-proceeding-{pending.pk}" in body


def test_it_lists_a_change_by_someone_else_but_not_my_own(client, lawyer, admin_user, persons):
    theirs = make_crossing(persons["public"], place="Khorgos")
    mine = make_crossing(persons["internal"], place="Zharkent")
    by_someone(theirs, admin_user)
    by_someone(mine, lawyer)
    changes = build_home(lawyer).changes
    assert [(change.kind.name, change.record_id) for change in changes] == [("crossing", theirs.pk)]
    client.force_login(lawyer)
    body = client.get(HOME).content.decode()
    history = reverse("account:person-history", kwargs={"ref": persons["public"].ref})
    assert f"{history}#{changes[0].anchor}" in body
    assert "by admin" in body


def test_a_change_made_through_the_person_form_shows_on_the_other_lawyers_home(
    client, lawyer, admin_user, persons
):
    person = persons["confidential"]
    client.force_login(admin_user)
    edit = reverse("account:person-edit", kwargs={"ref": person.ref})
    form = client.get(edit).context["form"]
    response = client.post(
        edit,
        {
            "name": person.name,
            "sex": person.sex,
            "visibility": person.visibility,
            "lawyers": [lawyer.pk],
            "internal_notes": "changed by the admin",
            "version": form.initial["version"],
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    (change,) = build_home(lawyer).changes
    assert (change.kind.name, change.person, change.user) == ("person", person, admin_user)
    assert build_home(admin_user).changes == []


def test_a_record_created_by_one_and_changed_by_another_shows_as_changed(
    lawyer, admin_user, other_lawyer, persons
):
    crossing = make_crossing(persons["public"])
    by_someone(crossing, other_lawyer)
    crossing._history_user = admin_user
    crossing.place = "Khorgos"
    crossing.save()
    (change,) = build_home(lawyer).changes
    assert (change.action, change.user) == ("changed", admin_user)
    new = make_crossing(persons["internal"])
    by_someone(new, other_lawyer)
    assert [(c.record_id, c.action) for c in build_home(lawyer).changes] == [
        (new.pk, "added"),
        (crossing.pk, "changed"),
    ]


def test_a_change_made_by_an_import_is_listed_as_such(client, lawyer, persons):
    make_crossing(persons["internal"])
    (change,) = build_home(lawyer).changes
    assert change.user is None
    client.force_login(lawyer)
    assert "by no user (an import or a script)" in client.get(HOME).content.decode()


def test_old_changes_and_changes_on_others_cases_are_not_listed(lawyer, other_lawyer, persons):
    theirs = make_person(name="Not My Client", lawyers=[other_lawyer])
    by_someone(make_crossing(theirs), other_lawyer)
    old = make_crossing(persons["public"])
    by_someone(old, other_lawyer)
    old.history.update(history_date=timezone.now() - datetime.timedelta(days=45))
    assert build_home(lawyer).changes == []


def test_it_lists_a_change_to_a_shared_proceeding_and_its_hearings(lawyer, other_lawyer, persons):
    proceeding = make_proceeding(persons=[persons["public"]])
    hearing = make_hearing(proceeding)
    by_someone(proceeding, other_lawyer)
    by_someone(hearing, other_lawyer)
    kinds = {change.kind.name for change in build_home(lawyer).changes}
    assert kinds == {"proceeding", "hearing"}


def test_an_admin_sees_their_own_and_unassigned_persons(client, admin_user, lawyer):
    own = make_person(name="Admins Own Client", lawyers=[admin_user], visibility="internal")
    nobody = make_person(name="Nobodys Client", visibility="confidential")
    lawyers_only = make_person(name="Lawyers Client", lawyers=[lawyer])
    expiring_status(nobody, 15)
    home = build_home(admin_user)
    assert [person.name for person in home.persons] == [own.name, nobody.name]
    assert [deadline.person for deadline in home.statuses] == [nobody]
    client.force_login(admin_user)
    body = client.get(HOME).content.decode()
    assert "no lawyer assigned" in body
    assert lawyers_only.name not in body


def _fill_caseload(lawyer, other, count):
    for index in range(count):
        person = make_person(lawyers=[lawyer], visibility="internal")
        expiring_status(person, 10 + index)
        proceeding = make_proceeding(persons=[person])
        by_someone(make_hearing(proceeding, date=in_days(5)), other)
        by_someone(make_crossing(person), other)
        by_someone(proceeding, other)


def _count_home_queries(client):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(HOME)
    assert response.status_code == 200
    return len(queries)


def test_the_home_makes_a_fixed_number_of_queries(
    client, lawyer, other_lawyer, django_assert_max_num_queries
):
    _fill_caseload(lawyer, other_lawyer, 2)
    client.force_login(lawyer)
    client.get(HOME)  # Django caches content types on the first request of a process
    few = _count_home_queries(client)
    _fill_caseload(lawyer, other_lawyer, 8)
    many = _count_home_queries(client)
    assert few == many
    # 22: one of them finds the names of hidden persons to withhold from the change labels.
    with django_assert_max_num_queries(22):
        body = client.get(HOME).content.decode()
    assert body.count("deadline-expiring") == 10
