import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook

from cases.exports import ENTRY_COLUMNS, PERSON_COLUMNS, ExportScope, write_xlsx
from tests.test_round_trip import make_case_file

pytestmark = pytest.mark.django_db


def test_xlsx_has_both_sheets_and_text_is_never_a_formula(lawyer, admin_user, tmp_path):
    make_case_file(lawyer)
    path = tmp_path / "export.xlsx"
    write_xlsx(ExportScope.for_user(admin_user), path)
    workbook = load_workbook(path)
    assert workbook.sheetnames == ["persons", "entries"]
    persons = list(workbook["persons"].values)
    assert list(persons[0]) == PERSON_COLUMNS
    assert len(persons) == 4
    summaries = [row[PERSON_COLUMNS.index("public_summary")] for row in persons]
    assert '=HYPERLINK("http://evil")' in summaries
    cell = next(
        c for row in workbook["persons"].iter_rows() for c in row if str(c.value).startswith("=")
    )
    assert cell.data_type == "s"
    assert list(next(workbook["entries"].values)) == ENTRY_COLUMNS


def test_xlsx_needs_an_output_file(db):
    with pytest.raises(CommandError, match="give --output FILE"):
        call_command("export_cases", "--format", "xlsx", stderr=io.StringIO())


def test_the_command_writes_xlsx_as_a_user(lawyer, researcher, tmp_path):
    persons = make_case_file(lawyer)
    path = tmp_path / "export.xlsx"
    err = io.StringIO()
    call_command(
        "export_cases", "--format", "xlsx", "-o", str(path), "--as-user", "researcher", stderr=err
    )
    cells = {str(value) for sheet in load_workbook(path) for row in sheet.values for value in row}
    assert not any(persons["secret"].name in value for value in cells)
    assert persons["internal"].ref in cells
    assert "Exported 2 persons as XLSX" in err.getvalue()
