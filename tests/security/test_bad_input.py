"""Replays of the review's bad input: each once gave a server error; each must now be refused.

A NUL byte in a reference, a form field, a filter or an import (PostgreSQL cannot store one
and raised a 500); a JSON file nested 100,000 deep (RecursionError); a formset asked for 10^20
rows (a worker held for minutes); a birth year of 2999 that the import took and the form
refused. Run on SQLite and PostgreSQL alike: NUL behaves differently on each.
"""

import json
import time

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.imports import MAX_JSON_NESTING, ImportFailed, import_csv, import_json
from casetracker.formsets import MAX_FORMSET_ROWS
from people.models import Person
from tests.factories import make_person
from tests.test_import_csv import csv_text
from tests.test_import_json import database_dump, new_person
from tests.test_record_forms import date_parts, fill, form_values
from tests.test_write_permissions import make_records, route_url

pytestmark = pytest.mark.django_db

NUL = "\x00"


def routes_with_a_reference(patterns=None, prefix=""):
    """Every route of the URL conf that takes a person's reference, as (route, name)."""
    found = []
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            namespace = f"{pattern.namespace}:" if pattern.namespace else ""
            found += [
                (inner, f"{namespace}{name}" if name else name)
                for inner, name in routes_with_a_reference(pattern.url_patterns, route)
            ]
        elif isinstance(pattern, URLPattern) and "<ref:ref>" in route:
            found.append((route, pattern.name))
    return found


@pytest.fixture
def scene(lawyer, admin_user):
    person = make_person(name="Bad Input", visibility=Person.Visibility.CONFIDENTIAL)
    person.lawyers.add(lawyer)
    return person, make_records(person)


@pytest.fixture
def admin_client(admin_user):
    client = Client()
    client.force_login(admin_user)
    return client


def test_every_route_of_a_person_takes_a_reference_only():
    routes = routes_with_a_reference()
    assert len(routes) >= 26, routes  # person, timeline.json, edit, history and 22 write URLs
    resolver_routes = {route for route, _name in routes}
    for route in resolver_routes:
        assert "<str:ref>" not in route


@pytest.mark.parametrize("suffix", ["%00", "%00x", "/../x", "%C0%AF", "%ED%A0%80"])
def test_a_reference_with_a_nul_or_garbage_is_not_found_on_every_route(scene, admin_client, suffix):
    person, records = scene
    for route, name in routes_with_a_reference():
        kwargs = {"ref": person.ref}
        if "<int:pk>" in route:
            kwargs["pk"] = records[name.split(":")[1].rsplit("-", 1)[0]].pk
        url = reverse(name, kwargs=kwargs)
        broken = url.replace(person.ref, person.ref + suffix, 1)
        for method in (admin_client.get, admin_client.post):
            response = method(broken)
            assert response.status_code == 404, (broken, response.status_code)
    assert admin_client.get("/people/%00/").status_code == 404
    assert admin_client.get("/people/%00/timeline.json").status_code == 404


def test_a_record_number_beyond_any_integer_is_not_found(scene, admin_client):
    person, _records = scene
    url = f"/people/{person.ref}/crossings/{10**30}/edit/"
    assert admin_client.get(url).status_code == 404


@pytest.mark.parametrize(
    "query",
    [
        "q=%00",
        "q=a%00b",
        "status=%00",
        "court=%00",
        "court=1%00",
        "court=99999999999999999999999",
        "from_country=%00",
        "to_country=%00",
        "year_min=%00",
        "year_max=99999999999999999999",
        "ethnicity=%00",
        "sex=%00",
        "visibility=%00",
        "sort=%00",
        "page=%00",
        "page=99999999999999999999",
        "outcome=%00&detained=%00",
    ],
)
def test_a_nul_or_absurd_value_in_a_directory_filter_is_ignored(admin_client, query):
    for url in ("/people/", "/people.json", "/export/", "/export/persons.csv"):
        response = admin_client.get(f"{url}?{query}")
        assert response.status_code in (200, 404), (url, response.status_code)


@pytest.mark.parametrize(
    "query", ["start=%00", "end=2019-02-30", "start=0000-01-01", "end=99999-01-01", "as_of=%00"]
)
def test_a_bad_report_date_range_is_reported_not_a_server_error(admin_client, query):
    assert admin_client.get(f"/reports/?{query}").status_code == 200
    assert admin_client.get(f"/reports/status.csv?{query}").status_code == 200


def test_the_timeline_json_ignores_a_nul_parameter(scene, admin_client):
    person, _records = scene
    response = admin_client.get(f"/people/{person.ref}/timeline.json?x=%00&as_of=%00")
    assert response.status_code == 200


def test_a_nul_in_a_form_field_is_a_clear_form_error(scene, lawyer):
    person, _records = scene
    client = Client()
    client.force_login(lawyer)
    url = reverse("edit:event-add", kwargs={"ref": person.ref})
    values = fill(
        form_values(client.get(url)),
        title=f"Press{NUL}conference",
        kind="other",
        **date_parts("date", 2019),
    )
    before = database_dump()
    response = client.post(url, values)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert database_dump() == before


def test_a_nul_in_an_approximate_date_is_a_clear_form_error(scene, lawyer):
    person, _records = scene
    client = Client()
    client.force_login(lawyer)
    url = reverse("edit:event-add", kwargs={"ref": person.ref})
    values = fill(
        form_values(client.get(url)),
        title="Press conference",
        kind="other",
        date_year=f"2019{NUL}",
        date_not_later_than=f"2019-01-01{NUL}",
    )
    before = database_dump()
    response = client.post(url, values)
    assert response.status_code == 200
    assert "Enter the year as four digits" in response.content.decode()
    assert database_dump() == before


def test_a_nul_in_a_new_persons_name_is_a_clear_form_error(lawyer):
    client = Client()
    client.force_login(lawyer)
    values = fill(form_values(client.get("/people/new/"), "person-form"), name=f"A{NUL}B")
    before = database_dump()
    response = client.post("/people/new/", values)
    assert response.status_code == 200
    assert "Null characters are not allowed." in response.content.decode()
    assert database_dump() == before


# Imports ------------------------------------------------------------------------------------


def test_a_json_file_nested_a_hundred_thousand_deep_is_refused_clearly(db):
    for text in ["[" * 100_000, '{"a":' * 100_000, "[" * 100_000 + "]" * 100_000]:
        with pytest.raises(ImportFailed) as failure:
            import_json(text)
        assert failure.value.errors[0].startswith("The file is nested too deeply")


def test_brackets_inside_strings_do_not_count_as_nesting(db):
    document = {"format": "x", "title": "[" * (MAX_JSON_NESTING * 2)}
    with pytest.raises(ImportFailed) as failure:
        import_json(json.dumps(document))
    assert "nested too deeply" not in " ".join(failure.value.errors)


def test_the_upload_page_refuses_a_deeply_nested_file_with_a_message(admin_client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("deep.json", b"[" * 100_000, content_type="application/json")
    response = admin_client.post("/import/", {"file": upload})
    assert response.status_code == 200
    assert "nested too deeply" in response.content.decode()


def test_a_nul_in_a_json_import_names_the_record_and_field(db):
    from cases import exports

    document = {
        "format": exports.FORMAT,
        "version": exports.VERSION,
        "persons": [
            new_person(),
            new_person(ref="cdfghjkmnp", crossings=[{"place": f"Al{NUL}maty"}]),
            new_person(ref=f"dfghjkmnp{NUL}"),
        ],
    }
    before = database_dump()
    with pytest.raises(ImportFailed) as failure:
        import_json(json.dumps(document))
    errors = failure.value.errors
    assert any(e.startswith("person 2, crossing 1: place contains a NUL") for e in errors), errors
    assert any(e.startswith("person 3: ref contains a NUL") for e in errors), errors
    assert database_dump() == before


def test_an_unpaired_surrogate_in_a_json_import_is_refused(db):
    from cases import exports

    text = json.dumps(
        {"format": exports.FORMAT, "version": exports.VERSION, "persons": [new_person()]}
    ).replace("New Person", "New \\ud800Person")
    with pytest.raises(ImportFailed) as failure:
        import_json(text)
    assert failure.value.errors[0].startswith("person 1: name contains an invalid character")


@pytest.mark.parametrize(
    "bad",
    [
        {"authority": {"name": ["x"], "country": "KZ"}},
        {"key": ["x"]},
        {"key": {"a": 1}},
        {"proceeding": ["x"]},
    ],
)
def test_a_value_of_the_wrong_type_in_a_json_import_is_an_error_not_a_crash(db, bad):
    from cases import exports

    document = {
        "format": exports.FORMAT,
        "version": exports.VERSION,
        "persons": [new_person(lawyers=[["x"]], statuses=[{"status": "refugee", **bad}])],
        "proceedings": [{"kind": "criminal", "persons": ["bcdfghjkmn"], **bad}],
        "events": [{"title": "x", **bad}],
    }
    with pytest.raises(ImportFailed):
        import_json(json.dumps(document))


def test_a_nul_in_a_csv_import_names_the_row_and_column(db):
    content = csv_text(
        ",Fine Person,,,,2019,,Arrest,,,",
        f",Bad{NUL}Person,,,,2019,,Arrest,,,",
        f",Other Person,,,,2019,,Arr{NUL}est,,,",
    )
    before = database_dump()
    with pytest.raises(ImportFailed) as failure:
        import_csv(content)
    errors = failure.value.errors
    assert any(e.startswith("row 3: person_name contains a NUL") for e in errors), errors
    assert any(e.startswith("row 4: event_title contains a NUL") for e in errors), errors
    assert database_dump() == before


@pytest.mark.parametrize("year", ["2999", "1899", "0", "99999", "²"])
def test_the_csv_import_refuses_a_birth_year_the_form_refuses(db, year):
    before = database_dump()
    with pytest.raises(ImportFailed) as failure:
        import_csv(csv_text(f",New Person,,{year},,2019,,Arrest,,,"))
    assert any("birth_year" in error for error in failure.value.errors), failure.value.errors
    assert database_dump() == before


def test_the_json_import_refuses_a_birth_year_the_form_refuses(db):
    from cases import exports

    document = {
        "format": exports.FORMAT,
        "version": exports.VERSION,
        "persons": [new_person(birth_year=2999)],
    }
    with pytest.raises(ImportFailed) as failure:
        import_json(json.dumps(document))
    assert failure.value.errors[0].startswith("person 1: birth_year: Enter a year between 1900")


def test_the_database_refuses_a_birth_year_no_validator_saw(db):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        make_person(birth_year=2999)


def test_the_preview_token_may_hold_any_text(admin_client):
    response = admin_client.post("/import/apply/", {"token": "é" * 30})
    assert response.status_code == 302


# Formsets -----------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [MAX_FORMSET_ROWS + 1, 10**20])
def test_a_huge_citation_count_is_refused_at_once(scene, lawyer, count):
    person, records = scene
    client = Client()
    client.force_login(lawyer)
    url = route_url("event-edit", person, records)
    values = fill(form_values(client.get(url)), **{"citations-TOTAL_FORMS": count})
    before = database_dump()
    started = time.monotonic()
    response = client.post(url, values)
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    assert f"Please submit at most {MAX_FORMSET_ROWS} forms." in response.content.decode()
    assert database_dump() == before


def test_a_huge_variant_count_is_refused_at_once(lawyer):
    client = Client()
    client.force_login(lawyer)
    values = fill(
        form_values(client.get("/people/new/"), "person-form"),
        name="Someone",
        **{"variants-TOTAL_FORMS": 10**20},
    )
    before = database_dump()
    started = time.monotonic()
    response = client.post("/people/new/", values)
    assert time.monotonic() - started < 10
    assert response.status_code == 200
    assert "Please submit at most 30 forms." in response.content.decode()
    assert database_dump() == before


def test_an_admin_inline_count_is_capped_too(admin_client):
    response = admin_client.get("/admin/cases/event/add/")
    assert response.status_code == 200
    formset = response.context["inline_admin_formsets"][0].formset
    assert formset.absolute_max == MAX_FORMSET_ROWS


# Values no row can hold, re-shown in a form -------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "a\x00", "9" * 30, "-1", "1e308"])
def test_an_admin_autocomplete_reshows_a_value_no_row_can_hold(scene, admin_client, value):
    response = admin_client.post(
        "/admin/cases/bordercrossing/add/", {"person": value, "from_country": "China"}
    )
    assert response.status_code == 200
    assert "errornote" in response.content.decode()


@pytest.mark.parametrize("value", ["abc", "9" * 30, "-1"])
def test_a_multiple_choice_of_ids_no_row_can_hold_is_a_form_error(admin_client, value):
    response = admin_client.post("/admin/auth/group/add/", {"name": "G", "permissions": [value]})
    assert response.status_code == 200
    assert "errornote" in response.content.decode()


def test_in_on_an_integer_column_finds_nothing_for_values_no_row_can_hold(scene):
    person, _records = scene
    assert list(Person.objects.filter(pk__in=["abc", 10**30, -(10**30)])) == []
    assert list(Person.objects.filter(pk__in=["abc", person.pk, 10**30])) == [person]


# Dates before 1900, which the form's year box refuses -------------------------------------


def test_the_json_import_refuses_a_date_the_form_refuses(db):
    from cases import exports

    document = {
        "format": exports.FORMAT,
        "version": exports.VERSION,
        "persons": [new_person(crossings=[{"date": "0001-01-01", "date_precision": "day"}])],
    }
    with pytest.raises(ImportFailed) as failure:
        import_json(json.dumps(document))
    assert any("before 1900" in error for error in failure.value.errors), failure.value.errors


def test_the_csv_import_refuses_a_date_the_form_refuses(db):
    with pytest.raises(ImportFailed) as failure:
        import_csv(csv_text(",New Person,,,,0999,,Arrest,,,"))
    assert any("before 1900" in error for error in failure.value.errors), failure.value.errors
