"""Attacks on the read log that must fail: reading it without being an admin, and rewriting or
erasing it, through the admin, the ORM or SQL, on SQLite and PostgreSQL alike."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from people.access_log import AccessLogEntry, AccessLogPerson, AppendOnlyError, entries_for
from people.models import Person
from tests.factories import make_person, make_user

pytestmark = pytest.mark.django_db

What = AccessLogEntry.What


@pytest.fixture
def persons(lawyer):
    return {
        visibility: make_person(name=f"Log {visibility}", visibility=visibility, lawyers=[lawyer])
        for visibility in Person.Visibility.values
    }


@pytest.fixture
def entry(persons):
    entry = AccessLogEntry.objects.create(
        what=What.EXPORT, username="lawyer", person_count=2, address="192.0.2.1"
    )
    AccessLogPerson.objects.create(entry=entry, person_ref=persons["internal"].ref)
    AccessLogPerson.objects.create(entry=entry, person_ref=persons["confidential"].ref)
    return entry


def log_url(ref):
    return reverse("cases:person-access-log", kwargs={"ref": ref})


# Reading the log --------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "lawyer", "other_lawyer"])
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_nobody_but_an_admin_finds_a_persons_access_log(
    client, request, persons, entry, reader, visibility
):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    person = persons[visibility]
    for ref in [person.ref, "zzzzzzzzzz"]:
        response = client.get(log_url(ref))
        # Not 403, not a sign-in redirect: the page confirms neither the person nor the log.
        assert response.status_code == 404
        assert person.name not in response.content.decode()
    assert AccessLogEntry.objects.count() == 1  # a refused read writes nothing


@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_an_admin_reads_a_persons_access_log(client, admin_user, persons, entry, visibility):
    client.force_login(admin_user)
    assert client.get(log_url(persons[visibility].ref)).status_code == 200


def test_a_staff_member_without_the_admin_role_gets_no_log_in_the_admin(client, lawyer, entry):
    client.force_login(lawyer)
    changelist = reverse("admin:people_accesslogentry_changelist")
    assert client.get(changelist).status_code == 403
    change = reverse("admin:people_accesslogentry_change", args=[entry.pk])
    assert client.get(change).status_code in (403, 404)
    assert "accesslogentry" not in client.get(reverse("admin:index")).content.decode()


# Rewriting or erasing it ------------------------------------------------------------------


@pytest.fixture
def superuser(db):
    return make_user("root", is_superuser=True, is_staff=True)


def test_not_even_a_superuser_adds_changes_or_deletes_in_the_admin(client, superuser, entry):
    client.force_login(superuser)
    change = reverse("admin:people_accesslogentry_change", args=[entry.pk])
    delete = reverse("admin:people_accesslogentry_delete", args=[entry.pk])
    add = reverse("admin:people_accesslogentry_add")
    changelist = reverse("admin:people_accesslogentry_changelist")

    page = client.get(change)
    assert page.status_code == 200  # read-only
    assert 'name="_save"' not in page.content.decode()
    assert client.post(change, {"username": "someone else", "what": "page"}).status_code == 403
    assert client.get(delete).status_code == 403
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert client.get(add).status_code == 403
    actions = client.get(changelist).context["action_form"]
    assert actions is None or "delete_selected" not in str(actions)
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"}
    )

    entry.refresh_from_db()
    assert (entry.username, AccessLogEntry.objects.count()) == ("lawyer", 1)
    assert entry.persons.count() == 2


def test_the_orm_refuses_to_change_or_delete_an_entry(entry):
    entry.username = "someone else"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.filter(pk=entry.pk).update(username="someone else")
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        AccessLogPerson.objects.all().delete()
    with pytest.raises(AppendOnlyError):
        entry.persons.first().delete()
    with pytest.raises(AppendOnlyError):
        AccessLogEntry.objects.bulk_update([entry], ["username"])
    entry.refresh_from_db()
    assert entry.username == "lawyer"


SQL_ATTACKS = [
    "UPDATE people_accesslogentry SET username = 'someone else'",
    "UPDATE people_accesslogentry SET address = NULL",
    "DELETE FROM people_accesslogentry",
    "UPDATE people_accesslogperson SET person_ref = 'zzzzzzzzzz'",
    "DELETE FROM people_accesslogperson",
]


@pytest.mark.parametrize("sql", SQL_ATTACKS)
def test_the_database_refuses_sql_that_rewrites_or_erases_the_log(entry, persons, sql):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    entry.refresh_from_db()
    assert (entry.username, entry.address) == ("lawyer", "192.0.2.1")
    assert sorted(entry.persons.values_list("person_ref", flat=True)) == sorted(
        [persons["internal"].ref, persons["confidential"].ref]
    )
    assert list(entries_for(persons["confidential"].ref)) == [entry]


def test_deleting_the_person_or_the_reader_leaves_the_log_untouched(
    client, admin_user, persons, superuser
):
    client.force_login(superuser)
    person = persons["confidential"]
    client.get(person.get_absolute_url())
    ref = person.ref
    client.force_login(admin_user)
    client.post(reverse("admin:people_person_delete", args=[person.pk]), {"post": "yes"})
    assert not Person.objects.filter(ref=ref).exists()
    superuser.delete()

    [read] = entries_for(ref)
    assert (read.username, read.what) == ("root", What.PAGE)


def test_a_forged_forwarded_for_does_not_hide_the_readers_address(client, admin_user, persons):
    client.force_login(admin_user)
    client.get(
        persons["internal"].get_absolute_url(),
        REMOTE_ADDR="203.0.113.50",
        HTTP_X_FORWARDED_FOR="10.0.0.1",
    )
    assert entries_for(persons["internal"].ref)[0].address == "203.0.113.50"
