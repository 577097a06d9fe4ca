"""Names in free text: what cases/masking.py withholds, where, from whom; and the review of
the texts that name a person before their visibility narrows."""

import datetime

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.history import recent_changes
from cases.masking import NameMasker
from cases.name_review import texts_naming
from cases.timeline import build_timeline, build_timelines
from people.models import Person

from .factories import (
    cite,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_source,
)
from .test_admin import form_data

CONFIDENTIAL = Person.Visibility.CONFIDENTIAL
WITHHELD = "[name withheld]"


# --- The masker -------------------------------------------------------------------------------


def test_it_withholds_the_full_name_and_its_distinctive_part_in_any_case():
    mask = NameMasker(["Qaster Musakhanuly"])
    assert mask("fled with Qaster Musakhanuly in 2019") == f"fled with {WITHHELD} in 2019"
    assert mask("QASTER  MUSAKHANULY, 30") == f"{WITHHELD}, 30"
    assert mask("Musakhanuly said") == f"{WITHHELD} said"
    assert mask("Musakhanuly’s escape") == f"{WITHHELD}’s escape"


def test_it_leaves_a_given_name_alone_and_a_word_that_only_looks_like_a_surname():
    mask = NameMasker(["Qaster Musakhanuly", "Said Person"])
    # A given name alone is shared by too many people to be masked without blanking text.
    assert mask("Qaster went home") == "Qaster went home"
    # A surname that is also a word is masked only as a name, with its capital letter.
    assert mask("a person whose name is said") == "a person whose name is said"
    assert mask("Said Person spoke") == f"{WITHHELD} spoke"
    assert mask("Mr Person spoke") == f"Mr {WITHHELD} spoke"


def test_it_masks_a_one_word_name_only_with_its_capital():
    mask = NameMasker(["Hope"])
    assert mask("Hope was arrested; there is hope") == f"{WITHHELD} was arrested; there is hope"


def test_it_withholds_cyrillic_variants_with_their_case_endings():
    mask = NameMasker(["Қастер Мұсақанұлы", "Сайрагуль Сауытбай"])
    assert mask("Мұсақанұлының айтуынша") == f"{WITHHELD} айтуынша"
    assert mask("суд над Сайрагули Сауытбай") == f"суд над {WITHHELD}"
    assert mask("показания Сауытбаю") == f"показания {WITHHELD}"
    assert mask("ҚАСТЕР МҰСАҚАНҰЛЫ") == WITHHELD


def test_it_withholds_a_name_typed_with_or_without_its_diacritics():
    mask = NameMasker(["Sairagül Sauytbay"])
    assert mask("Sairagul Sauytbay testified") == f"{WITHHELD} testified"
    assert mask("Sairagül Sauytbay testified") == f"{WITHHELD} testified"


def test_it_never_masks_a_word_of_a_name_the_reader_may_see():
    mask = NameMasker(["Qaster Musakhanuly"], keep=["Murager Musakhanuly"])
    assert mask("Murager Musakhanuly and Qaster Musakhanuly") == (
        f"Murager Musakhanuly and {WITHHELD}"
    )


def test_it_matches_whole_words_only():
    mask = NameMasker(["Ali Nur"])
    assert mask("Alimuly and Nurlan") == "Alimuly and Nurlan"
    assert mask("Musakhanuly") == "Musakhanuly"


def test_it_treats_a_name_as_text_not_as_a_pattern():
    mask = NameMasker(["A.* (x)"])
    assert mask("Anything goes") == "Anything goes"
    assert mask("said A.* (x) today") == f"said {WITHHELD} today"


def test_it_drops_a_link_whose_address_spells_the_name():
    mask = NameMasker(["Qaster Musakhanuly"])
    assert mask.names_someone_in_address("https://example.org/qaster-musakhanuly-sentenced")
    assert not mask.names_someone_in_address("https://example.org/two-kazakhs-sentenced")


# --- Where it applies --------------------------------------------------------------------------


@pytest.fixture
def shared(lawyer):
    """A public person whose texts name a confidential co-defendant in every kind of field."""
    public = make_person(
        name="Murager Alimuly",
        public_summary="Crossed with Qaster Musakhanuly on 1 October 2019.",
    )
    hidden = make_person(
        name="Qaster Musakhanuly",
        visibility=CONFIDENTIAL,
        lawyers=[lawyer],
        variants=["Қастер Мұсақанұлы"],
    )
    proceeding = make_proceeding(
        persons=[public, hidden], description="Joint trial of Alimuly and Мұсақанұлы."
    )
    hearing = make_hearing(proceeding, summary="Musakhanuly <b>testified</b> first.")
    source = make_source(
        title="Musakhanuly and Alimuly sentenced",
        date_note="Printed after Qaster Musakhanuly's release.",
        url="https://example.org/qaster-musakhanuly-sentenced",
    )
    cite(hearing, source, quote="Musakhanuly, 31, said he spent five years in a camp")
    event = make_event(
        persons=[public, hidden],
        title="Musakhanuly speaks in Almaty",
        date=datetime.date(2020, 2, 1),  # after the hearing: the last entry in the directory
    )
    return public, hidden, proceeding, event


READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
MAY_SEE = {"lawyer", "admin_user"}


@pytest.mark.parametrize("reader", READERS)
def test_the_timeline_withholds_his_names_from_every_text(request, shared, reader):
    public, _hidden, _proceeding, _event = shared
    timeline = build_timeline(public, request.getfixturevalue(reader))
    data = str(timeline.as_data(lambda path: path))
    texts = [timeline.summary, data]
    texts += [source.source.title + source.source.date_note for source in timeline.sources]
    shown = " ".join(texts)
    if reader in MAY_SEE:
        assert "Qaster Musakhanuly" in shown and "Мұсақанұлы" in shown
        assert "qaster-musakhanuly" in data
    else:
        assert "Musakhanuly" not in shown and "Мұсақанұлы" not in shown
        assert "qaster-musakhanuly" not in shown  # the link that spells it out is dropped
        assert shown.count(WITHHELD) >= 7
        assert "Alimuly" in timeline.sources[0].source.title


def test_the_page_escapes_a_withheld_text_that_looks_like_markup(client, shared):
    public = shared[0]
    body = client.get(public.get_absolute_url()).content.decode()
    assert f"{WITHHELD} &lt;b&gt;testified&lt;/b&gt; first." in body
    assert "<b>testified" not in body
    assert "Musakhanuly" not in body and "Мұсақанұлы" not in body


def test_the_page_shows_his_names_to_his_lawyer(client, lawyer, shared):
    public = shared[0]
    client.force_login(lawyer)
    body = client.get(public.get_absolute_url()).content.decode()
    assert "Crossed with Qaster Musakhanuly on 1 October 2019." in body
    assert WITHHELD not in body


def test_the_directory_withholds_his_name_from_the_last_entry(client, shared):
    public = shared[0]
    data = client.get(reverse("cases:directory-json")).json()
    row = next(row for row in data["results"] if row["ref"] == public.ref)
    assert row["last_entry"]["title"] == f"{WITHHELD} speaks in Almaty"
    body = client.get(reverse("cases:directory")).content.decode()
    assert "Musakhanuly" not in body and f"{WITHHELD} speaks in Almaty" in body


def test_a_person_linked_through_nothing_shown_is_not_looked_for(request, lawyer):
    """Names of hidden persons who share no record and no source are not part of the masker:
    the page is not blanked for every confidential name on record."""
    make_person(name="Unrelated Secretperson", visibility=CONFIDENTIAL, lawyers=[lawyer])
    public = make_person(public_summary="Unrelated Secretperson is not linked here.")
    timeline = build_timeline(public, AnonymousUser())
    assert timeline.summary == "Unrelated Secretperson is not linked here."


@pytest.mark.parametrize("reader", READERS)
def test_a_batch_of_timelines_withholds_in_each_what_it_withholds_alone(request, shared, reader):
    """Timelines built together (cases/timeline_records.py) withhold, in each, the names of
    the hidden persons linked to any of them: never fewer than the page alone."""
    public, _hidden, _proceeding, _event = shared
    unlinked = make_person(name="Aisha Unlinked", public_summary="Qaster Musakhanuly's cousin.")
    user = request.getfixturevalue(reader)
    alone = build_timeline(public, user)

    together, other = build_timelines([public, unlinked], user)

    assert str(together.as_data(str)) == str(alone.as_data(str))
    assert [source.source.title for source in together.sources] == [
        source.source.title for source in alone.sources
    ]
    if reader in MAY_SEE:
        assert other.summary == "Qaster Musakhanuly's cousin."
    else:
        assert other.summary == f"{WITHHELD}'s cousin."


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "admin_user"])
def test_the_page_keeps_within_its_query_budget_with_hidden_names(
    client, request, shared, django_assert_max_num_queries, reader
):
    public = shared[0]
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    with django_assert_max_num_queries(15):
        client.get(public.get_absolute_url())


def test_the_timeline_makes_no_more_queries_for_its_hidden_names(shared):
    public = shared[0]
    with CaptureQueriesContext(connection) as queries:
        build_timeline(public, AnonymousUser())
    assert len(queries) <= 9


# --- Review before narrowing ---------------------------------------------------------------------


@pytest.fixture
def review_case(shared):
    public, hidden, _proceeding, _event = shared
    hidden.visibility = Person.Visibility.PUBLIC
    hidden.save()
    own = make_proceeding(persons=[hidden], description="Musakhanuly's own appeal.")
    return public, hidden, own


def test_it_lists_every_text_a_wider_audience_reads_that_names_him(review_case):
    public, hidden, own = review_case
    names = [hidden.name, *hidden.variants.values_list("name", flat=True)]
    texts = texts_naming(hidden, names, Person.Visibility.PUBLIC, CONFIDENTIAL)
    found = {(text.where, text.key.split(":")[0], text.key.split(":")[2]) for text in texts}
    source = "Source: Musakhanuly and Alimuly sentenced"
    assert found == {
        ("Murager Alimuly", "people.person", "public_summary"),
        ("Murager Alimuly", "cases.proceeding", "description"),  # in Cyrillic
        ("Murager Alimuly", "cases.hearing", "summary"),
        ("Murager Alimuly", "cases.event", "title"),
        (source, "cases.source", "title"),
        (source, "cases.source", "date_note"),
        (source, "cases.source", "url"),
        ("Quote from Musakhanuly and Alimuly sentenced", "cases.citation", "quote"),
    }
    # His own records narrow with him: they are not listed.
    assert f"cases.proceeding:{own.pk}:description" not in {text.key for text in texts}
    summary = next(text for text in texts if text.key.endswith("public_summary"))
    assert (summary.url, str(summary.field)) == (public.get_absolute_url(), "Public summary")


def test_it_lists_nothing_when_the_visibility_widens_or_stays(review_case):
    _public, hidden, _own = review_case
    for old, new in [("confidential", "public"), ("public", "public"), ("internal", "public")]:
        assert texts_naming(hidden, [hidden.name], old, new) == []


def edit(client, person, **changes):
    url = reverse("account:person-edit", kwargs={"ref": person.ref})
    form = client.get(url).context["form"]
    data = {
        name: value
        for name, value in form.initial.items()
        if value is not None and name not in ("lawyers",)
    }
    data.update(
        {
            "variants-TOTAL_FORMS": "0",
            "variants-INITIAL_FORMS": "0",
            "variants-MIN_NUM_FORMS": "0",
            "variants-MAX_NUM_FORMS": "1000",
        }
    )
    data.update(changes)
    return client.post(url, data)


def test_narrowing_shows_the_texts_and_saves_only_once_confirmed(client, admin_user, review_case):
    public, hidden, _own = review_case
    hidden.variants.all().delete()
    client.force_login(admin_user)

    response = edit(client, hidden, visibility=CONFIDENTIAL)
    assert response.status_code == 200
    hidden.refresh_from_db()
    assert hidden.visibility == Person.Visibility.PUBLIC  # nothing saved yet
    body = response.content.decode()
    assert "Texts that name this person" in body
    assert "Crossed with Qaster Musakhanuly on 1 October 2019." in body
    assert public.get_absolute_url() in body
    keys = response.context["form"].data["reviewed_texts"]

    response = edit(client, hidden, visibility=CONFIDENTIAL, reviewed_texts=keys)
    hidden.refresh_from_db()
    assert hidden.visibility == Person.Visibility.PUBLIC  # not confirmed

    response = edit(
        client, hidden, visibility=CONFIDENTIAL, reviewed_texts=keys, names_reviewed="on"
    )
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.visibility == CONFIDENTIAL
    public.refresh_from_db()
    assert "Qaster Musakhanuly" in public.public_summary  # the texts stay as they were


def test_a_confirmation_does_not_cover_a_text_it_was_not_shown(client, admin_user, review_case):
    _public, hidden, _own = review_case
    hidden.variants.all().delete()
    client.force_login(admin_user)
    response = edit(client, hidden, visibility=CONFIDENTIAL)
    keys = response.context["form"].data["reviewed_texts"]
    make_person(public_summary="Later text about Qaster Musakhanuly.")

    response = edit(
        client, hidden, visibility=CONFIDENTIAL, reviewed_texts=keys, names_reviewed="on"
    )
    assert response.status_code == 200
    assert "Later text about Qaster Musakhanuly." in response.content.decode()
    hidden.refresh_from_db()
    assert hidden.visibility == Person.Visibility.PUBLIC


def test_a_save_that_does_not_narrow_asks_nothing(client, admin_user, review_case):
    _public, hidden, _own = review_case
    hidden.variants.all().delete()
    client.force_login(admin_user)
    response = edit(client, hidden, ethnicity="Kazakh")
    assert response.status_code == 302


def test_the_admin_asks_for_the_same_review_before_narrowing(client, admin_user, review_case):
    public, hidden, _own = review_case
    client.force_login(admin_user)
    url = reverse("admin:people_person_change", args=[hidden.pk])
    data = form_data(client.get(url))
    data["visibility"] = CONFIDENTIAL

    response = client.post(url, data)
    assert response.status_code == 200
    hidden.refresh_from_db()
    assert hidden.visibility == Person.Visibility.PUBLIC
    body = response.content.decode()
    assert "Readers who will no longer see this person still read texts" in body
    assert "Crossed with Qaster Musakhanuly on 1 October 2019." in body

    data = form_data(response)
    data["names_reviewed"] = "on"
    response = client.post(url, data)
    assert response.status_code == 302
    hidden.refresh_from_db()
    assert hidden.visibility == CONFIDENTIAL


def test_the_recent_changes_on_a_lawyers_home_withhold_his_name(other_lawyer, shared):
    public = shared[0]
    public.lawyers.add(other_lawyer)
    since = timezone.now() - datetime.timedelta(days=1)
    changes = recent_changes(Person.objects.filter(pk=public.pk), other_lawyer, since=since)
    labels = " ".join(change.label for change in changes)
    assert f"{WITHHELD} speaks in Almaty" in labels
    assert "Musakhanuly" not in labels
