"""Replays of the review's findings about response headers and error pages.

- Stored markup (issue 8, item 2): "No Content-Security-Policy limits the damage." The page
  that showed a lawyer's `"><img src=x onerror=alert(1)>` now forbids every inline script;
  tests/browser/test_csp.py proves in Chromium that injected markup runs nothing.
- Item 12: no `Cache-Control: no-store` on non-public pages and exports, so a shared
  computer's cache or a proxy kept a confidential case.
- Item 12: a bare "403 Forbidden" with no way back.
- Framing: a page of the team's could be framed by another site (clickjacking).
- Existence probing: any difference between the answer for a hidden person and for no person
  at all confirms that the hidden person exists.
"""

import re

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Person
from tests.factories import make_event, make_person, make_user

pytestmark = pytest.mark.django_db

PAYLOAD = '"><img src=x onerror=alert(1)>'
PRIVATE_URLS = [
    "cases:person",
    "cases:person-json",
    "account:person-history",
    "account:person-edit",
]
EXPORTS = [
    "reports:export-persons-csv",
    "reports:export-entries-csv",
    "reports:export-xlsx",
    "reports:export-json",
]


def directives(response):
    header = response.headers["Content-Security-Policy"]
    return {name: sources for name, *sources in (part.split() for part in header.split(";"))}


@pytest.fixture
def confidential(lawyer):
    return make_person(
        name="Qaster Musakhanuly", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )


def test_the_page_that_ran_a_stored_name_as_script_forbids_inline_script(client, lawyer):
    marked_up = make_person(name=PAYLOAD, lawyers=[lawyer])
    event = make_event(persons=[marked_up])
    client.force_login(lawyer)
    for url in [
        reverse("edit:event-edit", kwargs={"ref": marked_up.ref, "pk": event.pk}),
        reverse("admin:cases_event_change", args=[event.pk]),
        reverse("admin:cases_event_add"),
        marked_up.get_absolute_url(),
    ]:
        response = client.get(url)
        assert response.status_code == 200
        policy = directives(response)
        # No inline handler, inline <script> or javascript: URL can run under this policy.
        assert policy["script-src"] == ["'self'"], url
        assert "script-src-attr" not in policy and "script-src-elem" not in policy


@pytest.mark.parametrize("url_name", PRIVATE_URLS)
def test_a_confidential_case_is_never_left_in_a_cache(client, lawyer, confidential, url_name):
    client.force_login(lawyer)
    response = client.get(reverse(url_name, kwargs={"ref": confidential.ref}))
    assert response.status_code == 200
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]


@pytest.mark.parametrize("url_name", EXPORTS)
def test_an_export_with_a_confidential_case_is_never_left_in_a_cache(
    client, admin_user, confidential, url_name
):
    client.force_login(admin_user)
    response = client.get(reverse(url_name))
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    assert body  # it does carry the data
    assert "no-store" in response.headers["Cache-Control"]


def test_a_refusal_is_no_dead_end(client, other_lawyer):
    person = make_person(visibility=Person.Visibility.INTERNAL)
    client.force_login(other_lawyer)
    response = client.get(reverse("account:person-edit", kwargs={"ref": person.ref}))
    assert response.status_code == 403
    page = response.content.decode()
    assert f'href="{person.get_absolute_url()}"' in page
    assert f'href="{reverse("cases:directory")}"' in page


@pytest.mark.parametrize(
    "url", [reverse("cases:directory"), reverse("login"), reverse("admin:login")]
)
def test_no_other_site_may_frame_a_page(client, url):
    response = client.get(url)
    assert response.headers["X-Frame-Options"] == "DENY"
    assert directives(response)["frame-ancestors"] == ["'none'"]


def normalised(response, ref):
    page = response.content.decode().replace(ref, "REF")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", page)


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "other_lawyer"])
def test_no_answer_tells_a_hidden_person_from_no_person(request, reader, confidential):
    gone = make_person()
    missing = gone.ref
    gone.delete()
    client = Client()
    user = request.getfixturevalue(reader)
    if user.is_authenticated:
        client.force_login(user)
    for url_name in [*PRIVATE_URLS, "edit:event-add", "edit:source-add"]:
        hidden = client.get(reverse(url_name, kwargs={"ref": confidential.ref}))
        absent = client.get(reverse(url_name, kwargs={"ref": missing}))
        assert hidden.status_code == absent.status_code, url_name
        assert normalised(hidden, confidential.ref) == normalised(absent, missing), url_name
        assert "Musakhanuly" not in hidden.content.decode()
        for header in ["Cache-Control", "Vary", "Content-Type", "Content-Security-Policy"]:
            assert hidden.headers.get(header) == absent.headers.get(header), (url_name, header)


def test_a_signed_in_reader_gets_no_cacheable_page_even_of_a_public_person(client):
    # The team's view of a public person carries more (countdowns, links to edit).
    person = make_person(visibility=Person.Visibility.PUBLIC)
    client.force_login(make_user("reader"))
    response = client.get(person.get_absolute_url())
    assert "no-store" in response.headers["Cache-Control"]
