"""The admins' browser import: upload, preview (a dry run), confirm."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from people.models import Person
from tests.test_import_json import database_dump

pytestmark = pytest.mark.django_db

TEMPLATE = Path(__file__).resolve().parent.parent / "docs" / "import-template.csv"


def upload(client, content=None, name="cases.csv"):
    content = TEMPLATE.read_bytes() if content is None else content
    return client.post(
        reverse("reports:import"), {"file": SimpleUploadedFile(name, content, "text/csv")}
    )


def test_an_anonymous_reader_is_sent_to_sign_in(client):
    response = client.get(reverse("reports:import"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("reader", ["researcher", "lawyer", "other_lawyer"])
def test_who_is_not_an_admin_may_not_import(client, request, reader):
    client.force_login(request.getfixturevalue(reader))
    before = database_dump()
    assert client.get(reverse("reports:import")).status_code == 403
    assert upload(client).status_code == 403
    assert client.post(reverse("reports:import-apply"), {"token": "x"}).status_code == 403
    assert database_dump() == before


def test_an_admin_previews_then_applies(client, admin_user):
    client.force_login(admin_user)
    before = database_dump()
    response = upload(client)
    text = response.content.decode()
    assert response.status_code == 200
    assert "would create" in text
    assert "Example Person (template)" in text
    assert database_dump() == before  # the preview saved nothing
    token = response.context["token"]

    response = client.post(reverse("reports:import-apply"), {"token": token}, follow=True)
    assert "Imported: created" in response.content.decode()
    assert Person.objects.filter(name="Example Person (template)").count() == 1
    # The preview cannot be applied twice.
    response = client.post(reverse("reports:import-apply"), {"token": token}, follow=True)
    assert "That preview has expired" in response.content.decode()
    assert Person.objects.filter(name="Example Person (template)").count() == 1


def test_a_bad_file_shows_every_error_and_saves_nothing(client, admin_user):
    client.force_login(admin_user)
    before = database_dump()
    response = upload(client, b"person_name,event_title\nSomeone,Arrested\n")
    text = response.content.decode()
    assert "cannot be imported" in text
    assert "row 1: missing columns: person_ref, event_date" in text
    assert "Import these changes" not in text
    assert database_dump() == before


def test_a_token_from_another_session_applies_nothing(client, admin_user):
    client.force_login(admin_user)
    token = upload(client).context["token"]
    other = Client()
    other.force_login(admin_user)
    response = other.post(reverse("reports:import-apply"), {"token": token}, follow=True)
    assert "That preview has expired" in response.content.decode()
    assert not Person.objects.exists()


def test_posting_needs_the_csrf_token(admin_user):
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    assert upload(client).status_code == 403
    page = client.get(reverse("reports:import")).content.decode()
    assert "csrfmiddlewaretoken" in page
