"""Every page of the application, for tests that must hold on all of them (headers, CSP).

The lists are read from the URL configuration and the admin's registry: a new record kind,
report or admin is walked without anyone having to remember it.
"""

from django.contrib import admin
from django.test import RequestFactory
from django.urls import reverse

from cases import edit_urls
from cases.models import (
    BorderCrossing,
    Detention,
    Event,
    Hearing,
    Proceeding,
    Ruling,
    StatusDecision,
)
from cases.reports import TABLES
from people.models import Person
from tests.factories import fill_case, make_person


def make_case_files(lawyer):
    """An internal person the lawyer is assigned to, with one record of every kind."""
    person = make_person(
        name="Kaisha Akan",
        visibility=Person.Visibility.INTERNAL,
        lawyers=[lawyer],
        variants=["Қайша Ақан"],
    )
    fill_case(person, 1)
    return person


def site_urls(person):
    """Every GET page of the application itself (not the admin) about ``person``."""
    ref = {"ref": person.ref}
    urls = [
        reverse("account:home"),
        reverse("cases:directory"),
        reverse("cases:directory-json"),
        reverse("cases:person", kwargs=ref),
        reverse("cases:person-json", kwargs=ref),
        reverse("account:person-create"),
        reverse("account:person-edit", kwargs=ref),
        reverse("account:person-history", kwargs=ref),
        reverse("reports:index"),
        reverse("reports:export"),
        reverse("reports:export-persons-csv"),
        reverse("reports:export-entries-csv"),
        reverse("reports:export-xlsx"),
        reverse("reports:export-json"),
        reverse("reports:import"),
        reverse("password_change"),
    ]
    urls += [reverse("reports:table-csv", kwargs={"slug": slug}) for slug in TABLES]
    for pattern in edit_urls.urlpatterns:
        kind = pattern.default_args.get("kind")
        if "<int:pk>" in str(pattern.pattern):
            record = record_of_kind(person, kind)
            urls.append(reverse(f"edit:{pattern.name}", kwargs={**ref, "pk": record.pk}))
        else:
            urls.append(reverse(f"edit:{pattern.name}", kwargs=ref))
    return urls


def record_of_kind(person, kind):
    """The first record of a timeline kind (crossing, …, event) that concerns ``person``."""
    by_kind = {
        "crossing": BorderCrossing.objects.filter(person=person),
        "detention": Detention.objects.filter(person=person),
        "proceeding": Proceeding.objects.filter(persons=person),
        "hearing": Hearing.objects.filter(proceeding__persons=person),
        "ruling": Ruling.objects.filter(person=person),
        "status": StatusDecision.objects.filter(person=person),
        "event": Event.objects.filter(persons=person),
    }
    return by_kind[kind].order_by("pk").first()


def admin_urls(user=None):
    """The admin's index and, for every registered model, each page of its first record.

    Given a user, the pages that user may not open (a read-only log, devices an admin may
    only view or delete, sign-in failure records nobody reads in the admin) are left out.
    """
    request = RequestFactory().get("/")
    request.user = user
    urls = [reverse("admin:index")]
    for model, model_admin in admin.site._registry.items():
        info = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        if user is not None and not model_admin.has_view_or_change_permission(request):
            continue
        urls.append(reverse(f"{info}_changelist"))
        if user is None or model_admin.has_add_permission(request):
            urls.append(reverse(f"{info}_add"))
        obj = model_admin.model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        urls += [reverse(f"{info}_{view}", args=[obj.pk]) for view in ("change", "history")]
        if user is None or model_admin.has_delete_permission(request, obj):
            urls.append(reverse(f"{info}_delete", args=[obj.pk]))
        if hasattr(obj, "history"):  # simple-history's page of one past version
            version = obj.history.order_by("history_id").first()
            urls.append(reverse(f"{info}_simple_history", args=[obj.pk, version.history_id]))
    return urls
