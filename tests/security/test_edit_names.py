"""The hostile review of the lawyer's forms: names in the texts a lawyer edits.

A lawyer who manages Murager Alimuly but may not see his confidential co-defendant Qaster
Musakhanuly (or Kaisha Akan, who shares only a source with the case) opened the forms of
Alimuly's records and read their names: in quotes, in texts typed into the records, in the
labels of the sources and proceedings offered, on the delete confirmation. Such a text is now
shown masked and cannot be changed by that lawyer; an admin and a lawyer who may see them
edit it as before. And a formset that says it holds a negative number of rows is refused.
"""

import html
import re
from dataclasses import dataclass

import pytest
from django.test import Client
from django.urls import reverse

from cases.forms.withheld import LOCKED_NOTE
from cases.models import BorderCrossing, Citation, Event, Hearing, Proceeding, Ruling
from people.models import Person
from tests.factories import (
    cite,
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_source,
    make_status,
)
from tests.test_record_forms import date_parts, fill, form_values
from tests.test_stale_edits import STALE, conflict_rows

pytestmark = pytest.mark.django_db

CONFIDENTIAL = Person.Visibility.CONFIDENTIAL
WITHHELD = "[name withheld]"
# Their names, a distinctive part alone, the variants, and what would spell them in a link.
THEIR_NAMES = [
    "Qaster Musakhanuly",
    "Musakhanuly",
    "Musakhauly",
    "Қастер Мұсақанұлы",
    "Мұсақанұлы",
    "Kaisha Akan",
    "Akan",
]


def names_in(body):
    """Which of their names the page spells, in any case, escaped or not."""
    text = html.unescape(body).casefold()
    return [name for name in THEIR_NAMES if name.casefold() in text]


@dataclass
class Case:
    public: Person
    hidden: Person
    crossing: BorderCrossing
    quote_naming_him: Citation
    plain_quote: Citation
    detention: object
    own_proceeding: Proceeding
    participant: object
    hearing: Hearing
    shared_proceeding: Proceeding
    ruling: Ruling
    status: object
    quote_naming_her: Citation
    own_event: Event
    shared_event: Event
    her_source: object
    his_source: object


@pytest.fixture
def case(lawyer, other_lawyer):
    """Alimuly's case: ``lawyer`` represents everyone, ``other_lawyer`` Alimuly alone."""
    public = make_person(name="Murager Alimuly", lawyers=[lawyer, other_lawyer])
    hidden = make_person(
        name="Qaster Musakhanuly",
        visibility=CONFIDENTIAL,
        lawyers=[lawyer],
        variants=["Қастер Мұсақанұлы", "Musakhauly"],
    )
    # Linked to Alimuly's case by a source alone.
    her = make_person(name="Kaisha Akan", visibility=CONFIDENTIAL, lawyers=[lawyer])
    bystander = make_person(name="Sairagul Sauytbay")

    his_source = make_source(
        title="Musakhanuly and Alimuly sentenced",
        date_note="Printed after Qaster Musakhanuly's release.",
        url="https://example.org/qaster-musakhanuly-sentenced",
    )
    her_source = make_source(title="Kaisha Akan's testimony", publisher="Azattyq")
    # Masked, its label reads as hers: only the id tells them apart.
    his_testimony = make_source(title="Qaster Musakhanuly's testimony", publisher="Azattyq")
    cite(make_crossing(bystander), make_source(title="Court verdict", publisher="Zharkent court"))
    cite(make_detention(hidden), his_source)
    cite(make_crossing(her), her_source)
    cite(make_crossing(bystander), her_source)
    cite(make_crossing(bystander), his_testimony)
    cite(make_detention(hidden), his_testimony)

    crossing = make_crossing(public, place="Khorgos", reason="Fled with Qaster Musakhanuly.")
    quote_naming_him = cite(
        crossing, his_source, quote="Alimuly crossed with Qaster Musakhanuly at night."
    )
    plain_quote = cite(crossing, quote="Alimuly crossed at night.")
    detention = make_detention(
        public, place="Zharkent", description="Мұсақанұлының айтуынша, they were held together."
    )
    own_proceeding = make_proceeding(
        persons=[public],
        authority=make_authority(name="Almaty city court"),
        description="Severed from the case of Musakhauly.",
    )
    participant = own_proceeding.participants.create(
        role="judge", name="A. Judge", note="Also heard Qaster Musakhanuly's case."
    )
    hearing = make_hearing(own_proceeding, title="First session", summary="Musakhanuly testified.")
    shared_proceeding = make_proceeding(
        persons=[public, hidden],
        authority=make_authority(name="Zharkent district court"),
        case_number="2-77/2019 Musakhanuly",
        description="Joint trial of Alimuly and Qaster Musakhanuly.",
    )
    ruling = make_ruling(
        shared_proceeding, public, summary="Sentenced together with Qaster Musakhanuly."
    )
    status = make_status(
        public, proceeding=shared_proceeding, note="Granted after Musakhanuly's testimony."
    )
    quote_naming_her = cite(status, her_source, quote="Kaisha Akan confirmed the decision.")
    own_event = make_event(
        persons=[public],
        title="Alimuly speaks on Musakhanuly's trial",
        place="Almaty",
        description="He spoke for Qaster Musakhanuly too.",
    )
    shared_event = make_event(
        persons=[public, hidden], title="Musakhanuly and Alimuly speak in Almaty"
    )
    return Case(
        public=public,
        hidden=hidden,
        crossing=crossing,
        quote_naming_him=quote_naming_him,
        plain_quote=plain_quote,
        detention=detention,
        own_proceeding=own_proceeding,
        participant=participant,
        hearing=hearing,
        shared_proceeding=shared_proceeding,
        ruling=ruling,
        status=status,
        quote_naming_her=quote_naming_her,
        own_event=own_event,
        shared_event=shared_event,
        her_source=her_source,
        his_source=his_source,
    )


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def edit_url(kind, case, record):
    return reverse(f"edit:{kind}-edit", kwargs={"ref": case.public.ref, "pk": record.pk})


def delete_url(kind, case, record):
    return reverse(f"edit:{kind}-delete", kwargs={"ref": case.public.ref, "pk": record.pk})


def editable(case):
    """The records of Alimuly's case whose form his lawyer may open, by kind."""
    return [
        ("crossing", case.crossing),
        ("detention", case.detention),
        ("proceeding", case.own_proceeding),
        ("hearing", case.hearing),
        ("ruling", case.ruling),
        ("status", case.status),
        ("event", case.own_event),
    ]


def datalist(body):
    block = body.split('<datalist id="source-options">', 1)[1].split("</datalist>", 1)[0]
    return [html.unescape(value) for value in re.findall(r'<option value="([^"]*)">', block)]


def errors_in(response):
    """The messages of a form that was refused, to tell why."""
    return re.findall(r"(?:errorlist|form-error)[^>]*>(.*?)</", response.content.decode(), re.S)


def row_of(values, prefix, record):
    """The index of the formset row of ``record`` among the posted ``values``."""
    for name, items in values.items():
        if name.startswith(f"{prefix}-") and name.endswith("-id") and items == [str(record.pk)]:
            return int(name.split("-")[1])
    raise AssertionError(f"no row of {record!r}")


# --- What the pages show -----------------------------------------------------------------------


def test_no_edit_page_names_them_to_a_lawyer_who_may_not_see_them(case, other_lawyer):
    client = signed_in(other_lawyer)
    for kind, record in editable(case):
        response = client.get(edit_url(kind, case, record))
        assert response.status_code == 200, kind
        body = response.content.decode()
        assert names_in(body) == [], kind
        assert WITHHELD in body, kind
        assert str(LOCKED_NOTE) in html.unescape(body), kind
        assert "Murager Alimuly" in body


def test_no_delete_page_names_them(case, other_lawyer):
    client = signed_in(other_lawyer)
    records = [*editable(case), ("proceeding", case.shared_proceeding)]
    records.append(("event", case.shared_event))
    for kind, record in records:
        response = client.get(delete_url(kind, case, record))
        assert response.status_code == 200, kind
        assert names_in(response.content.decode()) == [], kind
    shared = client.get(delete_url("event", case, case.shared_event)).content.decode()
    assert f"{WITHHELD} and Alimuly speak in Almaty" in shared
    proceeding = client.get(delete_url("proceeding", case, case.shared_proceeding))
    assert f"2-77/2019 {WITHHELD}" in proceeding.content.decode()


def test_no_add_page_names_them_and_every_source_is_offered_masked(case, other_lawyer):
    client = signed_in(other_lawyer)
    for kind in ("crossing", "detention", "proceeding", "hearing", "ruling", "status", "event"):
        response = client.get(reverse(f"edit:{kind}-add", kwargs={"ref": case.public.ref}))
        assert response.status_code == 200, kind
        body = response.content.decode()
        assert names_in(body) == [], kind
        options = datalist(body)
        assert f"Azattyq — {WITHHELD}'s testimony — 30 October 2020 [#{case.her_source.pk}]" in (
            options
        )
        assert any(option.startswith("Zharkent court — Court verdict") for option in options)
    source_page = client.get(reverse("edit:source-add", kwargs={"ref": case.public.ref}))
    assert source_page.status_code == 200
    assert names_in(source_page.content.decode()) == []


def test_the_texts_that_name_them_are_shown_read_only_and_masked(case, other_lawyer):
    client = signed_in(other_lawyer)
    response = client.get(edit_url("crossing", case, case.crossing))
    values = form_values(response)
    assert "reason" not in values
    assert values["place"] == ["Khorgos"]
    body = response.content.decode()
    assert f"Fled with {WITHHELD}." in body
    assert f"Alimuly crossed with {WITHHELD} at night." in body
    row = row_of(values, "citations", case.quote_naming_him)
    assert f"citations-{row}-quote" not in values
    assert values[f"citations-{row}-source"] == [
        f"RFE/RL — {WITHHELD} and Alimuly sentenced — 30 October 2020 [#{case.his_source.pk}]"
    ]
    plain = row_of(values, "citations", case.plain_quote)
    assert values[f"citations-{plain}-quote"] == ["Alimuly crossed at night."]


# --- What a save keeps -------------------------------------------------------------------------

# kind, the record in the case, the texts that name them, a change to another field.
LOCKED_EDITS = [
    ("crossing", "crossing", ["reason"], {"place": "Nur Zholy"}),
    ("detention", "detention", ["description"], {"place": "Almaty"}),
    ("proceeding", "own_proceeding", ["description"], {"charge": "crossing the border"}),
    ("hearing", "hearing", ["summary"], {"place": "Almaty"}),
    ("ruling", "ruling", ["summary"], {"outcome": "acquitted"}),
    ("status", "status", ["note"], {"outcome": "extended"}),
    ("event", "own_event", ["title", "description"], {"place": "Astana"}),
]


@pytest.mark.parametrize(("kind", "attribute", "locked", "change"), LOCKED_EDITS)
def test_a_post_that_rewrites_a_locked_text_keeps_it_byte_for_byte(
    case, other_lawyer, kind, attribute, locked, change
):
    record = getattr(case, attribute)
    before = {name: getattr(record, name) for name in locked}
    client = signed_in(other_lawyer)
    url = edit_url(kind, case, record)
    values = form_values(client.get(url))
    assert not set(locked) & set(values)
    forged = dict.fromkeys(locked, f"Rewritten {WITHHELD}")

    response = client.post(url, fill(values, **change, **forged))

    assert response.status_code == 302, errors_in(response)
    record.refresh_from_db()
    assert {name: getattr(record, name) for name in locked} == before
    for name, value in change.items():
        assert str(getattr(record, name)) == value


def test_a_locked_quote_is_kept_while_its_citation_and_the_record_change(case, other_lawyer):
    client = signed_in(other_lawyer)
    url = edit_url("crossing", case, case.crossing)
    values = form_values(client.get(url))
    row = row_of(values, "citations", case.quote_naming_him)
    plain = row_of(values, "citations", case.plain_quote)

    response = client.post(
        url,
        fill(
            values,
            place="Nur Zholy",
            **{
                f"citations-{row}-quote": f"Alimuly crossed with {WITHHELD}.",
                f"citations-{row}-confidence": "low",
                f"citations-{plain}-quote": "Alimuly crossed on foot.",
            },
        ),
    )

    assert response.status_code == 302
    case.quote_naming_him.refresh_from_db()
    case.plain_quote.refresh_from_db()
    assert case.quote_naming_him.quote == "Alimuly crossed with Qaster Musakhanuly at night."
    assert case.quote_naming_him.confidence == "low"
    assert case.quote_naming_him.source == case.his_source
    assert case.plain_quote.quote == "Alimuly crossed on foot."


def test_a_locked_participant_note_is_kept(case, other_lawyer):
    client = signed_in(other_lawyer)
    url = edit_url("proceeding", case, case.own_proceeding)
    values = form_values(client.get(url))
    row = row_of(values, "participants", case.participant)
    assert f"participants-{row}-note" not in values

    response = client.post(
        url,
        fill(
            values,
            **{
                f"participants-{row}-note": "Rewritten.",
                f"participants-{row}-name": "B. Judge",
            },
        ),
    )

    assert response.status_code == 302
    case.participant.refresh_from_db()
    assert case.participant.note == "Also heard Qaster Musakhanuly's case."
    assert case.participant.name == "B. Judge"


def test_a_source_offered_with_a_name_withheld_is_cited_by_its_label(case, other_lawyer):
    client = signed_in(other_lawyer)
    url = edit_url("crossing", case, case.crossing)
    page = client.get(url)
    masked = f"Azattyq — {WITHHELD}'s testimony — 30 October 2020 [#"
    alike = [option for option in datalist(page.content.decode()) if option.startswith(masked)]
    assert len(alike) == 2
    label = f"{masked}{case.her_source.pk}]"
    assert label in alike
    values = form_values(page)
    extra = int(values["citations-TOTAL_FORMS"][0]) - 1

    response = client.post(url, fill(values, **{f"citations-{extra}-source": label}))

    assert response.status_code == 302
    assert case.crossing.citations.filter(source=case.her_source).exists()
    assert not case.crossing.citations.filter(source__title__startswith="Qaster").exists()


def test_a_title_typed_with_their_name_is_not_recognised(case, other_lawyer):
    """A title typed whole picks its source; one shown with a name withheld would confirm a
    guess of the name: it is not on record, as far as that lawyer can tell."""
    client = signed_in(other_lawyer)
    url = edit_url("crossing", case, case.crossing)
    values = form_values(client.get(url))
    extra = int(values["citations-TOTAL_FORMS"][0]) - 1
    before = Citation.objects.count()

    guessed = client.post(
        url, fill(values, **{f"citations-{extra}-source": "Kaisha Akan's testimony"})
    )
    plain = client.post(url, fill(values, **{f"citations-{extra}-source": "court verdict"}))

    assert guessed.status_code == 200
    assert any("There is no such source on record." in error for error in errors_in(guessed))
    assert plain.status_code == 302
    assert Citation.objects.count() == before + 1


def test_a_stale_save_shows_a_newly_named_text_masked_and_then_keeps_it(
    case, other_lawyer, admin_user
):
    url = edit_url("crossing", case, case.crossing)
    mine = signed_in(other_lawyer)
    opened = form_values(mine.get(url))
    theirs = signed_in(admin_user)
    named = "Met Qaster Musakhanuly at Nur Zholy"
    assert theirs.post(url, fill(form_values(theirs.get(url)), place=named)).status_code == 302

    refused = mine.post(url, fill(opened, place="Kalzhat", to_country="Kyrgyzstan"))

    assert refused.status_code == 409
    body = refused.content.decode()
    assert STALE in body
    assert names_in(body) == []
    assert ("Place", f"Met {WITHHELD} at Nur Zholy", "Kalzhat") in conflict_rows(refused)
    again = form_values(refused)
    assert "place" not in again  # locked from now on: it names him
    assert again["to_country"] == ["Kyrgyzstan"]

    assert mine.post(url, again).status_code == 302
    case.crossing.refresh_from_db()
    assert case.crossing.place == named
    assert case.crossing.to_country == "Kyrgyzstan"


@pytest.mark.parametrize("reader", ["admin_user", "lawyer"])
def test_who_may_see_them_reads_and_edits_the_texts_as_typed(request, case, reader):
    client = signed_in(request.getfixturevalue(reader))
    url = edit_url("crossing", case, case.crossing)
    page = client.get(url)
    body = page.content.decode()
    assert WITHHELD not in body
    assert str(LOCKED_NOTE) not in html.unescape(body)
    assert any("Musakhanuly and Alimuly sentenced" in option for option in datalist(body))
    values = form_values(page)
    assert values["reason"] == ["Fled with Qaster Musakhanuly."]
    row = row_of(values, "citations", case.quote_naming_him)
    assert values[f"citations-{row}-quote"] == ["Alimuly crossed with Qaster Musakhanuly at night."]

    response = client.post(
        url,
        fill(
            values,
            reason="Fled with Qaster Musakhanuly in October.",
            **{f"citations-{row}-quote": "Qaster Musakhanuly and Alimuly crossed."},
        ),
    )

    assert response.status_code == 302
    case.crossing.refresh_from_db()
    case.quote_naming_him.refresh_from_db()
    assert case.crossing.reason == "Fled with Qaster Musakhanuly in October."
    assert case.quote_naming_him.quote == "Qaster Musakhanuly and Alimuly crossed."
    delete_page = client.get(delete_url("event", case, case.shared_event)).content.decode()
    assert "Musakhanuly and Alimuly speak in Almaty" in delete_page


# --- Rows a formset says it holds --------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "count"),
    [
        ("crossing", {"citations-TOTAL_FORMS": "-5"}),
        ("crossing", {"citations-INITIAL_FORMS": "-1"}),
        ("proceeding", {"participants-TOTAL_FORMS": "-1"}),
    ],
)
def test_a_negative_count_of_rows_is_refused_and_nothing_is_saved(lawyer, kind, count):
    person = make_person(name="Murager Alimuly", lawyers=[lawyer])
    if kind == "crossing":
        record = make_crossing(person, place="Khorgos")
        cite(record, quote="Crossed at night.")
        change = {"place": "Nur Zholy"}
    else:
        record = make_proceeding(persons=[person], charge="illegal border crossing")
        record.participants.create(role="judge", name="A. Judge")
        change = {"charge": "crossing the border"}
    client = signed_in(lawyer)
    url = reverse(f"edit:{kind}-edit", kwargs={"ref": person.ref, "pk": record.pk})
    values = form_values(client.get(url))
    citations = list(Citation.objects.values_list("pk", "quote"))
    participants = list(record.participants.values_list("pk", "name") if kind != "crossing" else [])
    changed_row = (
        {"citations-0-quote": "Changed."}
        if kind == "crossing"
        else {"participants-0-name": "B. Judge"}
    )

    response = client.post(url, fill(values, **change, **changed_row, **count))

    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert "Nothing was saved." in body
    assert "a negative number of rows" in body
    old = type(record).objects.get(pk=record.pk)
    for name in change:
        assert getattr(old, name) == getattr(record, name)
    assert list(Citation.objects.values_list("pk", "quote")) == citations
    if kind != "crossing":
        assert list(record.participants.values_list("pk", "name")) == participants


def test_a_new_record_with_a_negative_count_of_citations_is_not_added(lawyer):
    person = make_person(lawyers=[lawyer])
    client = signed_in(lawyer)
    url = reverse("edit:crossing-add", kwargs={"ref": person.ref})
    values = form_values(client.get(url))
    typed = {
        **date_parts("date", 2018, 5),
        "from_country": "China",
        "to_country": "Kazakhstan",
        "citations-TOTAL_FORMS": "-5",
    }

    response = client.post(url, fill(values, **typed))

    assert response.status_code == 200
    assert "a negative number of rows" in html.unescape(response.content.decode())
    assert not BorderCrossing.objects.exists()


def test_a_stale_save_confirms_no_guess_of_a_locked_text(case, other_lawyer):
    """A guess typed into a locked text and sent with an old version is compared with the
    masked text, never with the saved one: a right guess and a wrong one read alike."""
    url = edit_url("crossing", case, case.crossing)
    client = signed_in(other_lawyer)
    values = form_values(client.get(url))
    shown = {}
    for guess in ("Fled with Qaster Musakhanuly.", "Fled with Qaster Sauytbay."):
        refused = client.post(url, fill(values, version="2001-01-01T00:00:00+00:00", reason=guess))
        assert refused.status_code == 409
        shown[guess] = [
            (label, was) for label, was, typed in conflict_rows(refused) if typed == guess
        ]
    assert shown["Fled with Qaster Musakhanuly."] == [("Why", f"Fled with {WITHHELD}.")]
    assert shown["Fled with Qaster Musakhanuly."] == shown["Fled with Qaster Sauytbay."]
    case.crossing.refresh_from_db()
    assert case.crossing.reason == "Fled with Qaster Musakhanuly."
