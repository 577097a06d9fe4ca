"""Replayed attack: markup typed as data (a name, a title, a court) runs as script elsewhere.

The review named a person ``"><img src=x onerror=alert(1)>``: the event and proceeding forms
put the name into a field's help text, which Django renders as HTML, so the script ran for
whoever opened the form (an admin). A CSV-imported name did the same. Every page where such
text shows, as a lawyer and as an admin, must show it as text.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from people.models import NameVariant, Person
from tests.factories import (
    cite,
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_person,
    make_proceeding,
    make_source,
    make_status,
)
from tests.test_person_create import new_person

pytestmark = pytest.mark.django_db

IMG = '"><img src=x onerror=alert(1)>'
SCRIPT = "<script>alert(1)</script>"
RAW = ["<img src=x", "<script>alert(1)"]
ESCAPED = "&lt;img src=x"


def hostile(text):
    return f"{text} {IMG} {SCRIPT}"


@pytest.fixture
def case(lawyer):
    """A person of `lawyer` whose every typed text is markup, and a co-defendant."""
    person = make_person(
        name=hostile("Aigul"), visibility=Person.Visibility.INTERNAL, lawyers=[lawyer]
    )
    NameVariant.objects.create(person=person, name=hostile("Айгүл"))
    other = make_person(name=hostile("Bolat"), visibility=Person.Visibility.PUBLIC)
    other.lawyers.add(lawyer)
    person.public_summary = hostile("Summary")
    person.internal_notes = hostile("Notes")
    person.place_of_origin = hostile("Ili")
    person.save()
    court = make_authority(name=hostile("Court"), town=hostile("Zharkent"))
    source = make_source(title=hostile("Article"), publisher=hostile("Publisher"))
    crossing = make_crossing(person, place=hostile("Khorgos"), reason=hostile("Fled"))
    cite(crossing, source=source, quote=hostile("Quote"))
    detention = make_detention(person, authority=court, place=hostile("Camp"))
    proceeding = make_proceeding(persons=[person, other], authority=court, charge=hostile("Ch"))
    status = make_status(person, authority=court, note=hostile("Note"))
    event = make_event(persons=[person, other], authority=court, title=hostile("Event"))
    return {
        "person": person,
        "other": other,
        "court": court,
        "source": source,
        "records": {
            "crossing": crossing,
            "detention": detention,
            "proceeding": proceeding,
            "status": status,
            "event": event,
        },
    }


def assert_text_only(response, expect_escaped=True, where=""):
    assert response.status_code == 200, (where, response.status_code)
    html = response.content.decode()
    for raw in RAW:
        assert raw not in html, (where, html[max(0, html.find(raw) - 300) : html.find(raw) + 100])
    if expect_escaped:
        assert ESCAPED in html, where


def edit(name, person, **kwargs):
    return reverse(f"edit:{name}", kwargs={"ref": person.ref, **kwargs})


def lawyer_pages(case):
    person = case["person"]
    records = case["records"]
    pages = [
        person.get_absolute_url(),
        reverse("cases:directory"),
        reverse("cases:directory") + "?q=Aigul",
        reverse("account:home"),
        reverse("account:person-history", kwargs={"ref": person.ref}),
        reverse("account:person-edit", kwargs={"ref": person.ref}),
        edit("source-add", person),
    ]
    for kind in ["crossing", "detention", "proceeding", "status", "event"]:
        pages.append(edit(f"{kind}-add", person))
        pages.append(edit(f"{kind}-edit", person, pk=records[kind].pk))
    return pages


def admin_pages(case, deletes_persons):
    pages = [
        reverse("admin:people_person_change", args=[case["person"].pk]),
        reverse("admin:people_person_changelist"),
        reverse("admin:people_person_history", args=[case["person"].pk]),
        reverse("admin:cases_citation_changelist"),
        reverse("admin:cases_source_change", args=[case["source"].pk]),
        reverse("admin:cases_source_changelist"),
        reverse("admin:cases_authority_change", args=[case["court"].pk]),
        reverse("admin:cases_authority_changelist"),
    ]
    for record in case["records"].values():
        model_name = type(record)._meta.model_name
        for view in ["change", "history", "delete"]:
            pages.append(reverse(f"admin:cases_{model_name}_{view}", args=[record.pk]))
        pages.append(reverse(f"admin:cases_{model_name}_changelist"))
    if deletes_persons:
        # Deleting a person is an admin's act: a lawyer gets 403 there.
        pages.append(reverse("admin:people_person_delete", args=[case["person"].pk]))
    return pages


@pytest.mark.parametrize("who", ["lawyer", "admin_user"])
def test_markup_typed_as_data_is_shown_as_text_on_every_page(client, request, case, who):
    client.force_login(request.getfixturevalue(who))
    for url in lawyer_pages(case) + admin_pages(case, deletes_persons=who == "admin_user"):
        # The home page lists only the user's own cases' deadlines and others' changes.
        shows = url != reverse("account:home")
        assert_text_only(client.get(url), expect_escaped=shows, where=url)


def test_the_shared_record_forms_name_the_person_as_text(client, lawyer, case):
    """The original attack: the name in the 'Also concerns' help text of these forms."""
    client.force_login(lawyer)
    for kind in ["event", "proceeding"]:
        html = client.get(edit(f"{kind}-add", case["person"])).content.decode()
        assert "It concerns Aigul &quot;&gt;&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_duplicate_warning_names_persons_as_text(client, lawyer, case):
    client.force_login(lawyer)
    data = new_person(name=hostile("Aigul"))
    response = client.post(reverse("account:person-create"), data)
    assert "Is this one of these persons?" in response.content.decode()
    assert_text_only(response)


def test_the_public_page_shows_markup_as_text(client, case):
    response = client.get(case["other"].get_absolute_url())
    assert_text_only(response)


def test_an_imported_name_is_shown_as_text_in_the_preview(client, admin_user):
    client.force_login(admin_user)
    csv = (
        "person_ref,person_name,visibility,event_date,event_kind,event_title,source_title\n"
        f',"{hostile("Imported").replace(chr(34), chr(34) * 2)}",internal,2019-10,arrest,'
        f'"{hostile("Arrest").replace(chr(34), chr(34) * 2)}",'
        f'"{hostile("Source").replace(chr(34), chr(34) * 2)}"\n'
    ).encode()
    response = client.post(
        reverse("reports:import"), {"file": SimpleUploadedFile("cases.csv", csv, "text/csv")}
    )
    assert "would create" in response.content.decode()
    assert_text_only(response)
    token = response.context["token"]
    response = client.post(reverse("reports:import-apply"), {"token": token}, follow=True)
    assert_text_only(response, expect_escaped=False)
    person = Person.objects.get(name=hostile("Imported"))
    client.force_login(admin_user)
    assert_text_only(client.get(person.get_absolute_url()))
