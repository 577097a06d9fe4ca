"""Bad JSON imports: a clear error naming the record and field, and the database untouched."""

import io
import json

import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from cases.exports import ExportScope, iter_json
from cases.imports import ImportFailed, import_json
from people.models import Person
from tests.test_round_trip import make_case_file

pytestmark = pytest.mark.django_db


def database_dump():
    """Every row of every table the import could touch, history included, in a fixed order."""
    dump = {}
    for model in apps.get_models(include_auto_created=True):
        if model._meta.app_label in {"people", "cases", "auth"}:
            dump[model._meta.label] = sorted(
                model.objects.values_list(), key=lambda row: [str(value) for value in row]
            )
    return dump


@pytest.fixture
def document(lawyer):
    make_case_file(lawyer)
    return json.loads("".join(iter_json(ExportScope.everything())))


def kaisha(document):
    """The person of the case file with a record of every kind, and her number in the file."""
    for index, person in enumerate(document["persons"], 1):
        if person["name"] == "Kaisha Akan":
            return index, person
    raise AssertionError("not in the file")


def new_person(ref="bcdfghjkmn", **fields):
    return {"ref": ref, "name": "New Person", "visibility": "public", **fields}


def assert_fails(document, *expected, text=None):
    """The import fails with each expected error and leaves every row as it was."""
    before = database_dump()
    with pytest.raises(ImportFailed) as failure:
        import_json(text if text is not None else json.dumps(document))
    for message in expected:
        assert message in failure.value.errors
    assert database_dump() == before
    return failure.value.errors


def test_it_names_the_record_and_field_of_an_impossible_date(document):
    document["persons"].append(
        new_person(crossings=[{"date": "2020-12-01"}, {"date": "2020-13-01", "from_country": "X"}])
    )
    index = len(document["persons"])
    assert_fails(document, f"person {index}, crossing 2: date '2020-13-01' is not a date")


def test_it_refuses_a_date_the_admin_would_refuse(document):
    index, person = kaisha(document)
    person["crossings"][0]["date"] = "2018-05-17"
    errors = assert_fails(document)
    assert errors == [
        f"person {index}, crossing 1: date: A date known to the month is stored on the 1st of "
        "that month."
    ]


def test_it_refuses_an_unknown_authority(document):
    index, person = kaisha(document)
    person["detentions"][0]["authority"] = {"name": "Atlantis court", "country": "Atlantis"}
    assert_fails(
        document,
        f"person {index}, detention 1: authority 'Atlantis court' (Atlantis) is neither in the "
        "file's authorities nor in the database",
    )


def test_it_refuses_a_duplicate_reference(document):
    document["persons"].append(dict(document["persons"][0], name="Someone else"))
    index = len(document["persons"])
    assert_fails(
        document,
        f"person {index}: ref '{document['persons'][0]['ref']}' appears twice in the file "
        "(also person 1)",
    )


def test_it_refuses_an_unknown_lawyer(document):
    index, person = kaisha(document)
    person["lawyers"] = ["lawyer", "ghost"]
    assert_fails(document, f"person {index}: lawyers: no user named 'ghost'")


def test_it_refuses_malformed_json(document):
    errors = assert_fails(document, text='{"format": "casetracker", "persons": [}')
    assert errors == ["The file is not valid JSON: Expecting value at line 1, column 39."]


def test_it_refuses_a_file_that_is_not_an_export(db):
    errors = assert_fails({}, text='{"persons": []}')
    assert "this is not a Casetracker export" in errors[0]


def test_it_refuses_an_unknown_field_and_a_bad_choice(document):
    document["persons"][0]["colour"] = "blue"
    document["persons"][0]["visibility"] = "secret"
    errors = assert_fails(document, "person 1: unknown field 'colour'")
    document["persons"][0].pop("colour")
    errors = assert_fails(document)
    assert errors == ["person 1: visibility: Value 'secret' is not a valid choice."]


def test_it_refuses_a_person_reference_that_is_not_one(document):
    document["persons"].append(new_person(ref="../../etc"))
    assert_fails(document)


def test_it_reports_every_error_and_keeps_nothing_of_the_good_records(document):
    document["persons"].insert(0, new_person(ref="bcdfghjkmm", name="Would Be Saved"))
    document["persons"].append(new_person(sex="alien"))
    document["events"][0]["persons"] = ["nonexisten"]
    errors = assert_fails(document)
    assert len(errors) == 2
    assert errors[0].endswith("sex: Value 'alien' is not a valid choice.")
    assert errors[1] == (
        "event 1: persons 'nonexisten': no person with this reference in the file or the database"
    )
    assert not Person.objects.filter(name="Would Be Saved").exists()


def test_a_ruling_for_someone_not_party_to_the_proceeding_is_refused(document):
    ruling = document["proceedings"][0]["rulings"][0]
    other = next(p["ref"] for p in document["persons"] if p["ref"] not in ruling["person"])
    document["proceedings"][0]["persons"] = [ruling["person"]]
    document["proceedings"][0]["rulings"].append(dict(ruling, key="ruling-new", person=other))
    errors = assert_fails(document)
    assert errors[0].startswith("proceeding 1, ruling 3: person: ")
    assert errors[0].endswith("is not a party to this proceeding.")


def test_the_command_reports_errors_on_stderr_and_fails(document, tmp_path):
    index, person = kaisha(document)
    person["crossings"][0]["date"] = "2020-02-30"
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(document))
    err = io.StringIO()
    before = database_dump()
    with pytest.raises(CommandError, match="Import failed with 1 error; nothing was saved."):
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
    assert f"person {index}, crossing 1: date '2020-02-30' is not a date" in err.getvalue()
    assert database_dump() == before


def test_the_command_dry_run_lists_what_would_change(document, tmp_path):
    document["persons"][0]["name"] = "Renamed"
    document["persons"].append(new_person())
    path = tmp_path / "changes.json"
    path.write_text(json.dumps(document))
    out = io.StringIO()
    before = database_dump()
    call_command("import_cases", str(path), "--dry-run", stdout=out, stderr=io.StringIO())
    lines = out.getvalue().splitlines()
    assert any(
        line.startswith("person 1: would update Renamed") and "(name)" in line for line in lines
    )
    assert f"person {len(document['persons'])}: would create New Person (bcdfghjkmn)" in lines
    assert lines[-1].startswith("Dry run, nothing was saved: would create 1 person;")
    assert database_dump() == before


def test_the_command_refuses_a_missing_file(db):
    with pytest.raises(CommandError, match="Cannot read /nonexistent.json"):
        call_command("import_cases", "/nonexistent.json")
