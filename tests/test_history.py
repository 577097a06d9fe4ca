"""Every change made through the admin is kept: who changed what, when, and what it was before."""

import datetime

from cases.models import Hearing, StatusDecision
from casetracker.dates import Precision
from people.models import Person

from .factories import make_crossing, make_person, make_proceeding, make_status
from .test_admin import admin_url, form_data


def lawyer_ids(version):
    return sorted(version.lawyers.values_list("user", flat=True))


def test_it_records_who_changed_a_person_and_what_it_was(client, lawyer):
    person = make_person(name="Kaisha Akankyzy", lawyers=[lawyer])
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("person", "change", person.pk)))
    data["name"] = "Qaisha Aqanqyzy"

    response = client.post(admin_url("person", "change", person.pk), data)

    assert response.status_code == 302
    latest, previous = person.history.all()[0], person.history.all()[1]
    assert latest.history_type == "~"
    assert latest.history_user == lawyer
    assert latest.name == "Qaisha Aqanqyzy"
    assert previous.name == "Kaisha Akankyzy"
    assert [change.field for change in latest.diff_against(previous).changes] == ["name"]


def test_it_records_who_added_a_person_and_their_assignment(client, lawyer):
    client.force_login(lawyer)
    response = client.post(
        admin_url("person", "add"),
        {
            "name": "Zhanar Newcomer",
            "sex": Person.Sex.FEMALE,
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302
    person = Person.objects.get(name="Zhanar Newcomer")
    assert [version.history_type for version in person.history.all()] == ["~", "+"]
    assert {version.history_user for version in person.history.all()} == {lawyer}
    assert lawyer_ids(person.history.first()) == [lawyer.pk]
    assert lawyer_ids(person.history.last()) == []


def test_it_records_changes_of_the_assigned_lawyers(client, admin_user, lawyer, other_lawyer):
    person = make_person(lawyers=[lawyer], visibility=Person.Visibility.CONFIDENTIAL)
    client.force_login(admin_user)
    data = form_data(client.get(admin_url("person", "change", person.pk)))
    data["lawyers"] = [str(other_lawyer.pk)]

    response = client.post(admin_url("person", "change", person.pk), data)

    assert response.status_code == 302
    latest = person.history.first()
    assert latest.history_user == admin_user
    assert lawyer_ids(latest) == [other_lawyer.pk]
    changed_by_admin = person.history.filter(history_user=admin_user)
    assert changed_by_admin.exists()
    before = person.history.exclude(pk__in=changed_by_admin.values("pk")).first()
    assert lawyer_ids(before) == [lawyer.pk]


def test_it_records_who_changed_a_case_record_and_what_it_was(client, lawyer):
    status = make_status(make_person(lawyers=[lawyer]), outcome=StatusDecision.Outcome.APPLIED)
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("statusdecision", "change", status.pk)))
    data["outcome"] = StatusDecision.Outcome.GRANTED

    response = client.post(admin_url("statusdecision", "change", status.pk), data)

    assert response.status_code == 302
    latest, previous = status.history.all()[0], status.history.all()[1]
    assert latest.history_user == lawyer
    assert latest.outcome == StatusDecision.Outcome.GRANTED
    assert previous.outcome == StatusDecision.Outcome.APPLIED
    assert previous.history_user is None  # made by the test's builder, outside a request


def test_it_records_who_changed_an_approximate_date(client, lawyer):
    crossing = make_crossing(make_person(lawyers=[lawyer]))
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("bordercrossing", "change", crossing.pk)))
    data.update({"date": "", "date_precision": Precision.UNKNOWN, "date_not_later_than": ""})

    response = client.post(admin_url("bordercrossing", "change", crossing.pk), data)

    assert response.status_code == 302
    latest, previous = crossing.history.all()[0], crossing.history.all()[1]
    assert latest.history_user == lawyer
    assert latest.date is None
    assert (previous.date, previous.date_precision) == (datetime.date(2018, 5, 1), "month")


def test_it_records_who_added_a_record_through_an_inline(client, lawyer):
    proceeding = make_proceeding(persons=[make_person(lawyers=[lawyer])])
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("proceeding", "change", proceeding.pk)))
    data.update(
        {
            "hearings-TOTAL_FORMS": "1",
            "hearings-0-date": "2020-01-06",
            "hearings-0-date_precision": Precision.DAY,
            "hearings-0-title": "first session",
        }
    )

    response = client.post(admin_url("proceeding", "change", proceeding.pk), data)

    assert response.status_code == 302
    hearing = Hearing.objects.get()
    assert hearing.history.get().history_user == lawyer
    assert hearing.history.get().history_type == "+"


def test_it_records_who_changed_the_persons_of_a_shared_record(client, lawyer):
    first = make_person(lawyers=[lawyer])
    second = make_person(lawyers=[lawyer])
    proceeding = make_proceeding(persons=[first])
    client.force_login(lawyer)
    data = form_data(client.get(admin_url("proceeding", "change", proceeding.pk)))
    data["persons"] = [str(first.pk), str(second.pk)]

    response = client.post(admin_url("proceeding", "change", proceeding.pk), data)

    assert response.status_code == 302
    latest = proceeding.history.first()
    assert latest.history_user == lawyer
    assert sorted(latest.persons.values_list("person", flat=True)) == [first.pk, second.pk]
    before = proceeding.history.exclude(history_user=lawyer).first()
    assert list(before.persons.values_list("person", flat=True)) == [first.pk]


def test_it_records_who_reverted_a_record(client, lawyer):
    status = make_status(make_person(lawyers=[lawyer]), note="first note")
    status.note = "second note"
    status.save()
    first = status.history.last()
    client.force_login(lawyer)
    url = admin_url("statusdecision", "simple_history", status.pk, first.history_id)
    response = client.get(url)
    assert response.status_code == 200
    form = response.context["adminform"].form
    # The revert form shows the old version; it has no inlines.
    data = {
        name: "" if form[name].value() is None else str(form[name].value()) for name in form.fields
    }

    response = client.post(url, data)

    assert response.status_code == 302
    status.refresh_from_db()
    assert status.note == "first note"
    assert status.history.first().history_user == lawyer
    assert status.history.all()[1].note == "second note"


def test_it_records_who_deleted_a_record(client, lawyer):
    crossing = make_crossing(make_person(lawyers=[lawyer]))
    client.force_login(lawyer)

    response = client.post(admin_url("bordercrossing", "delete", crossing.pk), {"post": "yes"})

    assert response.status_code == 302
    deleted = crossing.history.first()
    assert deleted.history_type == "-"
    assert deleted.history_user == lawyer
    assert deleted.to_country == "Kazakhstan"
