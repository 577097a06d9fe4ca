"""The hostile review of the lawyer's person form: names in the person's own texts.

A lawyer who manages Murager Alimuly but may not see his confidential co-defendant Qaster
Musakhanuly (or Kaisha Akan, who shares only a source with his case) opened Alimuly's edit
page and read their names in his summary and notes; saving wrote the text back. Such a text
is now shown masked and kept as it is; the lawyer still changes the other fields, and an
admin and a lawyer who may see them edit it as before.
"""

import html

import pytest
from django.test import Client
from django.urls import reverse

from cases.forms.withheld import LOCKED_NOTE
from people.models import Person
from tests.factories import cite, make_crossing, make_person, make_proceeding, make_source
from tests.test_record_forms import fill, form_values
from tests.test_stale_edits import conflict_rows

pytestmark = pytest.mark.django_db

CONFIDENTIAL = Person.Visibility.CONFIDENTIAL
WITHHELD = "[name withheld]"
STALE = "Someone else saved this person after you opened the form"
FORM = "person-form"
THEIR_NAMES = [
    "Qaster Musakhanuly",
    "Musakhanuly",
    "Musakhauly",
    "Қастер Мұсақанұлы",
    "Мұсақанұлы",
    "Kaisha Akan",
    "Akan",
]
SUMMARY = "Crossed into Kazakhstan with Qaster Musakhanuly in 2018."
NOTES = "Мұсақанұлының айтуынша, Kaisha Akan saw them at the border."
ORIGIN = "Musakhauly's village, Mongolküre"


def names_in(body):
    """Which of their names the page spells, in any case, escaped or not."""
    text = html.unescape(body).casefold()
    return [name for name in THEIR_NAMES if name.casefold() in text]


@pytest.fixture
def alimuly(lawyer, other_lawyer):
    """``lawyer`` represents everyone, ``other_lawyer`` Alimuly alone."""
    alimuly = make_person(
        name="Murager Alimuly",
        lawyers=[lawyer, other_lawyer],
        variants=["Мұрагер Әлімұлы"],
        ethnicity="Kazakh",
        citizenship="China",
        place_of_origin=ORIGIN,
        public_summary=SUMMARY,
        internal_notes=NOTES,
    )
    qaster = make_person(
        name="Qaster Musakhanuly",
        visibility=CONFIDENTIAL,
        lawyers=[lawyer],
        variants=["Қастер Мұсақанұлы", "Musakhauly"],
    )
    kaisha = make_person(name="Kaisha Akan", visibility=CONFIDENTIAL, lawyers=[lawyer])
    make_proceeding(persons=[alimuly, qaster])
    # Linked to Alimuly's case by a source alone.
    testimony = make_source(title="Testimonies from Zharkent")
    cite(make_crossing(alimuly), testimony)
    cite(make_crossing(kaisha), testimony)
    return alimuly


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def edit_url(person):
    return reverse("account:person-edit", kwargs={"ref": person.ref})


def saved(person):
    person.refresh_from_db()
    return person.public_summary, person.internal_notes, person.place_of_origin


def test_the_lawyer_reads_no_hidden_name_on_the_edit_page(other_lawyer, alimuly):
    page = signed_in(other_lawyer).get(edit_url(alimuly))

    assert page.status_code == 200
    body = html.unescape(page.content.decode())
    assert names_in(body) == []
    assert "Crossed into Kazakhstan with [name withheld] in 2018." in body
    assert f"{WITHHELD}'s village, Mongolküre" in body
    assert body.count(str(LOCKED_NOTE)) == 3
    # The person's own names are theirs: never withheld.
    assert "Murager Alimuly" in body
    assert "Мұрагер Әлімұлы" in body
    values = form_values(page, FORM)
    assert not {"public_summary", "internal_notes", "place_of_origin"} & set(values)
    assert values["name"] == ["Murager Alimuly"]
    assert values["ethnicity"] == ["Kazakh"]
    assert "Мұрагер Әлімұлы" in values["variants-0-name"]


def test_a_locked_text_is_kept_byte_for_byte_while_the_rest_saves(other_lawyer, alimuly):
    client = signed_in(other_lawyer)
    before = saved(alimuly)
    values = form_values(client.get(edit_url(alimuly)), FORM)

    response = client.post(
        edit_url(alimuly),
        fill(
            values,
            ethnicity="Kazakh (Ili)",
            public_summary="Crossed into Kazakhstan with [name withheld] in 2018.",
            internal_notes="",
            place_of_origin="Ghulja",
        ),
    )

    assert response.status_code == 302
    assert saved(alimuly) == before
    assert alimuly.ethnicity == "Kazakh (Ili)"
    assert list(alimuly.variants.values_list("name", flat=True)) == ["Мұрагер Әлімұлы"]


@pytest.mark.parametrize("editor", ["admin_user", "lawyer"])
def test_who_may_see_them_reads_and_edits_the_texts_as_typed(request, alimuly, editor):
    client = signed_in(request.getfixturevalue(editor))
    page = client.get(edit_url(alimuly))
    body = html.unescape(page.content.decode())
    assert WITHHELD not in body
    assert str(LOCKED_NOTE) not in body
    values = form_values(page, FORM)
    assert values["public_summary"] == [SUMMARY]
    assert values["internal_notes"] == [NOTES]
    assert values["place_of_origin"] == [ORIGIN]

    changed = "Crossed with Qaster Musakhanuly; Kaisha Akan testified."
    response = client.post(edit_url(alimuly), fill(values, public_summary=changed))

    assert response.status_code == 302
    assert saved(alimuly) == (changed, NOTES, ORIGIN)


def test_the_admin_still_reviews_the_texts_before_narrowing(admin_user, alimuly):
    """The narrowing review of the person form works as before on the lawyer pages."""
    make_crossing(make_person(name="Sairagul Sauytbay"), reason="Fled with Murager Alimuly.")
    client = signed_in(admin_user)
    values = form_values(client.get(edit_url(alimuly)), FORM)

    asked = client.post(edit_url(alimuly), fill(values, visibility=CONFIDENTIAL))
    assert asked.status_code == 200
    assert "Fled with Murager Alimuly." in html.unescape(asked.content.decode())
    alimuly.refresh_from_db()
    assert alimuly.visibility == Person.Visibility.PUBLIC

    confirmed = client.post(edit_url(alimuly), fill(form_values(asked, FORM), names_reviewed="on"))
    assert confirmed.status_code == 302
    alimuly.refresh_from_db()
    assert alimuly.visibility == CONFIDENTIAL
    assert saved(alimuly) == (SUMMARY, NOTES, ORIGIN)


def test_a_stale_save_shows_the_new_text_masked_and_keeps_it(admin_user, other_lawyer, alimuly):
    Person.objects.filter(pk=alimuly.pk).update(public_summary="Crossed into Kazakhstan in 2018.")
    mine = signed_in(other_lawyer)
    opened = form_values(mine.get(edit_url(alimuly)), FORM)
    assert opened["public_summary"] == ["Crossed into Kazakhstan in 2018."]

    admin = signed_in(admin_user)
    values = form_values(admin.get(edit_url(alimuly)), FORM)
    assert admin.post(edit_url(alimuly), fill(values, public_summary=SUMMARY)).status_code == 302

    refused = mine.post(
        edit_url(alimuly),
        fill(opened, public_summary="Crossed in May 2018.", ethnicity="Kazakh (Ili)"),
    )

    assert refused.status_code == 409
    body = html.unescape(refused.content.decode())
    assert STALE in body
    assert names_in(body) == []
    rows = [tuple(map(html.unescape, row)) for row in conflict_rows(refused)]
    assert (
        "Public summary",
        "Crossed into Kazakhstan with [name withheld] in 2018.",
        "Crossed in May 2018.",
    ) in rows
    again = form_values(refused, FORM)
    assert "public_summary" not in again  # locked from now on: it names him

    assert mine.post(edit_url(alimuly), again).status_code == 302
    assert saved(alimuly) == (SUMMARY, NOTES, ORIGIN)
    assert alimuly.ethnicity == "Kazakh (Ili)"


def test_a_stale_save_confirms_no_guess_of_a_locked_text(other_lawyer, alimuly):
    """A guess typed into a locked text and sent with an old version is compared with the
    masked text, never with the saved one: a right guess and a wrong one read alike."""
    client = signed_in(other_lawyer)
    values = form_values(client.get(edit_url(alimuly)), FORM)
    shown = {}
    for guess in (SUMMARY, "Crossed into Kazakhstan with Qaster Sauytbay in 2018."):
        refused = client.post(
            edit_url(alimuly), fill(values, version="0" * 24, public_summary=guess)
        )
        assert refused.status_code == 409
        rows = [tuple(map(html.unescape, row)) for row in conflict_rows(refused)]
        shown[guess] = [(label, was) for label, was, typed in rows if typed == guess]
    assert shown[SUMMARY] == [
        ("Public summary", "Crossed into Kazakhstan with [name withheld] in 2018.")
    ]
    assert shown[SUMMARY] == shown["Crossed into Kazakhstan with Qaster Sauytbay in 2018."]
    assert saved(alimuly) == (SUMMARY, NOTES, ORIGIN)


def test_a_new_person_has_nothing_locked(other_lawyer, alimuly):
    page = signed_in(other_lawyer).get(reverse("account:person-create"))
    assert page.status_code == 200
    assert str(LOCKED_NOTE) not in html.unescape(page.content.decode())
    assert {"public_summary", "internal_notes", "place_of_origin"} <= set(form_values(page, FORM))
