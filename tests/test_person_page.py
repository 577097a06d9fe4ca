import datetime
import re

import pytest
from django.urls import reverse

from cases.models import Citation, Participant, Ruling
from people.models import Person
from tests.factories import (
    cite,
    fill_case,
    grow_database_around,
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

pytestmark = pytest.mark.django_db

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
# Who may open the page of a person of each visibility; "lawyer" is the assigned one.
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}
MAY_READ_NOTES = {"lawyer", "admin_user"}


@pytest.fixture
def persons(lawyer):
    return {
        visibility: make_person(
            name=f"Secret{visibility.title()} Name",
            visibility=visibility,
            internal_notes=f"NOTE-{visibility}",
            lawyers=[lawyer],
        )
        for visibility in Person.Visibility.values
    }


def get_as(client, request, reader, url):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    return client.get(url)


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("visibility", Person.Visibility.values)
def test_it_shows_a_person_only_to_who_may_see_them(client, request, persons, reader, visibility):
    person = persons[visibility]
    response = get_as(client, request, reader, person.get_absolute_url())
    body = response.content.decode()
    if reader in MAY_SEE[visibility]:
        assert response.status_code == 200
        assert person.name in body
        assert (f"NOTE-{visibility}" in body) == (reader in MAY_READ_NOTES)
    else:
        assert response.status_code == 404
        assert person.name not in body


@pytest.mark.parametrize("reader", READERS)
def test_the_directory_lists_only_visible_persons(client, request, persons, reader):
    body = get_as(client, request, reader, reverse("cases:directory")).content.decode()
    for visibility, person in persons.items():
        assert (person.name in body) == (reader in MAY_SEE[visibility])
    assert "NOTE-" not in body


def test_a_shared_record_withholds_the_name_of_a_person_the_reader_may_not_see(client, persons):
    public, confidential = persons["public"], persons["confidential"]
    make_proceeding(persons=[public, confidential])
    make_event(persons=[public, confidential], title="Press conference")
    body = client.get(public.get_absolute_url()).content.decode()
    assert confidential.name not in body
    assert confidential.ref not in body
    assert "withheld" not in body  # not even a placeholder that would confirm them


def test_a_shared_record_links_a_person_the_reader_may_see(client, persons):
    public = persons["public"]
    other = make_person(name="Visible Codefendant")
    make_proceeding(persons=[public, other])
    body = client.get(public.get_absolute_url()).content.decode()
    assert f'href="{other.get_absolute_url()}"' in body


def test_the_url_of_a_person_holds_a_reference_not_a_name(persons):
    for person in persons.values():
        assert person.name.split()[0] not in person.get_absolute_url()
        assert person.ref in person.get_absolute_url()


def test_it_numbers_sources_and_shows_entries_in_order(client):
    person = make_person()
    late = make_crossing(person, date=datetime.date(2019, 10, 1), date_precision="day")
    early = make_crossing(person, date=datetime.date(2018, 5, 1), date_precision="month")
    cite(late, quote="crossed on October 1")
    cite(early)
    body = client.get(person.get_absolute_url()).content.decode()
    assert body.index("May 2018") < body.index("1 October 2019")
    assert 'href="#source-1"' in body and 'id="source-2"' in body


def read_ids(body):
    return re.findall(r'\sid="([^"]+)"', body)


@pytest.fixture
def full_case(lawyer):
    """A public person with one record of every kind, and a confidential co-defendant."""
    today = datetime.date.today()
    person = make_person(
        name="Kaisha Akan",
        variants=["Қайша Ақан", "Kaysha Akhan"],
        birth_year=1992,
        ethnicity="Kazakh",
        place_of_origin="Ili, Xinjiang",
        citizenship="China",
        internal_notes="NOTE-mother-in-xinjiang",
        lawyers=[lawyer],
    )
    hidden = make_person(
        name="Withheld Codefendant", visibility=Person.Visibility.CONFIDENTIAL, lawyers=[lawyer]
    )
    article = make_source(
        title="Kazakh woman who fled China tried",
        publisher="RFE/RL",
        url="https://example.org/tried",
        date_note="Dated in the text.",
    )
    verdict = make_source(title="Zharkent court verdict", publisher="Zharkent court", url="")
    court = make_authority(name="Zharkent court")
    records = {
        "crossing": make_crossing(person, date=datetime.date(2018, 5, 1)),
        "detention": make_detention(person, end=None, end_precision=""),
        "event": make_event(persons=[person, hidden], date=datetime.date(2019, 10, 14)),
    }
    proceeding = make_proceeding(persons=[person, hidden], authority=court)
    Participant.objects.create(proceeding=proceeding, name="E. Asubaeva", role="judge")
    Participant.objects.create(proceeding=proceeding, name="B. Azanov", role="defence")
    records["proceeding"] = proceeding
    records["hearing"] = make_hearing(proceeding, title="first session")
    records["ruling"] = make_ruling(
        proceeding,
        person,
        date=datetime.date(2020, 1, 7),
        sentence_kind=Ruling.SentenceKind.SUSPENDED,
        sentence_months=6,
        removal=Ruling.Removal.REFUSED,
    )
    # Refugee status that runs out in 41 days.
    records["status"] = make_status(
        person, valid_until=today + datetime.timedelta(days=41), valid_until_precision="day"
    )
    cite(records["crossing"], article, quote="She crossed in May 2018.")
    cite(records["ruling"], verdict, quote="deportation refused")
    cite(records["ruling"], article, confidence=Citation.Confidence.LOW)
    return person, hidden, records


@pytest.mark.parametrize("reader", READERS)
def test_it_counts_down_a_status_only_for_signed_in_readers(client, request, full_case, reader):
    person, _hidden, records = full_case
    body = get_as(client, request, reader, person.get_absolute_url()).content.decode()

    until = records["status"].approx_valid_until
    assert f"Refugee status until {until}" in body
    assert f'href="#entry-status-{records["status"].pk}"' in body
    if reader == "anonymous":
        assert "expires in" not in body
        assert "status-expiring" not in body
    else:
        assert "expires in 41 days" in body
        assert "status-badge status-expiring" in body


@pytest.mark.parametrize("reader", ["anonymous", "researcher"])
def test_an_expired_status_says_so_to_everyone_and_counts_only_for_the_team(
    client, request, reader
):
    person = make_person()
    make_status(person, valid_until=datetime.date.today() - datetime.timedelta(days=3))
    body = get_as(client, request, reader, person.get_absolute_url()).content.decode()

    if reader == "anonymous":
        assert "— expired" in body
        assert "days ago" not in body and "status-expired" not in body
    else:
        assert "expired 3 days ago" in body
        assert "status-badge status-expired" in body


def test_it_shows_the_header_card(client, full_case):
    person, _hidden, _records = full_case
    body = client.get(person.get_absolute_url()).content.decode()

    assert '<h1 id="person-name">Kaisha Akan</h1>' in body
    assert re.search(r"also:\s*<span>Kaysha Akhan</span> · <span>Қайша Ақан</span>", body)
    for term, value in [
        ("Born", "c. 1992"),
        ("Ethnicity", "Kazakh"),
        ("From", "Ili, Xinjiang"),
        ("Citizenship", "China"),
    ]:
        assert f"<dt>{term}</dt><dd>{value}</dd>" in body


def test_it_anchors_every_entry_with_a_visible_permalink(client, full_case):
    person, _hidden, records = full_case
    body = client.get(person.get_absolute_url()).content.decode()

    for kind, record in records.items():
        anchor = f"entry-{kind}-{record.pk}"
        assert f'<li id="{anchor}"' in body
        assert f'class="permalink" href="#{anchor}"' in body
    ids = read_ids(body)
    assert len(ids) == len(set(ids)), "duplicate ids"
    # Every in-page link lands somewhere.
    for target in set(re.findall(r'href="#([^"]+)"', body)):
        assert target in ids, target


def test_it_groups_entries_under_year_headings(client, full_case):
    person, _hidden, records = full_case
    body = client.get(person.get_absolute_url()).content.decode()

    headings = re.findall(r'<h3 id="year-(\d+)"', body)
    assert headings == ["2018", "2019", "2020"]
    assert body.index('id="year-2019"') < body.index(f'id="entry-event-{records["event"].pk}"')
    assert body.index(f'id="entry-ruling-{records["ruling"].pk}"') > body.index('id="year-2020"')


def test_it_says_who_decided_and_who_took_part(client, full_case):
    person, _hidden, _records = full_case
    body = client.get(person.get_absolute_url()).content.decode()

    assert (
        "Zharkent court: convicted; suspended prison sentence of 6 months; deportation refused"
        in body
    )
    assert "<dt>Took part</dt><dd>judge E. Asubaeva, defence lawyer B. Azanov</dd>" in body
    assert "<dt>Decided by</dt><dd>judge E. Asubaeva</dd>" in body


def test_it_lists_sources_like_references(client, full_case):
    person, _hidden, records = full_case
    body = client.get(person.get_absolute_url()).content.decode()

    sources = body[body.index('id="sources-heading"') :]
    assert '<span class="publisher">RFE/RL</span>' in sources
    assert 'href="https://example.org/tried" rel="noreferrer noopener"' in sources
    assert "<cite>Zharkent court verdict</cite>" in sources  # no URL: not a link
    assert "Dated in the text." in sources
    assert "<q>She crossed in May 2018.</q>" in sources
    assert "<q>deportation refused</q>" in sources
    assert f'class="backlink" href="#entry-ruling-{records["ruling"].pk}"' in sources
    # A doubtful citation says so, next to its marker and in the list.
    assert body.count("(low confidence)") == 2


def test_it_draws_the_period_strip_as_linked_inline_svg(client, full_case):
    person, _hidden, records = full_case
    body = client.get(person.get_absolute_url()).content.decode()

    svg = body[body.index('<svg class="strip"') : body.index("</svg>")]
    assert 'role="group"' in svg and 'aria-label="The case at a glance, 2018–' in svg
    assert re.search(r'viewBox="0 0 800 [\d.]+"', svg)
    linked = re.findall(r'<a class="mark[^"]*" href="#([^"]+)" aria-label="[^"]+"><title>', svg)
    assert set(linked) == {
        f"entry-crossing-{records['crossing'].pk}",
        f"entry-detention-{records['detention'].pk}",
        f"entry-proceeding-{records['proceeding'].pk}",
        f"entry-ruling-{records['ruling'].pk}",
        f"entry-status-{records['status'].pk}",
    }
    # The detention goes on: its bar fades out.
    assert 'fill="url(#strip-fade-out)"' in svg
    assert '<linearGradient id="strip-fade-out">' in svg
    assert "Withheld" not in svg


def test_it_has_no_strip_when_no_fact_is_dated(client):
    person = make_person()
    make_event(persons=[person], date=None, date_precision="unknown")
    body = client.get(person.get_absolute_url()).content.decode()
    assert '<svg class="strip"' not in body
    assert "Date unknown" in body


def test_it_links_its_stylesheets_and_its_data(client):
    person = make_person()
    body = client.get(person.get_absolute_url()).content.decode()
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/person\.css">', body)
    assert re.search(r'<link rel="stylesheet" href="[^"]*css/print\.css" media="print">', body)
    json_url = reverse("cases:person-json", kwargs={"ref": person.ref})
    assert f'href="{json_url}"' in body


@pytest.mark.parametrize("reader", READERS)
def test_no_reader_sees_a_withheld_name_or_a_note_they_may_not_read(
    client, request, full_case, reader
):
    person, hidden, _records = full_case
    body = get_as(client, request, reader, person.get_absolute_url()).content.decode()

    managed = reader in MAY_READ_NOTES
    assert ("NOTE-mother-in-xinjiang" in body) == managed
    assert (hidden.name in body) == managed
    assert (hidden.ref in body) == managed
    if not managed:
        assert "withheld" not in body  # not even a placeholder that would confirm them


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "lawyer", "admin_user"])
@pytest.mark.parametrize("copies", [1, 8])
def test_it_makes_a_fixed_number_of_queries(
    client, request, django_assert_max_num_queries, lawyer, reader, copies
):
    person = make_person(variants=["A", "B"], lawyers=[lawyer], internal_notes="NOTE")
    fill_case(person, copies)
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))

    with django_assert_max_num_queries(15):
        response = client.get(person.get_absolute_url())
    assert response.content.decode().count('class="entry entry-') == 7 * copies


# The page's queries: the person, then their timeline (nine at most, cases/timeline.py).
PAGE_QUERIES = 10
# What a signed-in reader adds: their session, their user and their permissions (two), what
# they may change on the page (cases/edit_views.py), and the read log's entry (the person read
# here is not public).
SIGNED_IN_QUERIES = 4 + 1 + 1


@pytest.mark.parametrize("reader", ["anonymous", "researcher", "lawyer", "admin_user"])
@pytest.mark.parametrize("others", [1, 30])
def test_its_queries_do_not_grow_with_the_database(
    client, request, django_assert_max_num_queries, lawyer, reader, others
):
    visibility = Person.Visibility.PUBLIC if reader == "anonymous" else Person.Visibility.INTERNAL
    person = make_person(variants=["A"], lawyers=[lawyer], visibility=visibility)
    fill_case(person, 3)
    grow_database_around(person, others)
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    client.get(person.get_absolute_url())  # Django reads the content types once a process

    bound = PAGE_QUERIES + (SIGNED_IN_QUERIES if reader != "anonymous" else 0)
    with django_assert_max_num_queries(bound):
        response = client.get(person.get_absolute_url())
    assert response.content.decode().count('class="entry entry-') == 7 * 3 + 1


def test_it_offers_updates_and_edit_links_only_to_who_manages_the_person(
    client, lawyer, other_lawyer
):
    person = make_person(lawyers=[lawyer])
    crossing = make_crossing(person)
    edit = reverse("edit:crossing-edit", kwargs={"ref": person.ref, "pk": crossing.pk})
    client.force_login(other_lawyer)
    body = client.get(person.get_absolute_url()).content.decode()
    assert "Add an update" not in body and edit not in body
    client.force_login(lawyer)
    body = client.get(person.get_absolute_url()).content.decode()
    assert "Add an update" in body and edit in body
    assert reverse("account:person-history", kwargs={"ref": person.ref}) in body
