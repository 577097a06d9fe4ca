"""Replay of the review's CSV formula injection: a court named =HYPERLINK(...) in a report.

A spreadsheet runs a cell that starts with = + - @ (some after spaces), a tab or a carriage
return. Every human-facing CSV writes such a cell with a leading apostrophe (OWASP's advice);
the XLSX export types it as text; the JSON export, which is re-imported, keeps it as typed.
"""

import csv
import io
import json

import pytest
from django.test import Client
from openpyxl import load_workbook

from cases.exports import safe_cell
from people.models import Person
from tests.factories import make_authority, make_event, make_person, make_proceeding, make_ruling

pytestmark = pytest.mark.django_db

FORMULAS = [
    '=HYPERLINK("http://evil.example","click")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)",
    "\t=1+1",
    "\r=1+1",
    "  =1+1",
    "\u00a0=1+1",
]


@pytest.mark.parametrize("value", FORMULAS)
def test_a_cell_that_a_spreadsheet_would_run_is_written_as_text(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Court of Zharkent", "1 = 1", "a-b", "", "'quoted", 5, None])
def test_other_cells_are_written_as_they_are(value):
    assert safe_cell(value) == value


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def read_csv(response):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def assert_no_cell_runs(rows):
    for row in rows:
        for cell in row:
            assert not cell.lstrip(" \u00a0").startswith(("=", "+", "-", "@", "\t", "\r")), cell


def test_a_court_named_as_a_formula_is_text_in_the_report_csv(admin_client):
    person = make_person(visibility=Person.Visibility.PUBLIC)
    court = make_authority(name=FORMULAS[0], country="")
    make_ruling(make_proceeding(persons=[person], authority=court), person)
    rows = read_csv(admin_client.get("/reports/courts.csv"))
    assert ["'" + FORMULAS[0], "1"] in rows
    assert_no_cell_runs(rows)


@pytest.mark.parametrize("sheet", ["persons", "entries"])
def test_names_and_titles_as_formulas_are_text_in_the_export_csv(admin_client, sheet):
    person = make_person(name=FORMULAS[6], public_summary=FORMULAS[1], citizenship=FORMULAS[3])
    for formula in FORMULAS:
        make_event(persons=[person], title=formula, description=formula)
    rows = read_csv(admin_client.get(f"/export/{sheet}.csv"))
    assert len(rows) > 1
    assert_no_cell_runs(rows)
    assert "'" + FORMULAS[6] in [cell for row in rows for cell in row]


def test_the_xlsx_export_types_a_formula_as_text(admin_client, tmp_path):
    person = make_person(name=FORMULAS[0])
    make_event(persons=[person], title=FORMULAS[3])
    response = admin_client.get("/export/persons.xlsx")
    path = tmp_path / "export.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    workbook = load_workbook(path)
    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    typed = [cell for cell in cells if cell.value in (FORMULAS[0], FORMULAS[3])]
    assert len(typed) >= 2
    assert all(cell.data_type == "s" for cell in typed)


def test_the_json_export_keeps_what_was_typed(admin_client):
    make_person(name=FORMULAS[0])
    response = admin_client.get("/export/persons.json")
    document = json.loads(b"".join(response.streaming_content))
    assert FORMULAS[0] in [person["name"] for person in document["persons"]]
