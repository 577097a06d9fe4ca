"""The hostile review of the admin: a hidden person's name in typed text, as a lawyer edits.

Aisulu Ashyqkyzy is public and her lawyer works in the admin; Bekzat Zhasyrynuly is
confidential, her co-defendant in one proceeding, and her lawyer does not represent him. Her
records name him: the reason of her crossing, a citation's quote, a participant's note and a
hearing's summary of her own proceeding, the titles and addresses of sources. Her lawyer must
find his name on no page of the admin (change, add, delete, lists, inline rows), may not edit a
text that names him (which is saved as it was, whatever is posted), and may not find it by
searching. Admins see and edit everything.
"""

import re
from urllib.parse import quote, quote_plus

import pytest
from django.urls import reverse

from cases.models import BorderCrossing, Citation, Hearing, Participant, Source
from casetracker.admin_access import LOCKED_HELP
from casetracker.dates import Precision
from people.models import Person

from ..factories import (
    cite,
    make_crossing,
    make_detention,
    make_hearing,
    make_person,
    make_proceeding,
    make_source,
)

HIS_NAME = "Bekzat Zhasyrynuly"
HER_NAME = "Aisulu Ashyqkyzy"

REASON = "  Crossed at night with Bekzat Zhasyrynuly, who knew the river.\r\n"
QUOTE = "Zhasyrynuly and Ashyqkyzy waded across the river near Khorgos."
NOTE = "Also defended Жасырынұлы at the first hearing."
SUMMARY = "The court heard Zhasyrynuly's account first."
DESCRIPTION = "Her own case, opened after Zhasyrynuly's arrest."
TITLE = "Two refugees tried: Zhasyrynuly and a woman from Zhaisang"
ADDRESS = "https://example.org/news/bekzat-zhasyrynuly-tried"


def names_in(text):
    """His name as it may be read: its distinctive word in any case (an address spells it in
    lower case), in Latin or Cyrillic (his name variant)."""
    return [name for name in ("zhasyrynuly", "жасырын") if name in text.lower()]


@pytest.fixture
def case(lawyer, other_lawyer):
    her = make_person(name=HER_NAME, lawyers=[lawyer])
    her.public_summary = f"Crossed into Kazakhstan with {HIS_NAME} in 2018."
    her.save()
    him = make_person(
        name=HIS_NAME,
        visibility=Person.Visibility.CONFIDENTIAL,
        lawyers=[other_lawyer],
        variants=["Бекзат Жасырынұлы"],
    )
    # A source only her records cite (her lawyer edits it), one cited for both of them.
    own_source = make_source(title=TITLE, url=ADDRESS)
    shared_source = make_source(
        title=f"{HIS_NAME} sentenced",
        publisher="Azattyq",
        url="https://example.org/bekzat-zhasyrynuly-sentenced",
    )
    crossing = make_crossing(her, place="Khorgos", reason=REASON)
    citation = cite(crossing, own_source, quote=QUOTE, confidence=Citation.Confidence.MEDIUM)
    cite(crossing, shared_source, quote="Two crossed.")
    cite(make_detention(him), shared_source)
    own = make_proceeding(persons=[her], case_number="2-117/2019", description=DESCRIPTION)
    participant = Participant.objects.create(
        proceeding=own, name="Aiman Zhunusova", role=Participant.Role.DEFENCE, note=NOTE
    )
    hearing = make_hearing(own, title="First session", summary=SUMMARY)
    shared = make_proceeding(persons=[her, him], case_number="2-118/2019")
    make_hearing(shared, title="Joint session", summary=f"{HIS_NAME} pleaded guilty.")
    return {
        "her": her,
        "him": him,
        "own_source": own_source,
        "shared_source": shared_source,
        "crossing": crossing,
        "citation": citation,
        "own": own,
        "participant": participant,
        "hearing": hearing,
        "shared": shared,
    }


def admin_url(model, view, *args):
    meta = model._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=args)


def pages(case):
    """Every admin page of her case that the review walked."""
    for key in ("crossing", "citation", "own", "participant", "hearing", "shared", "her"):
        obj = case[key]
        yield admin_url(type(obj), "change", obj.pk)
        yield admin_url(type(obj), "changelist")
    for key in ("own_source", "shared_source"):
        yield admin_url(Source, "change", case[key].pk)
    yield admin_url(Source, "changelist")
    for key in ("crossing", "citation", "own", "participant", "hearing"):
        obj = case[key]
        yield admin_url(type(obj), "delete", obj.pk)


def form_data(response):
    """The POST data of a rendered admin change form, inline rows included, as a browser sends
    it: a disabled field is not sent."""
    data = {}

    def add(form):
        for name, field in form.fields.items():
            value = form[name].value()
            if field.disabled or value is None or value is False:
                continue
            if value is True:
                value = "on"
            elif isinstance(value, list | tuple):
                value = [str(item) for item in value]
            data[form.add_prefix(name)] = value if isinstance(value, list) else str(value)

    add(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            data[management.add_prefix(name)] = str(management[name].value() or 0)
        data[management.add_prefix("TOTAL_FORMS")] = str(len(formset.initial_forms))
        for form in formset.initial_forms:
            add(form)
    return data


def inline_prefix(response, model):
    for inline in response.context["inline_admin_formsets"]:
        if inline.formset.model is model:
            return inline.formset.prefix
    raise AssertionError(f"no inline of {model.__name__}")


# What the lawyer reads ----------------------------------------------------------------------


def test_no_admin_page_of_her_case_names_him_to_her_lawyer(client, lawyer, case):
    client.force_login(lawyer)
    shown = []
    for url in pages(case):
        response = client.get(url)
        assert response.status_code == 200, url
        shown += [(url, name) for name in names_in(response.content.decode())]
    assert shown == []


def test_an_admin_reads_his_name_everywhere(client, admin_user, case):
    client.force_login(admin_user)
    change_pages = [url for url in pages(case) if url.endswith("/change/")]
    missing = [url for url in change_pages if not names_in(client.get(url).content.decode())]
    assert missing == []


def test_her_lawyers_change_form_locks_the_texts_that_name_him(client, lawyer, case):
    client.force_login(lawyer)
    crossing = case["crossing"]
    response = client.get(admin_url(type(crossing), "change", crossing.pk))
    assert response.context["has_change_permission"]
    form = response.context["adminform"].form
    assert form.fields["reason"].disabled
    assert not form.fields["place"].disabled
    text = response.content.decode()
    assert "Crossed at night with [name withheld], who knew the river." in text
    assert str(LOCKED_HELP) in text
    # The citation's row: its quote locked, its source shown by a title without his name.
    rows = next(
        inline.formset
        for inline in response.context["inline_admin_formsets"]
        if inline.formset.model is Citation
    )
    quotes = {form.instance.pk: form.fields["quote"].disabled for form in rows.initial_forms}
    assert quotes[case["citation"].pk] is True
    assert list(quotes.values()).count(False) == 1  # "Two crossed." names no one
    assert "[name withheld] and Ashyqkyzy waded across the river" in text
    assert "Two refugees tried: [name withheld] and a woman from Zhaisang" in text


def test_a_locked_address_is_withheld_whole(client, lawyer, case):
    client.force_login(lawyer)
    source = case["own_source"]
    response = client.get(admin_url(Source, "change", source.pk))
    assert response.context["has_change_permission"]
    form = response.context["adminform"].form
    assert form.fields["url"].disabled and form.fields["title"].disabled
    assert not form.fields["publisher"].disabled
    assert "example.org/news" not in response.content.decode()


def test_a_failed_add_names_him_nowhere(client, lawyer, case):
    """The form shown again after a failed save: the source chosen in a citation row is
    labelled by its title, which names him."""
    client.force_login(lawyer)
    url = admin_url(type(case["crossing"]), "add")
    prefix = inline_prefix(client.get(url), Citation)
    data = {
        "person": str(case["her"].pk),
        "date": "2018-05-01",
        "date_precision": Precision.MONTH,
        "from_country": "",  # required: the save fails
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
        "reason": "To join her family.",
        f"{prefix}-TOTAL_FORMS": "1",
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-0-source": str(case["shared_source"].pk),
        f"{prefix}-0-quote": "As the article reports.",
        f"{prefix}-0-confidence": "high",
    }

    response = client.post(url, data)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors
    text = response.content.decode()
    assert names_in(text) == []
    assert "[name withheld] sentenced" in text
    assert "To join her family." in text and "As the article reports." in text


def test_a_failed_save_shows_back_what_the_lawyer_typed(client, lawyer, case):
    """A word the lawyer typed is theirs: masking it would tell them it is the name of someone
    hidden, and saving the form again would write "[name withheld]" over it."""
    client.force_login(lawyer)
    crossing = case["crossing"]
    url = admin_url(type(crossing), "change", crossing.pk)
    data = form_data(client.get(url))
    data.update({"place": "near Zhasyrynuly's village", "from_country": ""})

    response = client.post(url, data)

    assert response.status_code == 200 and response.context["adminform"].form.errors
    text = response.content.decode()
    assert 'value="near Zhasyrynuly&#x27;s village"' in text
    assert "Crossed at night with [name withheld]" in text
    assert "Crossed at night with Bekzat" not in text


def test_the_delete_confirmations_name_him_nowhere(client, lawyer, case):
    client.force_login(lawyer)
    crossing = case["crossing"]
    response = client.get(admin_url(type(crossing), "delete", crossing.pk))
    assert "Two refugees tried: [name withheld]" in response.content.decode()
    data = {"action": "delete_selected", "_selected_action": [str(crossing.pk)]}

    response = client.post(admin_url(type(crossing), "changelist"), data)

    text = response.content.decode()
    assert "Are you sure" in text and names_in(text) == []
    assert "[name withheld] sentenced" in text


# What a save writes -------------------------------------------------------------------------


def test_a_post_changes_no_locked_text_and_saves_the_rest(client, lawyer, case):
    client.force_login(lawyer)
    crossing, citation = case["crossing"], case["citation"]
    url = admin_url(type(crossing), "change", crossing.pk)
    response = client.get(url)
    prefix = inline_prefix(response, Citation)
    row = next(
        index
        for index, form in enumerate(
            next(
                inline.formset
                for inline in response.context["inline_admin_formsets"]
                if inline.formset.model is Citation
            ).initial_forms
        )
        if form.instance.pk == citation.pk
    )
    data = form_data(response)
    data.update(
        {
            "reason": "Crossed at night with [name withheld], who knew the river.",
            "place": "Zharkent",
            f"{prefix}-{row}-quote": "Rewritten by a client that ignores disabled fields.",
            f"{prefix}-{row}-confidence": "low",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    crossing.refresh_from_db()
    citation.refresh_from_db()
    assert crossing.reason == REASON  # byte for byte: not stripped, not masked
    assert crossing.place == "Zharkent"
    assert citation.quote == QUOTE
    assert citation.confidence == Citation.Confidence.LOW


def test_a_proceedings_rows_keep_their_locked_texts(client, lawyer, case):
    client.force_login(lawyer)
    own, participant, hearing = case["own"], case["participant"], case["hearing"]
    url = admin_url(type(own), "change", own.pk)
    response = client.get(url)
    assert response.context["has_change_permission"]
    assert names_in(response.content.decode()) == []
    data = form_data(response)
    participants, hearings = inline_prefix(response, Participant), inline_prefix(response, Hearing)
    data.update(
        {
            "description": "Rewritten",
            "charge": "illegal crossing of the state border",
            f"{participants}-0-note": "Rewritten",
            f"{participants}-0-name": "Aiman Zhunusova-Beisen",
            f"{hearings}-0-summary": "Rewritten",
            f"{hearings}-0-place": "Zharkent",
        }
    )

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    own.refresh_from_db()
    participant.refresh_from_db()
    hearing.refresh_from_db()
    assert (own.description, participant.note, hearing.summary) == (DESCRIPTION, NOTE, SUMMARY)
    assert own.charge == "illegal crossing of the state border"
    assert participant.name == "Aiman Zhunusova-Beisen"
    assert hearing.place == "Zharkent"


def test_a_locked_address_and_title_are_kept_as_saved(client, lawyer, case):
    client.force_login(lawyer)
    source = case["own_source"]
    url = admin_url(Source, "change", source.pk)
    data = form_data(client.get(url))
    data.update({"title": "Rewritten", "url": "https://example.org/", "publisher": "Vlast.kz"})

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    source.refresh_from_db()
    assert (source.title, source.url, source.publisher) == (TITLE, ADDRESS, "Vlast.kz")
    # Her lawyer's recent actions on the index name the source by its title.
    text = client.get(reverse("admin:index")).content.decode()
    assert "Two refugees tried: [name withheld]" in text and names_in(text) == []


def test_a_revert_keeps_the_current_text_where_the_old_one_named_him(
    client, lawyer, admin_user, case
):
    """The old version of a hearing named him; the current one does not. Her lawyer is shown
    the old version with his name withheld and locked, and the revert keeps the current text."""
    hearing = case["hearing"]
    old = hearing.history.latest("history_id")
    hearing.summary, hearing.title = "The court heard the witnesses.", "Session one"
    hearing.save()
    client.force_login(lawyer)
    url = admin_url(Hearing, "simple_history", hearing.pk, old.history_id)
    response = client.get(url)
    assert response.status_code == 200
    assert response.context["adminform"].form.fields["summary"].disabled
    assert names_in(response.content.decode()) == []

    response = client.post(url, form_data(response))

    assert response.status_code == 302, response.context and response.context["errors"]
    hearing.refresh_from_db()
    assert (hearing.title, hearing.summary) == ("First session", "The court heard the witnesses.")


def test_an_admin_edits_every_text(client, admin_user, case):
    client.force_login(admin_user)
    crossing, citation = case["crossing"], case["citation"]
    url = admin_url(type(crossing), "change", crossing.pk)
    response = client.get(url)
    assert not response.context["adminform"].form.fields["reason"].disabled
    assert "Crossed at night with Bekzat Zhasyrynuly" in response.content.decode()
    assert str(LOCKED_HELP) not in response.content.decode()
    prefix = inline_prefix(response, Citation)
    data = form_data(response)
    row = next(key for key, value in data.items() if value == QUOTE).split("-")[-2]
    data.update({"reason": "Crossed with him.", f"{prefix}-{row}-quote": "They waded across."})

    response = client.post(url, data)

    assert response.status_code == 302, response.context and response.context["errors"]
    crossing.refresh_from_db()
    citation.refresh_from_db()
    assert (crossing.reason, citation.quote) == ("Crossed with him.", "They waded across.")


# What a search finds ------------------------------------------------------------------------

SEARCHES = [
    # (model key, a word only his name holds in its texts, a word they hold besides)
    ("citation", "Zhasyrynuly", "waded"),
    ("crossing", "Zhasyrynuly", "river"),
    ("own", "Zhasyrynuly", "opened"),
    ("participant", "Жасырынұлы", "hearing"),
    ("hearing", "Zhasyrynuly", "account"),
    ("own_source", "zhasyrynuly", "refugees"),
]


def result_count(client, model, term):
    response = client.get(admin_url(model, "changelist"), {"q": term})
    assert response.status_code == 200
    return response.context["cl"].result_count


@pytest.mark.parametrize(("key", "hidden", "shown"), SEARCHES)
def test_a_search_finds_nothing_by_his_name(client, lawyer, admin_user, case, key, hidden, shown):
    model = type(case[key])
    client.force_login(admin_user)
    assert result_count(client, model, hidden) >= 1
    client.force_login(lawyer)
    assert result_count(client, model, hidden) == 0
    assert result_count(client, model, shown) >= 1
    assert result_count(client, model, f"{shown} {hidden}") == 0


def test_a_citation_is_found_by_what_the_lawyer_reads_of_it(client, lawyer, case):
    """Her crossing's two citations (his detention's is not hers to see)."""
    client.force_login(lawyer)
    searches = {
        "Zhasyr": 0,  # a part of his name
        '"Bekzat Zhasyrynuly"': 0,
        '"Zhasyrynuly sentenced"': 0,
        "sentenced": 1,  # the shared source's title: "[name withheld] sentenced"
        "Azattyq": 1,
        "Two": 2,
    }
    assert {term: result_count(client, Citation, term) for term in searches} == searches


def test_a_search_finds_nothing_in_the_placeholder_of_a_name(client, lawyer, case):
    """ "[name withheld]" is not text: a word of it that only a hidden name holds finds nothing
    (else searching "held" would tell whose name holds it)."""
    make_person(name="Aliya Heldbekova", visibility=Person.Visibility.CONFIDENTIAL)
    hearing = case["hearing"]
    hearing.summary = "Heldbekova testified."
    hearing.save()
    client.force_login(lawyer)
    assert result_count(client, Hearing, "held") == 0
    assert result_count(client, Hearing, "testified") == 1


def normalised(response, term):
    """The page with the term searched (as typed, in a link, in a link within a link) and the
    per-request tokens replaced."""
    text = response.content.decode()
    for form in (term, quote_plus(term), quote(quote_plus(term))):
        text = text.replace(form, "TERM")
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r'nonce="[^"]*"', "", text)


@pytest.mark.parametrize("key", ["citation", "crossing", "own_source"])
def test_searching_his_name_reads_as_searching_a_word_found_nowhere(client, lawyer, case, key):
    client.force_login(lawyer)
    url = admin_url(type(case[key]), "changelist")
    for hidden in ("Zhasyrynuly", "Bekzat Zhasyrynuly"):
        his = client.get(url, {"q": hidden})
        nowhere = client.get(url, {"q": "Qwertyuiop"})
        assert normalised(his, hidden) == normalised(nowhere, "Qwertyuiop")
        assert f'value="{hidden}"' in his.content.decode()


def test_a_search_by_a_name_she_shares_with_no_one_hidden_still_finds_her(client, lawyer, case):
    client.force_login(lawyer)
    assert result_count(client, Person, "Ashyqkyzy") == 1
    assert result_count(client, type(case["crossing"]), "Ashyqkyzy") == 1
    assert result_count(client, Citation, "Ashyqkyzy") == 1


def test_his_lawyer_reads_and_finds_him(client, other_lawyer, case):
    client.force_login(other_lawyer)
    response = client.get(admin_url(Source, "change", case["shared_source"].pk))
    assert f"{HIS_NAME} sentenced" in response.content.decode()
    assert result_count(client, Source, "Zhasyrynuly") == 2


def test_the_sources_offered_as_she_types_name_him_nowhere(client, lawyer, admin_user, case):
    url = reverse("admin:autocomplete")
    query = {"app_label": "cases", "model_name": "citation", "field_name": "source"}
    client.force_login(lawyer)
    offered = client.get(url, {**query, "term": ""}).json()["results"]
    assert sorted(result["text"] for result in offered) == [
        "Azattyq — [name withheld] sentenced — 30 October 2020",
        "RFE/RL — Two refugees tried: [name withheld] and a woman from Zhaisang — 30 October 2020",
    ]
    assert client.get(url, {**query, "term": "Zhasyrynuly"}).json()["results"] == []
    assert len(client.get(url, {**query, "term": "refugees"}).json()["results"]) == 1
    client.force_login(admin_user)
    offered = client.get(url, {**query, "term": "Zhasyrynuly"}).json()["results"]
    assert len(offered) == 2 and all("Zhasyrynuly" in result["text"] for result in offered)
