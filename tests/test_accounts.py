"""Signing in and out, changing one's password, and the roles as groups."""

import pytest
from django.contrib.auth.models import AnonymousUser, Group
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse

from people.roles import ADMINS, LAWYERS, RESEARCHERS
from tests.factories import make_user

pytestmark = pytest.mark.django_db

PASSWORD = "test-password"
NEW_PASSWORD = "a-long-new-passphrase-19"


def permissions(role):
    return {
        f"{app_label}.{codename}"
        for app_label, codename in Group.objects.get(name=role).permissions.values_list(
            "content_type__app_label", "codename"
        )
    }


def test_the_roles_exist_with_what_each_needs():
    admins, lawyers, researchers = (permissions(role) for role in (ADMINS, LAWYERS, RESEARCHERS))
    assert {"people.add_person", "people.change_person", "cases.change_hearing"} <= lawyers
    assert "people.view_every_person" not in lawyers
    assert {"people.view_every_person", "auth.change_user", "people.change_person"} <= admins
    assert "people.view_person" in researchers
    assert not any(
        codename.split(".")[1].startswith(("add_", "change_", "delete_"))
        for codename in researchers
    )


def test_it_signs_in_and_lands_on_the_lawyers_home(lawyer):
    client = Client(enforce_csrf_checks=True)
    page = client.get(reverse("login"))
    assert page.status_code == 200
    token = page.context["csrf_token"]
    response = client.post(
        reverse("login"),
        {"username": "lawyer", "password": PASSWORD, "csrfmiddlewaretoken": str(token)},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/"
    assert response.context["user"] == lawyer
    assert "My cases" in response.content.decode()


def test_a_wrong_password_does_not_sign_in(client, lawyer):
    response = client.post(reverse("login"), {"username": "lawyer", "password": "wrong"})
    assert response.status_code == 200
    assert response.context["form"].errors
    assert not response.context["user"].is_authenticated


def test_signing_in_needs_the_csrf_token(lawyer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "lawyer", "password": PASSWORD})
    assert response.status_code == 403


def test_it_signs_out_with_a_post_only(client, lawyer):
    client.force_login(lawyer)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get("/").context["user"].is_authenticated
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not client.get("/").context["user"].is_authenticated


def test_signing_out_needs_the_csrf_token(lawyer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(lawyer)
    assert client.post(reverse("logout")).status_code == 403
    assert client.get("/").context["user"].is_authenticated


def test_every_page_offers_to_sign_out_with_a_form(client, researcher):
    client.force_login(researcher)
    body = client.get("/").content.decode()
    assert f'action="{reverse("logout")}"' in body
    assert 'name="csrfmiddlewaretoken"' in body


def test_the_signed_out_page_fits_the_site(rf):
    request = rf.get("/")
    request.user = AnonymousUser()
    body = render_to_string("registration/logged_out.html", request=request)
    assert "You are signed out" in body
    assert 'class="site-header"' in body


def test_the_password_change_needs_a_signed_in_user(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_it_changes_the_password_and_keeps_the_user_signed_in(client):
    user = make_user("changer")
    client.force_login(user)
    page = client.get(reverse("password_change"))
    assert page.status_code == 200
    assert 'name="old_password"' in page.content.decode()
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == reverse("password_change_done")
    assert "Password changed" in response.content.decode()
    assert response.context["user"].is_authenticated
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)


def test_a_wrong_old_password_changes_nothing(client):
    user = make_user("changer")
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": "wrong", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 200
    assert "old_password" in response.context["form"].errors
    assert "Nothing was saved." in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_the_password_change_needs_the_csrf_token():
    user = make_user("changer")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    response = client.post(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 403
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
