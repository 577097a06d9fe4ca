"""Every write form is protected against cross-site requests: no token, no change."""

import pytest
from django.test import Client
from django.urls import reverse

from people.models import Person
from tests.factories import make_person
from tests.test_record_forms import form_values
from tests.test_write_permissions import ROUTES, make_records, payload, route_url, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def csrf_client(lawyer):
    """The assigned lawyer, signed in, in a client that checks CSRF tokens like production."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(lawyer)
    return client


@pytest.mark.parametrize("route", ROUTES)
def test_a_post_needs_the_forms_own_token(csrf_client, lawyer, admin_user, route):
    person = make_person(visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer])
    records = make_records(person)
    url = route_url(route, person, records)
    data = payload(route, url, records, admin_user)  # carries the admin session's token
    page = csrf_client.get(url)  # the form is opened: the CSRF cookie is set
    before = snapshot()

    without_token = {name: value for name, value in data.items() if name != "csrfmiddlewaretoken"}
    assert csrf_client.post(url, without_token).status_code == 403
    assert snapshot() == before

    assert csrf_client.post(url, data).status_code == 403  # another session's token
    assert snapshot() == before

    css_class = "confirm-form" if route.endswith("-delete") else "record-form"
    data["csrfmiddlewaretoken"] = form_values(page, css_class)["csrfmiddlewaretoken"]
    response = csrf_client.post(url, data)
    assert response.status_code == 302
    assert response.url.startswith(person.get_absolute_url())
    assert snapshot() != before


def test_an_anonymous_forged_post_is_refused_before_anything_else(lawyer):
    person = make_person(lawyers=[lawyer])
    records = make_records(person)
    url = reverse("edit:crossing-delete", kwargs={"ref": person.ref, "pk": records["crossing"].pk})
    before = snapshot()
    response = Client(enforce_csrf_checks=True).post(url, {})
    assert response.status_code == 403
    assert snapshot() == before
