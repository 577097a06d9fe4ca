"""The read log: every read of a non-public person is recorded, and admins can read it."""

import datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from people.access_log import AccessLogEntry, AccessLogPerson, entries_for, record_read
from people.models import Person
from tests.factories import fill_case, make_crossing, make_person, make_user

pytestmark = pytest.mark.django_db

What = AccessLogEntry.What
NON_PUBLIC = ["internal", "confidential"]


@pytest.fixture
def persons(lawyer):
    return {
        visibility: make_person(name=f"Read {visibility}", visibility=visibility, lawyers=[lawyer])
        for visibility in Person.Visibility.values
    }


def logged(person):
    return list(entries_for(person.ref))


def admin_url(name, *args):
    return reverse(f"admin:{name}", args=args)


# What is recorded --------------------------------------------------------------------------

PERSON_READS = {
    What.PAGE: lambda person: person.get_absolute_url(),
    What.TIMELINE_JSON: lambda person: reverse("cases:person-json", kwargs={"ref": person.ref}),
    What.HISTORY: lambda person: reverse("account:person-history", kwargs={"ref": person.ref}),
    What.EDIT_FORM: lambda person: reverse("account:person-edit", kwargs={"ref": person.ref}),
    What.ADMIN: lambda person: admin_url("people_person_change", person.pk),
    What.ADMIN_HISTORY: lambda person: admin_url("people_person_history", person.pk),
}


@pytest.mark.parametrize("what", list(PERSON_READS))
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_it_records_each_read_of_a_non_public_person_only(
    client, lawyer, persons, what, visibility
):
    person = persons[visibility]
    client.force_login(lawyer)
    response = client.get(PERSON_READS[what](person), HTTP_USER_AGENT="Firefox/128")
    assert response.status_code == 200

    entries = logged(person)
    if visibility == "public":
        assert entries == []
        return
    [entry] = entries
    assert entry.what == what
    assert (entry.user_id, entry.username) == (lawyer.pk, "lawyer")
    assert entry.person_id == person.pk and entry.person_count == 1
    assert entry.address == "127.0.0.1"
    assert entry.method == "GET"
    assert entry.path == PERSON_READS[what](person)
    assert entry.user_agent == "Firefox/128"
    assert timezone.now() - entry.at < datetime.timedelta(minutes=1)


@pytest.mark.parametrize("visibility", NON_PUBLIC)
def test_it_records_the_edit_form_of_a_record(client, lawyer, persons, visibility):
    person = persons[visibility]
    crossing = make_crossing(person)
    client.force_login(lawyer)
    client.get(reverse("edit:crossing-edit", kwargs={"ref": person.ref, "pk": crossing.pk}))
    assert [entry.what for entry in logged(person)] == [What.EDIT_FORM]


@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_it_records_the_admin_form_and_history_of_a_persons_record(
    client, admin_user, persons, visibility
):
    person = persons[visibility]
    crossing = make_crossing(person)
    client.force_login(admin_user)
    client.get(admin_url("cases_bordercrossing_change", crossing.pk))
    client.get(admin_url("cases_bordercrossing_history", crossing.pk))
    version = crossing.history.first()
    client.get(admin_url("cases_bordercrossing_simple_history", crossing.pk, version.pk))
    expected = [] if visibility == "public" else [What.ADMIN_HISTORY] * 2 + [What.ADMIN]
    assert [entry.what for entry in logged(person)] == expected


def test_a_post_to_the_admin_is_a_write_and_not_logged_as_a_read(client, admin_user, persons):
    person = persons["internal"]
    client.force_login(admin_user)
    client.post(admin_url("people_person_change", person.pk), {})
    assert logged(person) == []


def test_a_refused_read_is_not_recorded(client, other_lawyer, persons):
    person = persons["confidential"]
    client.force_login(other_lawyer)
    assert client.get(person.get_absolute_url()).status_code == 404
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("url_name", ["cases:directory", "cases:directory-json"])
def test_a_directory_page_is_one_entry_with_the_non_public_persons_it_lists(
    client, admin_user, persons, url_name
):
    client.force_login(admin_user)
    client.get(reverse(url_name))
    [entry] = AccessLogEntry.objects.all()
    assert entry.what == What.DIRECTORY
    assert entry.person_count == 2 and entry.person_ref == ""
    assert {row.person_ref for row in entry.persons.all()} == {
        persons[visibility].ref for visibility in NON_PUBLIC
    }
    assert logged(persons["internal"]) == [entry]
    assert logged(persons["public"]) == []


def test_the_public_directory_is_not_logged(client, persons):
    client.get(reverse("cases:directory"))
    client.get(reverse("cases:directory-json"))
    assert not AccessLogEntry.objects.exists()


@pytest.mark.parametrize(
    "url_name",
    [
        "reports:export-persons-csv",
        "reports:export-entries-csv",
        "reports:export-xlsx",
        "reports:export-json",
    ],
)
def test_an_export_is_one_entry_naming_every_non_public_person(client, lawyer, persons, url_name):
    client.force_login(lawyer)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    [entry] = AccessLogEntry.objects.all()
    assert (entry.what, entry.username, entry.person_count) == (What.EXPORT, "lawyer", 2)
    for visibility in NON_PUBLIC:
        assert logged(persons[visibility]) == [entry]
    assert logged(persons["public"]) == []


def test_a_filtered_export_names_only_the_persons_it_holds(client, admin_user, persons):
    client.force_login(admin_user)
    client.get(reverse("reports:export-json"), {"visibility": "confidential"})
    [entry] = AccessLogEntry.objects.all()
    # One person: kept on the entry itself, as for a page.
    assert (entry.person_ref, entry.person_count) == (persons["confidential"].ref, 1)
    assert not AccessLogPerson.objects.exists()


def test_an_export_of_only_public_persons_is_not_logged(client, researcher):
    make_person(visibility="public")
    client.force_login(researcher)
    client.get(reverse("reports:export-json"))
    assert not AccessLogEntry.objects.exists()


def test_a_large_export_writes_its_persons_in_a_few_bulk_inserts(
    admin_user, django_assert_max_num_queries
):
    Person.objects.bulk_create(
        Person(name=f"Many {number}", visibility="internal", ref=f"mny{number:05d}")
        for number in range(2500)
    )
    request = RequestFactory().get("/export/persons.json")
    request.user = admin_user
    # The refs, the entry, and batches of persons: two on PostgreSQL, eight on SQLite (whose
    # statements take at most 999 parameters); never one per person.
    with django_assert_max_num_queries(10):
        record_read(request, Person.objects.all(), What.EXPORT)
    entry = AccessLogEntry.objects.get()
    assert entry.person_count == 2500 == entry.persons.count()


def test_it_takes_a_person_a_list_a_queryset_or_a_page_of_one(admin_user, persons):
    request = RequestFactory().get("/")
    request.user = admin_user
    everyone = Person.objects.order_by("visibility")
    for persons_read in [persons["internal"], list(everyone), everyone, everyone[:2]]:
        record_read(request, persons_read, What.EXPORT)
    assert [entry.person_count for entry in AccessLogEntry.objects.order_by("pk")] == [1, 2, 2, 2]
    assert record_read(request, persons["public"], What.PAGE) is None


def test_the_export_command_is_logged_with_the_operator_and_the_user_it_acted_as(
    tmp_path, persons, researcher
):
    call_command("export_cases", "--output", str(tmp_path / "all.json"), verbosity=0)
    call_command(
        "export_cases", "--as-user", "researcher", "-o", str(tmp_path / "r.json"), verbosity=0
    )
    by_researcher, everything = AccessLogEntry.objects.order_by("-pk")
    assert (everything.username, everything.user_id) == ("export_cases", None)
    assert everything.person_count == 2 and everything.method == "command"
    assert (by_researcher.username, by_researcher.user_id) == (
        "export_cases (researcher)",
        researcher.pk,
    )
    assert by_researcher.person_ref == persons["internal"].ref  # internal only


@pytest.mark.parametrize("url", ["/reports/", "/reports/status.csv"])
def test_a_report_counting_non_public_persons_keeps_how_many_not_who(
    client, researcher, persons, url
):
    client.force_login(researcher)
    assert client.get(url).status_code == 200
    [entry] = AccessLogEntry.objects.all()
    assert (entry.what, entry.person_count, entry.person_ref) == (What.REPORT, 1, "")
    assert not AccessLogPerson.objects.exists()


def test_a_report_of_public_persons_only_is_not_logged(client, researcher):
    make_person(visibility="public")
    client.force_login(researcher)
    client.get("/reports/")
    assert not AccessLogEntry.objects.exists()


# The reader's address ------------------------------------------------------------------------


def test_it_records_the_direct_address_and_ignores_a_forged_forwarded_for(
    client, admin_user, persons
):
    client.force_login(admin_user)
    client.get(
        persons["internal"].get_absolute_url(),
        REMOTE_ADDR="203.0.113.9",
        HTTP_X_FORWARDED_FOR="198.51.100.1",
    )
    assert logged(persons["internal"])[0].address == "203.0.113.9"


def test_behind_a_trusted_proxy_it_records_the_address_the_proxy_saw(
    client, admin_user, persons, settings
):
    settings.CASETRACKER_PROXY_COUNT = 1
    client.force_login(admin_user)
    # The client wrote the first address itself; the proxy appended the second.
    client.get(
        persons["internal"].get_absolute_url(),
        REMOTE_ADDR="127.0.0.1",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 2001:db8::7",
    )
    assert logged(persons["internal"])[0].address == "2001:db8::7"


def test_an_address_that_is_not_one_is_left_empty(client, admin_user, persons, settings):
    settings.CASETRACKER_PROXY_COUNT = 1
    client.force_login(admin_user)
    client.get(persons["internal"].get_absolute_url(), HTTP_X_FORWARDED_FOR="<script>")
    entry = logged(persons["internal"])[0]
    assert entry.address is None


def test_a_long_user_agent_is_cut(client, admin_user, persons):
    client.force_login(admin_user)
    client.get(persons["internal"].get_absolute_url(), HTTP_USER_AGENT="x" * 5000)
    assert len(logged(persons["internal"])[0].user_agent) == 300


# The log outlives who it names -------------------------------------------------------------


def test_the_log_survives_the_deletion_of_the_person_and_of_the_reader(client, persons):
    reader = make_user("reader", is_superuser=True, is_staff=True)
    person = persons["confidential"]
    client.force_login(reader)
    client.get(person.get_absolute_url())
    client.logout()
    ref = person.ref
    person.delete()
    reader.delete()

    [entry] = entries_for(ref)
    assert (entry.username, entry.what) == ("reader", What.PAGE)


# The per-person page -------------------------------------------------------------------------


def log_url(person_or_ref):
    ref = getattr(person_or_ref, "ref", person_or_ref)
    return reverse("cases:person-access-log", kwargs={"ref": ref})


def test_it_lists_who_read_the_person_newest_first(client, admin_user, lawyer, persons):
    person = persons["confidential"]
    client.force_login(lawyer)
    client.get(person.get_absolute_url(), REMOTE_ADDR="192.0.2.44")
    client.get(reverse("reports:export-json"))
    client.force_login(admin_user)

    response = client.get(log_url(person))
    assert response.status_code == 200
    body = response.content.decode()
    rows = list(response.context["page"].object_list)
    # Reading the log is a read too, and is listed first.
    assert [entry.what for entry in rows] == [What.ACCESS_LOG, What.EXPORT, What.PAGE]
    assert "192.0.2.44" in body and "lawyer" in body
    assert person.name in body


def test_it_pages_the_log(client, admin_user, persons):
    person = persons["internal"]
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(what=What.PAGE, person_ref=person.ref, username=f"reader{number}")
        for number in range(120)
    )
    client.force_login(admin_user)
    first = client.get(log_url(person))
    assert len(first.context["page"].object_list) == 50
    assert 'rel="next"' in first.content.decode()
    last = client.get(log_url(person), {"page": "99"})
    assert last.context["page"].number == 3


def test_the_log_of_a_deleted_person_stays_readable(client, admin_user, persons):
    person = persons["internal"]
    client.force_login(admin_user)
    client.get(person.get_absolute_url())
    ref = person.ref
    person.delete()
    response = client.get(log_url(ref))
    assert response.status_code == 200
    assert ref in response.content.decode()
    assert client.get(log_url("zzzzzzzzzz")).status_code == 404


def test_the_person_page_links_to_the_log_for_admins_only(client, admin_user, lawyer, persons):
    person = persons["internal"]
    client.force_login(lawyer)
    assert log_url(person) not in client.get(person.get_absolute_url()).content.decode()
    client.force_login(admin_user)
    assert log_url(person) in client.get(person.get_absolute_url()).content.decode()


# The whole log in the admin -----------------------------------------------------------------


def test_admins_filter_and_search_the_whole_log_in_the_admin(client, admin_user, lawyer, persons):
    client.force_login(lawyer)
    client.get(persons["internal"].get_absolute_url())
    client.get(reverse("reports:export-json"))
    client.force_login(admin_user)
    changelist = admin_url("people_accesslogentry_changelist")

    assert client.get(changelist).status_code == 200
    assert len(client.get(changelist, {"what__exact": "export"}).context["cl"].result_list) == 1
    assert len(client.get(changelist, {"username": "lawyer"}).context["cl"].result_list) == 2
    found = client.get(changelist, {"q": persons["confidential"].ref}).context["cl"].result_list
    assert [entry.what for entry in found] == [What.EXPORT]
    today = timezone.localdate()
    by_day = client.get(
        changelist, {"at__year": today.year, "at__month": today.month, "at__day": today.day}
    )
    assert len(by_day.context["cl"].result_list) == 2
    export = AccessLogEntry.objects.get(what=What.EXPORT)
    detail = client.get(admin_url("people_accesslogentry_change", export.pk))
    assert persons["confidential"].ref in detail.content.decode()


# Speed ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("visibility", NON_PUBLIC)
@pytest.mark.parametrize("reader", ["lawyer", "admin_user"])
@pytest.mark.parametrize("copies", [1, 8])
def test_logging_keeps_the_person_page_within_its_query_budget(
    client, request, django_assert_max_num_queries, lawyer, reader, visibility, copies
):
    person = make_person(visibility=visibility, lawyers=[lawyer], internal_notes="NOTE")
    fill_case(person, copies)
    client.force_login(request.getfixturevalue(reader))
    # tests/test_person_page.py pins 15 for the page; a non-public person adds one INSERT.
    with django_assert_max_num_queries(15 + 1):
        response = client.get(person.get_absolute_url())
    assert response.status_code == 200
    assert AccessLogEntry.objects.count() == 1


# Retention ------------------------------------------------------------------------------------


def test_the_purge_deletes_only_entries_older_than_the_retention_period(settings, capsys):
    settings.ACCESS_LOG_DAYS = 30
    now = timezone.now()
    old = AccessLogEntry.objects.create(what=What.EXPORT, at=now - datetime.timedelta(days=31))
    AccessLogPerson.objects.bulk_create(
        AccessLogPerson(entry=old, person_ref=ref) for ref in ["aaaaaaaaaa", "bbbbbbbbbb"]
    )
    kept = AccessLogEntry.objects.create(what=What.EXPORT, at=now - datetime.timedelta(days=29))
    AccessLogPerson.objects.create(entry=kept, person_ref="aaaaaaaaaa")

    call_command("purge_access_log", "--dry-run")
    assert AccessLogEntry.objects.count() == 2
    call_command("purge_access_log")

    assert list(AccessLogEntry.objects.all()) == [kept]
    assert list(AccessLogPerson.objects.values_list("entry_id", flat=True)) == [kept.pk]
    output = capsys.readouterr().out
    assert "Would delete 1 read log entries older than 30 days." in output
    assert "Deleted 1 read log entries older than 30 days." in output


def test_the_purge_leaves_the_log_append_only_afterwards():
    entry = AccessLogEntry.objects.create(what=What.PAGE, person_ref="aaaaaaaaaa")
    call_command("purge_access_log", verbosity=0)
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM people_accesslogentry WHERE id = %s", [entry.pk])
    assert AccessLogEntry.objects.filter(pk=entry.pk).exists()


def test_the_purge_refuses_to_keep_less_than_a_day():
    with pytest.raises(CommandError):
        call_command("purge_access_log", "--days", "0")
