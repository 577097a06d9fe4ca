import csv
import io

import pytest
from django.core.management import call_command

from cases import exports
from cases.exports import (
    ENTRY_COLUMNS,
    PERSON_COLUMNS,
    ExportScope,
    entry_rows,
    iter_csv,
    person_rows,
    safe_cell,
)
from cases.timeline import build_timeline
from tests.factories import fill_case, make_person
from tests.test_export_json import MANAGES, MAY_SEE
from tests.test_round_trip import make_case_file

pytestmark = pytest.mark.django_db


def read(text):
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def sheet(rows):
    return "".join(iter_csv(rows))


@pytest.mark.parametrize("reader", list(MAY_SEE))
def test_the_sheets_hold_exactly_what_the_reader_may_see(request, lawyer, reader):
    persons = make_case_file(lawyer)
    scope = ExportScope.for_user(request.getfixturevalue(reader))
    persons_sheet = sheet(person_rows(scope))
    entries_sheet = sheet(entry_rows(scope))

    rows = read(persons_sheet)
    assert {row["ref"] for row in rows} == {persons[key].ref for key in MAY_SEE[reader]}
    for key, person in persons.items():
        visible = key in MAY_SEE[reader]
        assert (person.name in persons_sheet) == visible
        assert (person.name in entries_sheet) == visible
        assert (person.ref in entries_sheet) == visible
        assert (f"NOTE-{key}" in persons_sheet) == (visible and key in MANAGES[reader])


def test_the_persons_sheet_has_plain_columns_and_the_current_status(lawyer, admin_user):
    persons = make_case_file(lawyer)
    rows = read(sheet(person_rows(ExportScope.for_user(admin_user))))
    assert list(rows[0]) == PERSON_COLUMNS
    public = next(row for row in rows if row["ref"] == persons["public"].ref)
    assert public["other_names"] == "Қайша Ақан"
    assert public["current_status"] == "refugee"
    assert public["current_status_valid_until"] == "28 October 2021"
    assert public["lawyers"] == "lawyer"
    assert public["birth_year"] == "1992"


def test_the_entries_sheet_follows_each_timeline(lawyer, researcher):
    persons = make_case_file(lawyer)
    rows = read(sheet(entry_rows(ExportScope.for_user(researcher))))
    assert list(rows[0]) == ENTRY_COLUMNS
    public = [row for row in rows if row["person_ref"] == persons["public"].ref]
    kinds = [row["kind"] for row in public]
    assert {"crossing", "detention", "proceeding", "hearing", "ruling", "status", "event"} <= set(
        kinds
    )
    crossing = next(row for row in public if row["kind"] == "crossing")
    assert (crossing["date"], crossing["precision"], crossing["date_display"]) == (
        "2018-05-01",
        "month",
        "May 2018",
    )
    assert "Court spares Kazakh" in crossing["sources"]
    # The shared event names the internal person and leaves the confidential one out.
    event = next(row for row in public if row["kind"] == "event" and "Internal" in row["detail"])
    assert "withheld" not in event["detail"]
    assert [row["date"] for row in public if row["date"]] == sorted(
        row["date"] for row in public if row["date"]
    )


def timeline_rows(person, timeline):
    """The rows the entries sheet should hold for ``timeline``: each entry as its columns say."""
    rows = []
    for entry in timeline.entries:
        sources = []
        for cited in entry.citations:
            source = cited.source
            described = [source.publisher, source.title, str(source.approx_published)]
            line = f"[{cited.number}] " + ", ".join(part for part in described if part)
            sources.append(f"{line} {source.url}" if source.url else line)
        values = [
            person.ref,
            person.name,
            entry.date.iso() or "",
            entry.date.precision,
            entry.date.not_later_than.isoformat() if entry.date.not_later_than else "",
            entry.date_display,
            entry.end.iso() or "" if entry.has_end else "",
            entry.end.precision if entry.has_end else "",
            entry.kind,
            str(entry.title),
            entry.plain_detail(),
            " | ".join(sources),
        ]
        rows.append(dict(zip(ENTRY_COLUMNS, map(safe_cell, values), strict=True)))
    return rows


@pytest.mark.parametrize("reader", list(MAY_SEE))
def test_the_entries_sheet_is_the_timelines_it_summarises_in_their_order(
    request, monkeypatch, lawyer, reader
):
    make_case_file(lawyer)
    for number in range(5):
        fill_case(make_person(name=f"Batch Person {number}", variants=[f"Variant {number}"]), 2)
    # Timelines built two persons at a time: some batches cut through the records persons
    # share, and every batch boundary is crossed.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    user = request.getfixturevalue(reader)
    scope = ExportScope.for_user(user)

    rows = read(sheet(entry_rows(scope)))

    expected = []
    for person in scope.persons:
        expected += timeline_rows(person, build_timeline(person, user, masker=scope.masker))
    assert len(expected) > 7 * 2 * 5
    assert rows == expected


def test_a_cell_that_would_run_as_a_formula_is_written_as_text(lawyer, admin_user):
    make_case_file(lawyer)
    text = sheet(person_rows(ExportScope.for_user(admin_user)))
    assert "'=HYPERLINK" in text
    assert ",=HYPERLINK" not in text


def test_the_csv_is_streamed_in_pieces_with_a_bom(admin_user):
    for number in range(300):
        make_person(name=f"Synthetic {number:03}", public_summary="x" * 100)
    pieces = list(iter_csv(person_rows(ExportScope.for_user(admin_user)), buffer_size=4096))
    assert len(pieces) > 5
    assert pieces[0].startswith("\ufeffref,name,")
    assert len(read("".join(pieces))) == 300


def test_the_command_writes_one_sheet_or_both_into_a_directory(lawyer, tmp_path):
    persons = make_case_file(lawyer)
    err = io.StringIO()
    call_command("export_cases", "--format", "csv", "-o", str(tmp_path), stderr=err)
    assert {path.name for path in tmp_path.iterdir()} == {"persons.csv", "entries.csv"}
    rows = read((tmp_path / "persons.csv").read_text(encoding="utf-8"))
    assert len(rows) == 3
    assert "Exported 3 persons as CSV" in err.getvalue()
    out = io.StringIO()
    call_command("export_cases", "--format", "csv", "--sheet", "entries", stdout=out, stderr=err)
    assert persons["secret"].ref in out.getvalue()
    assert list(read(out.getvalue())[0]) == ENTRY_COLUMNS


def test_the_command_shows_progress_on_stderr(admin_user, tmp_path):
    for number in range(1001):
        make_person(name=f"Synthetic {number:04}")
    err = io.StringIO()
    call_command("export_cases", "--format", "csv", "-o", str(tmp_path / "p.csv"), stderr=err)
    lines = err.getvalue().splitlines()
    assert lines[:2] == ["500/1001 persons", "1000/1001 persons"]
    assert lines[-1].startswith("Exported 1001 persons as CSV to ")
