"""The browser export: /export/…, as each reader, with the directory's filters."""

import csv
import io
import json

import pytest
from django.http import StreamingHttpResponse
from django.urls import reverse
from openpyxl import load_workbook

from tests.test_export_json import MANAGES, MAY_SEE
from tests.test_round_trip import make_case_file

pytestmark = pytest.mark.django_db

URLS = ["export", "export-persons-csv", "export-entries-csv", "export-xlsx", "export-json"]


def body(response):
    if isinstance(response, StreamingHttpResponse):
        return b"".join(response.streaming_content)
    return b"".join(response) if hasattr(response, "streaming_content") else response.content


@pytest.mark.parametrize("name", URLS)
def test_an_anonymous_reader_is_sent_to_sign_in(client, name):
    response = client.get(reverse(f"reports:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("reader", list(MAY_SEE))
def test_each_format_holds_exactly_what_the_reader_may_see(client, request, lawyer, reader):
    persons = make_case_file(lawyer)
    client.force_login(request.getfixturevalue(reader))
    for name in URLS[1:]:
        response = client.get(reverse(f"reports:{name}"))
        assert response.status_code == 200
        content = body(response)
        if name == "export-xlsx":
            workbook = load_workbook(io.BytesIO(content))
            text = "\n".join(
                str(value) for sheet in workbook for row in sheet.values for value in row
            )
        else:
            text = content.decode("utf-8-sig")
        for key, person in persons.items():
            assert (person.name in text) == (key in MAY_SEE[reader]), (name, key)
            assert (person.ref in text) == (key in MAY_SEE[reader]), (name, key)
            assert (f"NOTE-{key}" in text) == (
                key in MAY_SEE[reader] and key in MANAGES[reader] and name != "export-entries-csv"
            ), (name, key)


def test_the_csv_is_streamed_as_an_attachment(client, lawyer, admin_user):
    make_case_file(lawyer)
    client.force_login(admin_user)
    response = client.get(reverse("reports:export-persons-csv"))
    assert isinstance(response, StreamingHttpResponse)
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="casetracker-persons-' in response["Content-Disposition"]


def test_the_directory_filters_apply(client, lawyer, admin_user):
    persons = make_case_file(lawyer)
    client.force_login(admin_user)
    response = client.get(reverse("reports:export-persons-csv"), {"visibility": "internal"})
    rows = list(csv.DictReader(io.StringIO(body(response).decode("utf-8-sig"))))
    assert [row["ref"] for row in rows] == [persons["internal"].ref]
    document = json.loads(
        body(client.get(reverse("reports:export-json"), {"visibility": "confidential"}))
    )
    assert [p["ref"] for p in document["persons"]] == [persons["secret"].ref]
    # Only the filtered person in the shared records; no unlinked reference data.
    assert all(e["persons"] == [persons["secret"].ref] for e in document["events"])
    assert "Never cited" not in {s["title"] for s in document["sources"]}


def test_the_export_page_links_each_format_with_the_filters(client, lawyer, researcher):
    make_case_file(lawyer)
    client.force_login(researcher)
    response = client.get(reverse("reports:export"), {"visibility": "internal", "page": "3"})
    text = response.content.decode()
    assert "1 person you may see" in text
    assert f"{reverse('reports:export-persons-csv')}?visibility=internal" in text
    assert "page=3" not in text
