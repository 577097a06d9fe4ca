"""Export everything, import it into an empty database, export again: the same bytes.

Runs on the test database pytest-django gives: SQLite by default, PostgreSQL with DATABASE_URL.
"""

import datetime
import io
import json

import pytest
from django.apps import apps
from django.contrib.auth.models import User
from django.core.management import call_command

from cases.exports import ExportScope, iter_json
from cases.imports import import_json
from cases.models import (
    Authority,
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)
from casetracker.dates import Precision
from people.models import NameVariant, Person
from tests.factories import (
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
)

pytestmark = pytest.mark.django_db


def make_case_file(lawyer):
    """Persons of every visibility with every kind of record, dates of every precision."""
    court = make_authority(name="Zharkent court", other_names="Jarkent court")
    commission = make_authority(
        name="Migration commission", kind=Authority.Kind.MIGRATION, town="", country="Kazakhstan"
    )
    unused = make_authority(name="Unused authority", country="China")  # noqa: F841
    article = make_source(title="Court spares Kazakh", language="en")
    undated = make_source(
        title="Testimony", publisher="", url="", published=None, published_precision="unknown"
    )
    make_source(
        title="Never cited", published=datetime.date(2019, 1, 1), published_precision="year"
    )
    public = make_person(
        name="Kaisha Akan",
        variants=["Қайша Ақан"],
        lawyers=[lawyer],
        birth_year=1992,
        internal_notes="NOTE-public",
        public_summary='=HYPERLINK("http://evil")',
    )
    internal = make_person(
        name="Internal Person",
        visibility=Person.Visibility.INTERNAL,
        internal_notes="NOTE-internal",
    )
    secret = make_person(
        name="Secret Person",
        visibility=Person.Visibility.CONFIDENTIAL,
        lawyers=[lawyer],
        internal_notes="NOTE-secret",
    )
    crossing = make_crossing(public, reason="fled")
    cite(crossing, article, quote="crossed in May", confidence="medium")
    cite(crossing, undated)
    make_crossing(
        internal,
        date=None,
        date_precision="unknown",
        date_not_later_than=datetime.date(2019, 10, 29),
    )
    detention = make_detention(
        public,
        authority=court,
        end=datetime.date(2020, 1, 1),
        end_precision=Precision.YEAR,
        description="five years in a camp",
    )
    cite(detention, article)
    make_detention(secret, kind=Detention.Kind.CAMP)  # ongoing
    proceeding = make_proceeding(persons=[public, secret], authority=court, case_number="2-19/123")
    cite(proceeding, article)
    Participant.objects.create(proceeding=proceeding, name="Judge Dredd", role="judge")
    hearing = make_hearing(proceeding, title="first session")
    cite(hearing, undated, quote="the hearing began")
    make_hearing(proceeding, title="", date=datetime.date(2020, 1, 1), date_precision="month")
    make_ruling(
        proceeding,
        public,
        sentence_kind=Ruling.SentenceKind.SUSPENDED,
        sentence_months=6,
        removal=Ruling.Removal.REFUSED,
    )
    make_ruling(proceeding, secret, outcome=Ruling.Outcome.ACQUITTED)
    make_status(public, authority=commission, proceeding=proceeding)
    make_status(
        secret,
        status=StatusDecision.Status.ASYLUM_SEEKER,
        valid_from=None,
        valid_from_precision="",
        valid_until=None,
        valid_until_precision="",
    )
    event = make_event(persons=[public, internal, secret], authority=commission)
    cite(event, article)
    make_event(
        persons=[public], title="Press conference in Almaty", date=datetime.date(2019, 10, 14)
    )
    return {"public": public, "internal": internal, "secret": secret}


def case_models():
    return [
        model
        for model in apps.get_models(include_auto_created=True)
        if model._meta.app_label in {"people", "cases"}
        and not model.__name__.startswith("Historical")
        # The read log is not case data: it outlives the persons it names.
        and not model.__name__.startswith("AccessLog")
    ]


def delete_everything():
    """Delete every case record, person, source and authority; users stay."""
    for model in [Citation, Ruling, StatusDecision, Proceeding, Event, BorderCrossing]:
        model.objects.all().delete()
    for model in [Detention, NameVariant, Person, Source, Authority]:
        model.objects.all().delete()
    for model in case_models():
        assert not model.objects.exists(), model


def export_everything():
    return "".join(iter_json(ExportScope.everything()))


def row_counts():
    return {model.__name__: model.objects.count() for model in case_models()}


def test_it_round_trips_identically(lawyer):
    make_case_file(lawyer)
    first = export_everything()
    counts = row_counts()
    delete_everything()

    import_json(first)

    assert row_counts() == counts
    assert export_everything() == first


def test_it_round_trips_through_the_commands(lawyer, tmp_path):
    make_case_file(lawyer)
    path = tmp_path / "export.json"
    call_command("export_cases", "--format", "json", "--output", str(path), stderr=io.StringIO())
    delete_everything()
    out = io.StringIO()
    call_command("import_cases", str(path), stdout=out, stderr=io.StringIO())
    assert "Imported: created" in out.getvalue()
    again = tmp_path / "again.json"
    call_command("export_cases", "--output", str(again), stderr=io.StringIO())
    assert again.read_bytes() == path.read_bytes()


def test_it_updates_rather_than_duplicates_on_a_second_import(lawyer):
    make_case_file(lawyer)
    exported = export_everything()
    counts = row_counts()

    result = import_json(exported)

    assert row_counts() == counts
    assert result.count("created") == 0
    assert result.count("updated") == 0
    assert result.links == 0
    assert export_everything() == exported


def test_it_updates_a_record_whose_natural_fields_were_edited_in_the_file(lawyer):
    persons = make_case_file(lawyer)
    document = json.loads(export_everything())
    public = next(p for p in document["persons"] if p["ref"] == persons["public"].ref)
    public["crossings"][0]["date"] = "2018-05-23"
    public["crossings"][0]["date_precision"] = "day"
    public["name"] = "Kaisha Akan (renamed)"
    crossings = BorderCrossing.objects.count()

    import_json(json.dumps(document))
    import_json(json.dumps(document))  # the key now names the old date: found by its fields

    assert BorderCrossing.objects.count() == crossings
    crossing = persons["public"].crossings.get()
    assert crossing.date == datetime.date(2018, 5, 23)
    assert crossing.citations.count() == 2
    assert Person.objects.get(ref=persons["public"].ref).name == "Kaisha Akan (renamed)"


def test_a_dry_run_reports_changes_and_writes_nothing(lawyer):
    make_case_file(lawyer)
    exported = export_everything()
    delete_everything()

    result = import_json(exported, dry_run=True)

    assert result.dry_run
    assert result.counts[Person, "created"] == 3
    assert "would create" in result.summary()
    assert not Person.objects.exists()
    assert not Source.objects.exists()


def test_it_adds_to_shared_records_but_never_removes_anyone(lawyer):
    persons = make_case_file(lawyer)
    document = json.loads(export_everything())
    proceeding = document["proceedings"][0]
    proceeding["persons"] = [persons["public"].ref]
    import_json(json.dumps(document))
    assert Proceeding.objects.get().persons.count() == 2
    assert User.objects.filter(username="lawyer").get().assigned_persons.count() == 2
