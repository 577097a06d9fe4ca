"""The signed-in user's pages: the home page, a new person, a person's details and history.

Included before ``cases.urls``, so ``people/new/`` is routed here and never read as the
reference of a person (``people/<ref>/``); a reference could not be "new" anyway, since the
reference alphabet has no vowels (people.models.REFERENCE_ALPHABET).
"""

from django.urls import path

import people.converters  # noqa: F401  (registers <ref:…>)

from . import account_views

app_name = "account"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("people/new/", account_views.person_create, name="person-create"),
    path("people/<ref:ref>/edit/", account_views.person_edit, name="person-edit"),
    path("people/<ref:ref>/history/", account_views.history, name="person-history"),
]
