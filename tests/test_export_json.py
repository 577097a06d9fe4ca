import io
import json

import pytest
from django.core.management import CommandError, call_command

from cases.exports import ExportScope, iter_json
from people.models import Person
from tests.test_round_trip import make_case_file

pytestmark = pytest.mark.django_db

# Which of the case file's persons each reader may see; "lawyer" is assigned to public, secret.
MAY_SEE = {
    "researcher": {"public", "internal"},
    "other_lawyer": {"public", "internal"},
    "lawyer": {"public", "internal", "secret"},
    "admin_user": {"public", "internal", "secret"},
}
MANAGES = {
    "researcher": set(),
    "other_lawyer": set(),
    "lawyer": {"public", "secret"},
    "admin_user": {"public", "internal", "secret"},
}


def export_as(user, persons=None):
    return "".join(iter_json(ExportScope.for_user(user, persons)))


def test_it_exports_every_kind_of_record_with_all_three_date_columns(lawyer):
    persons = make_case_file(lawyer)
    document = json.loads("".join(iter_json(ExportScope.everything())))

    assert document["format"] == "casetracker"
    assert document["version"] == 1
    public = next(p for p in document["persons"] if p["ref"] == persons["public"].ref)
    assert public["lawyers"] == ["lawyer"]
    assert public["internal_notes"] == "NOTE-public"
    assert public["variants"] == [{"name": "Қайша Ақан", "script": "latin", "note": ""}]
    crossing = public["crossings"][0]
    assert crossing["key"].startswith("crossing-")
    assert (crossing["date"], crossing["date_precision"], crossing["date_not_later_than"]) == (
        "2018-05-01",
        "month",
        None,
    )
    assert {(c["quote"], c["confidence"]) for c in crossing["citations"]} == {
        ("crossed in May", "medium"),
        ("", "high"),
    }
    assert public["detentions"][0]["authority"] == {
        "name": "Zharkent court",
        "country": "Kazakhstan",
    }
    assert public["detentions"][0]["end_precision"] == "year"
    status = public["statuses"][0]
    proceeding = document["proceedings"][0]
    assert status["proceeding"] == proceeding["key"]
    assert proceeding["case_number"] == "2-19/123"
    assert proceeding["participants"][0]["role"] == "judge"
    assert len(proceeding["hearings"]) == 2
    assert {r["person"] for r in proceeding["rulings"]} == {
        persons["public"].ref,
        persons["secret"].ref,
    }
    assert len(document["events"]) == 2
    # A complete export keeps what nothing refers to.
    assert "Never cited" in {s["title"] for s in document["sources"]}
    assert "Unused authority" in {a["name"] for a in document["authorities"]}
    # No database ids or timestamps: the file does not depend on the database it came from.
    text = json.dumps(document)
    assert '"id"' not in text
    assert "created_at" not in text


@pytest.mark.parametrize("reader", list(MAY_SEE))
def test_an_export_holds_exactly_what_the_reader_may_see(request, lawyer, reader):
    persons = make_case_file(lawyer)
    user = request.getfixturevalue(reader)
    text = export_as(user)
    document = json.loads(text)

    assert {p["ref"] for p in document["persons"]} == {persons[k].ref for k in MAY_SEE[reader]}
    for key, person in persons.items():
        # Nowhere in the file, not even in a shared record, unless the reader may see them.
        assert (person.ref in text) == (key in MAY_SEE[reader])
        assert (person.name in text) == (key in MAY_SEE[reader])
        assert (f"NOTE-{key}" in text) == (key in MANAGES[reader] and key in MAY_SEE[reader])
    for person in document["persons"]:
        managed = any(persons[k].ref == person["ref"] for k in MANAGES[reader])
        assert ("lawyers" in person) == managed
    for proceeding in document["proceedings"]:
        assert set(proceeding["persons"]) <= {p["ref"] for p in document["persons"]}
        assert {r["person"] for r in proceeding["rulings"]} <= set(proceeding["persons"])
    # Sources and authorities: only those the exported records cite.
    assert "Never cited" not in text if reader != "admin_user" else "Never cited" in text


def test_a_public_reader_exports_only_public_persons(lawyer, anonymous):
    persons = make_case_file(lawyer)
    document = json.loads(export_as(anonymous))
    assert [p["ref"] for p in document["persons"]] == [persons["public"].ref]
    assert "internal_notes" not in document["persons"][0]


def test_it_narrows_to_the_persons_given_and_stays_within_visibility(lawyer, researcher):
    persons = make_case_file(lawyer)
    chosen = Person.objects.filter(pk__in=[persons["internal"].pk, persons["secret"].pk])
    document = json.loads(export_as(researcher, chosen))
    assert [p["ref"] for p in document["persons"]] == [persons["internal"].ref]
    # The event concerns all three; the export names only its own person.
    assert [e["persons"] for e in document["events"]] == [[persons["internal"].ref]]
    assert document["proceedings"] == []


def test_the_command_exports_as_a_user(lawyer, researcher, tmp_path):
    persons = make_case_file(lawyer)
    path = tmp_path / "researcher.json"
    err = io.StringIO()
    call_command("export_cases", "--as-user", "researcher", "-o", str(path), stderr=err)
    text = path.read_text()
    assert persons["secret"].name not in text
    assert persons["internal"].name in text
    assert "Exported 2 persons as JSON" in err.getvalue()


def test_the_command_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="No user named nobody"):
        call_command("export_cases", "--as-user", "nobody", stderr=io.StringIO())


def test_the_command_writes_to_standard_output_and_progress_to_stderr(lawyer):
    make_case_file(lawyer)
    out, err = io.StringIO(), io.StringIO()
    call_command("export_cases", stdout=out, stderr=err)
    assert json.loads(out.getvalue())["format"] == "casetracker"
    assert err.getvalue().strip().startswith("Exported 3 persons as JSON to standard output")
