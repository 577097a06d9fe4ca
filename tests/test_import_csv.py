"""The CSV template of persons and events: docs/import-template.md."""

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from cases.imports import CSV_COLUMNS, ImportFailed, import_csv
from cases.models import Citation, Event, Source
from people.models import NameVariant, Person
from tests.factories import make_person
from tests.test_import_json import database_dump

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parent.parent / "docs" / "import-template.csv"

HEADER = (
    "person_ref,person_name,other_names,birth_year,visibility,event_date,event_kind,event_title,"
    "source_title,source_published,source_quote\n"
)


def csv_text(*rows, header=HEADER):
    return header + "".join(row + "\n" for row in rows)


def assert_fails(content, *expected):
    before = database_dump()
    with pytest.raises(ImportFailed) as failure:
        import_csv(content)
    for message in expected:
        assert message in failure.value.errors
    assert database_dump() == before
    return failure.value.errors


def test_the_documented_template_imports_cleanly(db):
    result = import_csv(TEMPLATE.read_bytes())
    person = Person.objects.get(name="Example Person (template)")
    assert person.visibility == Person.Visibility.CONFIDENTIAL
    assert set(person.variants.values_list("name", "script")) == {
        ("Пример Персона", NameVariant.Script.CYRILLIC),
        ("Example Persson", NameVariant.Script.LATIN),
    }
    assert person.events.count() == 3
    release = person.events.get(kind=Event.Kind.RELEASE)
    assert str(release.approx_date) == "date unknown (before 31 January 2020)"
    assert Source.objects.count() == 1
    assert result.counts[Person, "created"] == 1
    # Every column of the template is one the importer knows, in the same order.
    assert TEMPLATE.read_text().splitlines()[0].split(",") == CSV_COLUMNS


def test_a_second_import_of_the_same_file_changes_nothing(db):
    import_csv(TEMPLATE.read_bytes())
    before = database_dump()
    result = import_csv(TEMPLATE.read_bytes())
    assert result.count("created") == result.count("updated") == 0
    assert database_dump() == before


def test_rows_of_several_persons_with_the_same_event_make_one_shared_event(db):
    known = make_person(name="Known Person")
    content = csv_text(
        f"{known.ref},,,,,2019-10-14,press conference,Press conference in Almaty,Article,2019-10,",
        ",Newcomer,,1985,internal,2019-10-14,press_conference,Press conference in Almaty,"
        "Article,2019-10,quote",
    )
    import_csv(content)
    event = Event.objects.get()
    newcomer = Person.objects.get(name="Newcomer")
    assert set(event.persons.all()) == {known, newcomer}
    assert newcomer.visibility == Person.Visibility.INTERNAL
    assert newcomer.birth_year == 1985
    assert Citation.objects.get().quote == "quote"
    assert Person.objects.get(pk=known.pk).name == "Known Person"  # empty cells change nothing


def test_it_refuses_a_file_in_another_encoding(db):
    content = csv_text(",Ерлан Муратов,,,,2019,,Arrested,,,").encode("cp1251")
    errors = assert_fails(content)
    assert errors[0].startswith("The file is not UTF-8 text: byte 0xc5 at position ")
    assert "CSV UTF-8" in errors[0]


def test_it_refuses_a_file_with_missing_columns(db):
    content = "person_name,event_title,favourite_colour\nSomeone,Arrested,blue\n"
    assert_fails(
        content,
        "row 1: missing columns: person_ref, event_date",
    )
    errors = assert_fails(content)
    assert errors[1].startswith("row 1: unknown columns: favourite_colour")


def test_it_names_the_row_and_column_of_an_impossible_date(db):
    assert_fails(
        csv_text(",Someone,,,,2020-13,,Arrested,,,"),
        "row 2: event_date '2020-13' is not a date",
    )
    assert_fails(
        csv_text(",Someone,,,,23.12.2019,,Arrested,,,"),
        "row 2: event_date '23.12.2019' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)",
    )


def test_it_refuses_a_date_in_the_future_as_the_admin_does(db):
    assert_fails(
        csv_text(",Someone,,,,2999-01-01,,Arrested,,,"),
        "row 2: event_date: This date is in the future.",
    )


def test_it_refuses_an_unknown_reference_and_conflicting_rows(db):
    errors = assert_fails(
        csv_text(
            "zzzzzzzzzz,Someone,,,,2019,,Arrested,,,",
            ",Twice,,1980,,,,,,,",
            ",Twice,,1981,,,,,,,",
        ),
        "row 4: birth_year '1981' differs from row 3 for the same person",
    )
    assert not any("zzzzzzzzzz" in error for error in errors)  # checked once rows agree
    assert_fails(
        csv_text("zzzzzzzzzz,Someone,,,,2019,,Arrested,,,"),
        "row 2: person_ref 'zzzzzzzzzz': no person has this reference (leave it empty to add a "
        "new person)",
    )


def test_it_refuses_a_name_that_matches_several_persons(db):
    make_person(name="Common Name")
    make_person(name="Common Name")
    assert_fails(
        csv_text(",Common Name,,,,2019,,Arrested,,,"),
        "row 2: person_name 'Common Name' matches several persons: give the person_ref",
    )


def test_it_refuses_an_unknown_choice_listing_the_allowed_ones(db):
    errors = assert_fails(csv_text(",Someone,,,secret,2019,,Arrested,,,"))
    assert errors == ["row 2: visibility 'secret' is not one of: public, internal, confidential"]


def test_the_command_imports_a_csv_with_progress_and_summary(tmp_path):
    path = tmp_path / "cases.csv"
    path.write_bytes(TEMPLATE.read_bytes())
    out, err = io.StringIO(), io.StringIO()
    call_command("import_cases", str(path), "--dry-run", stdout=out, stderr=err)
    assert "would create Example Person (template)" in out.getvalue()
    assert not Person.objects.exists()
    call_command("import_cases", str(path), stdout=out, stderr=err)
    assert Person.objects.count() == 1


def test_the_command_fails_on_a_bad_csv(db, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("name\nx\n")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was saved"):
        call_command("import_cases", str(path), stdout=io.StringIO(), stderr=err)
    assert "row 1: missing columns" in err.getvalue()
