import csv
import datetime
import io

import pytest
from django.urls import reverse

from cases.models import Detention, Ruling, StatusDecision
from cases.reports import DateRange, all_tables, detention_time
from casetracker.dates import Precision
from people.models import Person
from tests.factories import (
    make_authority,
    make_crossing,
    make_detention,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)

pytestmark = pytest.mark.django_db

READERS = ["researcher", "other_lawyer", "lawyer", "admin_user"]


@pytest.fixture
def cases(lawyer):
    """A public, an internal and a confidential person (the lawyer's), with countable records."""
    court = make_authority(name="Zharkent court")
    public = make_person(name="Public One")
    internal = make_person(name="Internal One", visibility=Person.Visibility.INTERNAL)
    secret = make_person(
        name="Secret One", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )
    make_status(public)
    make_status(
        internal,
        status=StatusDecision.Status.ASYLUM_SEEKER,
        outcome=StatusDecision.Outcome.APPLIED,
        valid_from=None,
        valid_from_precision="",
        valid_until=None,
        valid_until_precision="",
    )
    make_status(secret, valid_until=datetime.date(2021, 10, 20))
    make_crossing(public, date=datetime.date(2018, 1, 1), date_precision=Precision.YEAR)
    make_crossing(internal, date=datetime.date(2019, 5, 1))
    make_crossing(secret, date=datetime.date(2019, 6, 1))
    make_ruling(make_proceeding([public], authority=court), public)
    make_ruling(
        make_proceeding([secret], authority=court), secret, outcome=Ruling.Outcome.ACQUITTED
    )
    make_detention(
        public,
        start=datetime.date(2019, 10, 1),
        end=datetime.date(2020, 1, 1),
        end_precision=Precision.MONTH,
    )
    make_detention(secret, kind=Detention.Kind.CAMP, start=datetime.date(2017, 1, 1))
    return {"public": public, "internal": internal, "secret": secret}


def rows(user, date_range=None):
    return {table.slug: table.rows for table in all_tables(user, date_range or DateRange())}


@pytest.mark.parametrize("reader", READERS)
def test_counts_leave_out_whom_the_reader_may_not_see(request, cases, reader):
    tables = rows(request.getfixturevalue(reader))
    sees_secret = reader in {"lawyer", "admin_user"}
    assert dict(tables["status"]) == {
        "refugee": 2 if sees_secret else 1,
        "asylum seeker": 1,
    }
    assert dict(tables["outcomes"]) == (
        {"convicted": 1, "acquitted": 1} if sees_secret else {"convicted": 1}
    )
    assert dict(tables["courts"]) == {"Zharkent court (Kazakhstan)": 2 if sees_secret else 1}
    assert tables["crossings"] == [("2018", 1), ("2019", 2 if sees_secret else 1)]
    expiring = dict(tables["expiring"])
    assert expiring["October 2021 (expired)"] == (2 if sees_secret else 1)
    kinds = {row[0] for row in tables["detention"]}
    assert kinds == (
        {"pre-trial detention", "internment camp"} if sees_secret else {"pre-trial detention"}
    )


def test_the_date_range_narrows_every_table(cases, admin_user):
    tables = rows(admin_user, DateRange(datetime.date(2019, 1, 1), datetime.date(2019, 12, 31)))
    assert tables["crossings"] == [("2019", 2)]
    assert dict(tables["outcomes"]) == {"convicted": 1, "acquitted": 1}
    assert tables["expiring"] == []
    assert [row[0] for row in tables["detention"]] == ["pre-trial detention"]
    # Statuses as they stood on the last day: every decision is of 29 October 2020.
    early = rows(admin_user, DateRange(end=datetime.date(2020, 10, 28)))
    assert dict(early["status"]) == {"no status recorded": 3}
    later = rows(admin_user, DateRange(end=datetime.date(2020, 10, 29)))
    assert dict(later["status"]) == {"refugee": 2, "asylum seeker": 1}


def test_detention_time_counts_the_least_and_the_most_a_period_can_be(cases, admin_user):
    table = detention_time(admin_user, DateRange(), today=datetime.date(2020, 1, 1))
    pre_trial = next(row for row in table.rows if row[0] == "pre-trial detention")
    # From October 2019 (a month) to January 2020 (a month).
    assert pre_trial[3] == (datetime.date(2020, 1, 1) - datetime.date(2019, 10, 31)).days
    assert pre_trial[4] == (datetime.date(2020, 1, 31) - datetime.date(2019, 10, 1)).days
    camp = next(row for row in table.rows if row[0] == "internment camp")
    assert camp[5] == 1  # ongoing, counted until "today"
    assert camp[3] == (datetime.date(2020, 1, 1) - datetime.date(2017, 1, 31)).days
    assert table.notes


def test_the_page_needs_a_signed_in_reader(client):
    response = client.get(reverse("reports:index"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))
    response = client.get(reverse("reports:table-csv", args=["status"]))
    assert response.status_code == 302


def test_the_page_shows_each_table_with_an_accessible_chart(client, cases, researcher):
    client.force_login(researcher)
    response = client.get(reverse("reports:index"))
    body = response.content.decode()
    assert response.status_code == 200
    assert body.count('role="img"') == 6
    assert "<title>refugee: 1</title>" in body
    assert "Secret One" not in body
    for slug in ["status", "outcomes", "courts", "crossings", "expiring", "detention"]:
        assert reverse("reports:table-csv", args=[slug]) in body


def test_a_bad_date_range_is_a_message_not_a_crash(client, cases, researcher):
    client.force_login(researcher)
    response = client.get(reverse("reports:index"), {"start": "2020-13-45", "end": "soon"})
    assert response.status_code == 200
    body = response.content.decode()
    assert "The date range was not understood" in body
    assert body.count('role="img"') == 6
    reversed_range = client.get(
        reverse("reports:index"), {"start": "2020-01-01", "end": "2019-01-01"}
    )
    assert "cannot be before its start" in reversed_range.content.decode()


def test_the_csv_download_holds_the_table_in_the_range(client, cases, lawyer):
    client.force_login(lawyer)
    response = client.get(reverse("reports:table-csv", args=["crossings"]), {"start": "2019-01-01"})
    assert response["Content-Type"].startswith("text/csv")
    content = response.content.decode("utf-8-sig")
    assert list(csv.reader(io.StringIO(content))) == [["Year", "Crossings"], ["2019", "2"]]
    assert client.get(reverse("reports:table-csv", args=["nothing"])).status_code == 404
