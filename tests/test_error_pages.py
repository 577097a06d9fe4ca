"""Error pages say what happened in plain words and lead back, and reveal nothing.

Rendered as in production (DEBUG off): through the client where a real request can cause the
error, and through the handler views where none can.
"""

import re

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import include, path, resolve, reverse
from django.views import defaults

from casetracker.error_views import permission_denied
from people.models import Person
from tests.factories import make_person

pytestmark = pytest.mark.django_db

WAYS_BACK = ['href="/people/"', 'href="/"']


@pytest.fixture(autouse=True)
def _production(settings):
    # With DEBUG on, Django shows its technical pages instead of these.
    settings.DEBUG = False


def boom(request):
    raise RuntimeError("a bug")


# A URL that fails, ahead of the real ones: the 500 page through the whole stack.
urlpatterns = [path("boom/", boom), path("", include("casetracker.urls"))]


def text(response):
    return response.content.decode()


def without_csrf_token(html):
    # The masked token differs on every render of a page that has the sign-out form.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "TOKEN", html)


@pytest.fixture
def hidden():
    return make_person(
        name="Qaster Musakhanuly",
        variants=["Қастер Мұсаханұлы"],
        visibility=Person.Visibility.CONFIDENTIAL,
    )


@pytest.fixture
def missing_ref():
    """A well-formed reference that belongs to no one (it did, until just now)."""
    person = make_person(name="Deleted Person")
    ref = person.ref
    person.delete()
    return ref


# 404 -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "other_lawyer"])
@pytest.mark.parametrize("route", ["cases:person", "cases:person-json"])
def test_a_hidden_person_and_no_person_get_the_same_404(
    request, reader, route, hidden, missing_ref
):
    client = Client()
    user = request.getfixturevalue(reader)
    if user.is_authenticated:
        client.force_login(user)
    responses = {}
    for ref in (hidden.ref, missing_ref):
        response = client.get(reverse(route, kwargs={"ref": ref}))
        assert response.status_code == 404
        responses[ref] = without_csrf_token(text(response)).replace(ref, "REF")
    assert responses[hidden.ref] == responses[missing_ref]
    assert "Musakhanuly" not in responses[hidden.ref]
    assert "Мұсаханұлы" not in responses[hidden.ref]


def test_the_404_page_explains_and_leads_back(client):
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    assert "Page not found" in text(response)
    assert "may not be shared with you" in text(response)
    for link in WAYS_BACK:
        assert link in text(response)
    # An anonymous reader is told that signing in may open more, with a way back here.
    assert f'href="{reverse("login")}?next=/no/such/page/"' in text(response)


def test_the_404_page_tells_a_signed_in_user_nothing_about_signing_in(client, researcher):
    client.force_login(researcher)
    response = client.get("/no/such/page/")
    assert "open only to signed-in team members" not in text(response)
    assert "Sign out (researcher)" in text(response)


# 403 -----------------------------------------------------------------------------------------


def test_the_403_page_explains_and_leads_back_to_the_person(client, other_lawyer):
    person = make_person(name="Kaisha Akan", visibility=Person.Visibility.INTERNAL)
    client.force_login(other_lawyer)  # may read an internal person, not change them
    response = client.get(reverse("account:person-edit", kwargs={"ref": person.ref}))
    assert response.status_code == 403
    assert "Not allowed" in text(response)
    assert "nothing was changed" in text(response)
    assert f'href="{person.get_absolute_url()}"' in text(response)
    for link in WAYS_BACK:
        assert link in text(response)


def test_the_403_page_never_links_to_a_person_the_user_may_not_see(other_lawyer, hidden):
    # No view answers 403 for a hidden person (they get 404); should one ever do, the page
    # must not link to (and so confirm) that person.
    url = reverse("account:person-edit", kwargs={"ref": hidden.ref})
    request = RequestFactory().get(url)
    request.user = other_lawyer
    request.resolver_match = resolve(url)
    response = permission_denied(request, PermissionDenied())
    assert response.status_code == 403
    assert hidden.ref not in text(response)
    assert "Musakhanuly" not in text(response)


def test_the_admin_refusal_uses_the_same_page(client, lawyer):
    client.force_login(lawyer)  # staff, but not an admin: no user accounts for them
    response = client.get(reverse("admin:auth_user_changelist"))
    assert response.status_code == 403
    assert "Not allowed" in text(response)


# 400 -----------------------------------------------------------------------------------------


def test_the_400_page_explains_and_leads_back(client):
    response = client.get("/people/", headers={"host": "not-our-site.example"})
    assert response.status_code == 400
    assert "could not be understood" in text(response)
    assert "nothing was changed" in text(response)
    for link in WAYS_BACK:
        assert link in text(response)


# 500 -----------------------------------------------------------------------------------------


@pytest.mark.urls(__name__)
def test_the_500_page_explains_and_leads_back():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    assert "Something went wrong on our side" in text(response)
    assert "may not have been saved" in text(response)
    for link in WAYS_BACK:
        assert link in text(response)
    assert response.headers["Content-Security-Policy"]


def test_the_500_page_needs_neither_the_database_nor_the_request_context():
    request = RequestFactory().get("/people/")
    with CaptureQueriesContext(connection) as queries:
        response = defaults.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in text(response)
    assert len(queries) == 0


# CSRF failure --------------------------------------------------------------------------------


def test_an_expired_form_is_explained_and_changes_nothing(lawyer):
    person = make_person(name="Kaisha Akan", lawyers=[lawyer])
    client = Client(enforce_csrf_checks=True)
    client.force_login(lawyer)
    form_url = reverse("account:person-edit", kwargs={"ref": person.ref})
    response = client.post(
        form_url,
        {"name": "Changed Name"},
        headers={"referer": f"http://testserver{form_url}"},
    )
    assert response.status_code == 403
    page = text(response)
    assert "The form expired" in page
    assert "What you sent was not saved." in page
    assert "Back button" in page
    assert f'href="http://testserver{form_url}"' in page  # "Open the form again"
    assert "Sign in again" not in page
    assert "Reason" not in page  # Django's reason is for developers, not for the lawyer
    person.refresh_from_db()
    assert person.name == "Kaisha Akan"


def test_an_expired_form_never_links_to_another_site(lawyer):
    person = make_person(lawyers=[lawyer])
    client = Client(enforce_csrf_checks=True)
    client.force_login(lawyer)
    response = client.post(
        reverse("account:person-edit", kwargs={"ref": person.ref}),
        {"name": "Changed Name"},
        headers={"referer": "https://attacker.example/form"},
    )
    assert response.status_code == 403
    assert "attacker.example" not in text(response)
    assert "Open the form again" not in text(response)


def test_an_expired_sign_in_form_offers_to_sign_in_again():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "The form expired" in text(response)
    assert f'href="{reverse("login")}"' in text(response)


def test_an_expired_form_names_the_reason_in_development(settings):
    settings.DEBUG = True
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "x", "password": "y"})
    assert response.status_code == 403
    assert "CSRF cookie not set" in text(response)
