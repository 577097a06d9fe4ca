"""The lawyer's forms for each kind of record: add, edit, delete, cite sources, errors.

``form_values`` reads a rendered form the way a browser would submit it; the other modules
of the lawyer's forms import it from here.
"""

import datetime
from html.parser import HTMLParser

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import (
    Authority,
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)
from cases.timeline import build_timeline
from casetracker.dates import Precision
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

pytestmark = pytest.mark.django_db
D = datetime.date


# Reading forms like a browser -------------------------------------------------------------


class _FormReader(HTMLParser):
    """The successful controls of the first <form> with the given class, as a browser sends."""

    def __init__(self, css_class):
        super().__init__(convert_charrefs=True)
        self.css_class = css_class
        self.inside = False
        self.done = False
        self.values = {}
        self.select = None
        self.select_options = []
        self.textarea = None

    def _add(self, name, value):
        self.values.setdefault(name, []).append(value)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and not self.done and self.css_class in (attrs.get("class") or ""):
            self.inside = True
        if not self.inside:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "reset"):
                return
            if kind in ("checkbox", "radio"):
                if "checked" in attrs:
                    self._add(name, attrs.get("value") or "on")
                return
            self._add(name, attrs.get("value") or "")
        elif tag == "select" and name:
            self.select = (name, "multiple" in attrs)
            self.select_options = []
        elif tag == "option" and self.select:
            self.select_options.append((attrs.get("value", ""), "selected" in attrs))
        elif tag == "textarea" and name:
            self.textarea = [name, ""]

    def handle_data(self, data):
        if self.textarea:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if not self.inside:
            return
        if tag == "select" and self.select:
            name, multiple = self.select
            chosen = [value for value, selected in self.select_options if selected]
            if not chosen and not multiple and self.select_options:
                chosen = [self.select_options[0][0]]
            for value in chosen:
                self._add(name, value)
            self.select = None
        elif tag == "textarea" and self.textarea:
            self._add(self.textarea[0], self.textarea[1].removeprefix("\n"))
            self.textarea = None
        elif tag == "form":
            self.inside = False
            self.done = True


def form_values(response, css_class="record-form"):
    """{name: [values]} of the form in ``response``, ready for ``client.post``."""
    reader = _FormReader(css_class)
    reader.feed(response.content.decode())
    assert reader.done, f"no <form class={css_class!r}> in the page"
    return reader.values


def fill(values, **changes):
    """A copy of form values with some changed; None unticks or empties a control."""
    values = {name: list(items) for name, items in values.items()}
    for name, value in changes.items():
        if value is None:
            values.pop(name, None)
        else:
            values[name] = (
                [str(item) for item in value] if isinstance(value, list) else [str(value)]
            )
    return values


def submit(client, url, css_class="record-form", **changes):
    """Open the form at ``url``, change some controls, and post it back."""
    page = client.get(url)
    assert page.status_code == 200, page.status_code
    return client.post(url, fill(form_values(page, css_class), **changes))


def date_parts(name, year="", month="", day=""):
    return {f"{name}_year": year, f"{name}_month": month, f"{name}_day": day}


def page_messages(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def field_errors(response, name):
    """The messages shown next to one field: the error list inside that field's block."""
    body = response.content.decode()
    start = body.find(f'id="field-{name}"')
    assert start != -1, f"no field {name} on the page"
    end = body.find('<div class="field', start + 1)
    block = body[start : end if end != -1 else len(body)]
    if 'class="errorlist"' not in block:
        return []
    errors = block.split('class="errorlist"', 1)[1].split("</ul>", 1)[0]
    return [item.split("</li>")[0] for item in errors.split("<li>")[1:]]


# Fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def person(lawyer):
    return make_person(name="Kaisha Akan", visibility=Person.Visibility.INTERNAL, lawyers=[lawyer])


@pytest.fixture
def signed_in(client, lawyer):
    client.force_login(lawyer)
    return client


def url(name, person, **kwargs):
    return reverse(f"edit:{name}", kwargs={"ref": person.ref, **kwargs})


# Adding each kind -------------------------------------------------------------------------


def test_it_adds_a_border_crossing_and_returns_to_its_entry(signed_in, person):
    response = submit(
        signed_in,
        url("crossing-add", person),
        **date_parts("date", 2018, 5),
        from_country="China",
        to_country="Kazakhstan",
        method="irregular",
        reason="Fled the camps",
    )
    crossing = BorderCrossing.objects.get()
    assert response.status_code == 302
    assert response.url == f"{person.get_absolute_url()}#entry-crossing-{crossing.pk}"
    assert page_messages(response) == ["Border crossing added."]
    assert crossing.person == person
    assert crossing.approx_date.precision == Precision.MONTH
    assert str(crossing.approx_date) == "May 2018"
    assert crossing.reason == "Fled the camps"


def test_it_adds_a_detention_that_goes_on(signed_in, person):
    submit(
        signed_in,
        url("detention-add", person),
        kind="pre_trial",
        **date_parts("start", 2019, 10, 14),
        place="Zharkent",
    )
    detention = Detention.objects.get()
    assert str(detention.approx_start) == "14 October 2019"
    assert detention.is_ongoing


def test_it_adds_a_proceeding_with_participants_and_a_new_court(signed_in, person):
    response = submit(
        signed_in,
        url("proceeding-add", person),
        kind="criminal",
        authority="",
        new_authority_name="Zharkent district court",
        new_authority_kind="court",
        new_authority_town="Zharkent",
        new_authority_country="Kazakhstan",
        charge="illegal border crossing",
        **{
            "participants-0-role": "judge",
            "participants-0-name": "A. Judge",
            "participants-1-role": "prosecutor",
            "participants-1-name": "B. Prosecutor",
        },
    )
    proceeding = Proceeding.objects.get()
    assert response.url.endswith(f"#entry-proceeding-{proceeding.pk}")
    assert proceeding.authority.name == "Zharkent district court"
    assert list(proceeding.persons.all()) == [person]
    assert sorted(p.role for p in proceeding.participants.all()) == ["judge", "prosecutor"]


def test_it_adds_a_hearing_to_a_proceeding_of_the_person(signed_in, person):
    proceeding = make_proceeding(persons=[person])
    add = url("hearing-add", person) + f"?proceeding={proceeding.pk}"
    page = signed_in.get(add)
    assert form_values(page)["proceeding"] == [str(proceeding.pk)]
    next_year = datetime.date.today().year + 1
    response = signed_in.post(
        add,
        fill(form_values(page), **date_parts("date", next_year, 3), title="Appeal hearing"),
    )
    hearing = Hearing.objects.get()
    assert response.url.endswith(f"#entry-hearing-{hearing.pk}")
    assert hearing.proceeding == proceeding
    assert str(hearing.approx_date) == f"March {next_year}"


def test_it_asks_for_a_proceeding_before_a_hearing(signed_in, person):
    body = signed_in.get(url("hearing-add", person)).content.decode()
    assert "no proceeding on record yet" in body
    assert url("proceeding-add", person) in body


def test_it_offers_only_the_persons_own_proceedings_for_a_ruling(signed_in, person):
    own = make_proceeding(persons=[person])
    other = make_proceeding(charge="someone else's case")
    values = form_values(signed_in.get(url("ruling-add", person)))
    response = signed_in.post(
        url("ruling-add", person),
        fill(values, proceeding=other.pk, **date_parts("date", 2019, 12, 23), outcome="convicted"),
    )
    assert response.status_code == 200
    assert field_errors(response, "proceeding")
    assert not Ruling.objects.exists()
    signed_in.post(
        url("ruling-add", person),
        fill(values, proceeding=own.pk, **date_parts("date", 2019, 12, 23), outcome="convicted"),
    )
    assert Ruling.objects.get().person == person


def test_a_ruling_can_end_the_detention_it_released_the_person_from(signed_in, person):
    proceeding = make_proceeding(persons=[person])
    detention = make_detention(person, start=D(2019, 10, 1), start_precision=Precision.MONTH)
    submit(
        signed_in,
        url("ruling-add", person),
        proceeding=proceeding.pk,
        **date_parts("date", 2020, 1, 6),
        outcome="convicted",
        sentence_kind="suspended",
        sentence_months=6,
        removal="refused",
        ends_detention=detention.pk,
    )
    ruling = Ruling.objects.get()
    detention.refresh_from_db()
    assert detention.approx_end == ruling.approx_date
    assert str(detention.approx_end) == "6 January 2020"


def test_a_ruling_that_cannot_end_the_detention_saves_nothing(signed_in, person):
    proceeding = make_proceeding(persons=[person])
    detention = make_detention(person, start=D(2019, 10, 14), start_precision=Precision.DAY)
    response = submit(
        signed_in,
        url("ruling-add", person),
        proceeding=proceeding.pk,
        **date_parts("date", 2019, 9, 1),
        outcome="convicted",
        ends_detention=detention.pk,
        **{"citations-0-new_title": "Verdict", **date_parts("citations-0-new_published", 2019)},
    )
    assert response.status_code == 200
    assert field_errors(response, "ends_detention") == ["This cannot be before 14 October 2019."]
    assert not Ruling.objects.exists()
    assert not Source.objects.exists()
    detention.refresh_from_db()
    assert detention.is_ongoing


def test_it_adds_a_status_decision_with_a_month_precision_expiry(signed_in, person):
    response = submit(
        signed_in,
        url("status-add", person),
        status="refugee",
        outcome="granted",
        **date_parts("decided", 2020, 10, 29),
        **date_parts("valid_from", 2020, 10, 29),
        **date_parts("valid_until", 2021, 10),
    )
    status = StatusDecision.objects.get()
    assert response.url.endswith(f"#entry-status-{status.pk}")
    assert status.approx_valid_until.precision == Precision.MONTH
    assert status.approx_valid_until.latest == D(2021, 10, 31)


def test_it_adds_an_event_with_an_unknown_date_bounded_by_its_source(signed_in, person):
    submit(
        signed_in,
        url("event-add", person),
        kind="family",
        title="Wife and children left in Xinjiang",
        date_unknown="on",
        date_not_later_than="2019-10-29",
    )
    event = Event.objects.get()
    assert event.approx_date.precision == Precision.UNKNOWN
    assert str(event.approx_date) == "date unknown (before 29 October 2019)"
    assert list(event.persons.all()) == [person]


# Editing and deleting ---------------------------------------------------------------------


def test_it_edits_a_record_and_shows_the_date_as_entered(signed_in, person):
    crossing = make_crossing(person, place="Khorgos")
    page = signed_in.get(url("crossing-edit", person, pk=crossing.pk))
    values = form_values(page)
    assert values["date_year"] == ["2018"] and values["date_month"] == ["5"]
    assert values["date_day"] == [""]
    assert "Recorded as: May 2018 (the month only)" in page.content.decode()
    response = signed_in.post(
        url("crossing-edit", person, pk=crossing.pk), fill(values, place="Nur Zholy")
    )
    assert response.url.endswith(f"#entry-crossing-{crossing.pk}")
    assert page_messages(response) == ["Border crossing saved."]
    crossing.refresh_from_db()
    assert crossing.place == "Nur Zholy"
    assert str(crossing.approx_date) == "May 2018"


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("crossing", lambda person: make_crossing(person)),
        ("detention", lambda person: make_detention(person)),
        ("proceeding", lambda person: make_proceeding(persons=[person])),
        ("hearing", lambda person: make_hearing(make_proceeding(persons=[person]))),
        ("ruling", lambda person: make_ruling(person=person)),
        ("status", lambda person: make_status(person)),
        ("event", lambda person: make_event(persons=[person])),
    ],
)
def test_it_opens_and_saves_unchanged_every_kind(signed_in, person, kind, make):
    record = make(person)
    before = record.updated_at
    response = submit(signed_in, url(f"{kind}-edit", person, pk=record.pk))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response.url.endswith(f"#entry-{kind}-{record.pk}")
    record.refresh_from_db()
    assert record.updated_at > before


@pytest.mark.parametrize(
    ("kind", "make"),
    [
        ("crossing", lambda person: make_crossing(person)),
        ("detention", lambda person: make_detention(person)),
        ("hearing", lambda person: make_hearing(make_proceeding(persons=[person]))),
        ("ruling", lambda person: make_ruling(person=person)),
        ("status", lambda person: make_status(person)),
        ("event", lambda person: make_event(persons=[person])),
        ("proceeding", lambda person: make_proceeding(persons=[person])),
    ],
)
def test_deleting_asks_first_and_is_kept_in_the_history(signed_in, lawyer, person, kind, make):
    record = make(person)
    model = type(record)
    delete = url(f"{kind}-delete", person, pk=record.pk)
    page = signed_in.get(delete)
    assert page.status_code == 200
    assert "Yes, delete" in page.content.decode()
    assert model.objects.filter(pk=record.pk).exists()
    response = signed_in.post(delete, form_values(page, "confirm-form"))
    assert response.status_code == 302
    assert response.url == person.get_absolute_url()
    assert not model.objects.filter(pk=record.pk).exists()
    deletion = model.history.get(id=record.pk, history_type="-")
    assert deletion.history_user == lawyer


def test_deleting_a_proceeding_shared_with_someone_elses_client_only_takes_this_person_off(
    signed_in, person
):
    stranger = make_person(name="Hidden Codefendant", visibility=Person.Visibility.CONFIDENTIAL)
    proceeding = make_proceeding(persons=[person, stranger])
    make_ruling(proceeding, person=person)
    stranger_ruling = make_ruling(proceeding, person=stranger)
    delete = url("proceeding-delete", person, pk=proceeding.pk)
    page = signed_in.get(delete)
    assert "Yes, remove" in page.content.decode()
    assert "Hidden Codefendant" not in page.content.decode()
    signed_in.post(delete, form_values(page, "confirm-form"))
    assert list(proceeding.persons.all()) == [stranger]
    assert list(Ruling.objects.all()) == [stranger_ruling]


# Shared records: several persons, no names withheld revealed --------------------------------


def test_a_shared_record_offers_only_the_lawyers_persons(signed_in, lawyer, person):
    mine = make_person(name="My Other Client", lawyers=[lawyer])
    stranger = make_person(name="Hidden Codefendant", visibility=Person.Visibility.CONFIDENTIAL)
    proceeding = make_proceeding(persons=[person])
    edit = url("proceeding-edit", person, pk=proceeding.pk)
    page = signed_in.get(edit)
    body = page.content.decode()
    assert "My Other Client" in body
    assert "Hidden Codefendant" not in body and stranger.ref not in body
    values = form_values(page)
    response = signed_in.post(edit, fill(values, other_persons=[mine.pk]))
    assert response.status_code == 302
    assert set(proceeding.persons.all()) == {person, mine}
    values = form_values(signed_in.get(edit))
    response = signed_in.post(edit, fill(values, other_persons=[mine.pk, stranger.pk]))
    assert response.status_code == 200
    assert field_errors(response, "other_persons")
    assert set(proceeding.persons.all()) == {person, mine}


def test_a_shared_record_is_read_only_to_a_lawyer_of_only_some_of_its_persons(signed_in, person):
    stranger = make_person(name="Hidden Codefendant", visibility=Person.Visibility.CONFIDENTIAL)
    visible = make_person(name="Public Codefendant")
    proceeding = make_proceeding(persons=[person, stranger, visible], charge="as charged")
    edit = url("proceeding-edit", person, pk=proceeding.pk)
    assert signed_in.get(edit).status_code == 403
    response = signed_in.post(edit, {"kind": proceeding.kind, "charge": "changed"})
    assert response.status_code == 403
    proceeding.refresh_from_db()
    assert proceeding.charge == "as charged"
    assert set(proceeding.persons.all()) == {person, stranger, visible}


def test_a_person_added_to_a_shared_record_meanwhile_makes_the_save_refused(signed_in, person):
    proceeding = make_proceeding(persons=[person], charge="as charged")
    edit = url("proceeding-edit", person, pk=proceeding.pk)
    values = form_values(signed_in.get(edit))
    stranger = make_person(name="Added By An Admin", visibility=Person.Visibility.CONFIDENTIAL)
    proceeding.persons.add(stranger)  # the proceeding row itself is not saved: no new version
    assert signed_in.post(edit, fill(values, charge="changed")).status_code == 403
    proceeding.refresh_from_db()
    assert proceeding.charge == "as charged"
    assert set(proceeding.persons.all()) == {person, stranger}


def test_an_event_can_concern_several_of_the_lawyers_persons(signed_in, lawyer, person):
    sister = make_person(name="Sister", lawyers=[lawyer])
    submit(
        signed_in,
        url("event-add", person),
        title="Press conference",
        kind="press_conference",
        **date_parts("date", 2019, 10, 14),
        other_persons=[sister.pk],
    )
    assert set(Event.objects.get().persons.all()) == {person, sister}


# Citing sources ---------------------------------------------------------------------------


def test_it_cites_a_source_picked_from_the_searchable_list(signed_in, person):
    source = make_source(title="Kazakh court frees Chinese defector", publisher="RFE/RL")
    cite(make_event(persons=[make_person()]), source=source)  # on record for a public case
    page = signed_in.get(url("crossing-add", person))
    body = page.content.decode()
    label = f"{source} [#{source.pk}]"
    assert '<datalist id="source-options">' in body and f'value="{label}"' in body
    assert 'list="source-options"' in body
    signed_in.post(
        url("crossing-add", person),
        fill(
            form_values(page),
            **date_parts("date", 2018, 5),
            from_country="China",
            to_country="Kazakhstan",
            **{
                "citations-0-source": label,
                "citations-0-quote": "crossed in May 2018",
                "citations-0-confidence": "medium",
            },
        ),
    )
    citation = BorderCrossing.objects.get().citations.get()
    assert citation.source == source
    assert (citation.quote, citation.confidence) == ("crossed in May 2018", "medium")


def test_it_adds_a_new_source_in_the_same_form(signed_in, person):
    submit(
        signed_in,
        url("status-add", person),
        status="refugee",
        outcome="granted",
        **date_parts("decided", 2020, 10, 29),
        **{
            "citations-0-new_title": "Granted refugee status",
            "citations-0-new_publisher": "Eurasianet",
            "citations-0-new_url": "https://eurasianet.org/example",
            **date_parts("citations-0-new_published", 2020, 10),
            "citations-0-quote": "She was granted refugee status",
        },
    )
    source = Source.objects.get()
    assert source.publisher == "Eurasianet"
    assert str(source.approx_published) == "October 2020"
    assert Citation.objects.get().record == StatusDecision.objects.get()


def test_a_wrong_new_source_saves_neither_the_source_nor_the_record(signed_in, person):
    response = submit(
        signed_in,
        url("crossing-add", person),
        **date_parts("date", 2018, 5),
        from_country="China",
        to_country="Kazakhstan",
        **{"citations-0-new_title": "An article", "citations-0-new_url": "not a link"},
    )
    assert response.status_code == 200
    assert field_errors(response, "citations-0-new_url") == ["Enter a valid URL."]
    assert field_errors(response, "citations-0-new_published") == [
        "Enter when the new source was published (at least the year), or tick &#x27;date "
        "unknown&#x27;."
    ]
    assert not BorderCrossing.objects.exists() and not Source.objects.exists()
    values = form_values(response)
    assert values["citations-0-new_title"] == ["An article"]
    assert values["date_month"] == ["5"]


def test_it_refuses_a_source_cited_twice_and_a_source_not_on_record(signed_in, person):
    source = cite(make_event(persons=[make_person()])).source
    label = f"{source} [#{source.pk}]"
    response = submit(
        signed_in,
        url("crossing-add", person),
        **date_parts("date", 2018),
        from_country="China",
        to_country="Kazakhstan",
        **{"citations-0-source": label, "citations-1-source": label},
    )
    assert field_errors(response, "citations-1-source") == [
        "This source is already cited for this record."
    ]
    response = submit(
        signed_in,
        url("crossing-add", person),
        **date_parts("date", 2018),
        from_country="China",
        to_country="Kazakhstan",
        **{"citations-0-source": "Some article nobody recorded"},
    )
    assert "There is no such source on record" in field_errors(response, "citations-0-source")[0]
    assert not BorderCrossing.objects.exists()


def test_it_removes_a_citation_and_keeps_the_source(signed_in, person):
    crossing = make_crossing(person)
    citation = cite(crossing)
    page = signed_in.get(url("crossing-edit", person, pk=crossing.pk))
    values = form_values(page)
    assert values["citations-0-source"] == [f"{citation.source} [#{citation.source.pk}]"]
    signed_in.post(
        url("crossing-edit", person, pk=crossing.pk), fill(values, **{"citations-0-DELETE": "on"})
    )
    assert not Citation.objects.exists()
    assert Source.objects.filter(pk=citation.source.pk).exists()


def test_it_adds_a_source_and_cites_it_for_entries_of_the_timeline(signed_in, person):
    crossing = make_crossing(person)
    status = make_status(person)
    response = submit(
        signed_in,
        url("source-add", person),
        kind="article",
        title="Refugee status for Kaisha Akan",
        **date_parts("published", 2020, 10, 30),
        cite_for=[f"crossing-{crossing.pk}", f"status-{status.pk}"],
        quote="granted",
    )
    source = Source.objects.get()
    assert response.url == f"{person.get_absolute_url()}#entry-crossing-{crossing.pk}"
    assert {c.record for c in source.citations.all()} == {crossing, status}


# Errors next to their fields, nothing lost ------------------------------------------------


def test_every_error_is_next_to_its_field_and_nothing_typed_is_lost(signed_in, person):
    response = submit(
        signed_in,
        url("crossing-add", person),
        **date_parts("date", 2018, "", 12),
        from_country="",
        to_country="Kazakhstan",
        place="Khorgos",
        reason="Fled",
    )
    assert response.status_code == 200
    assert field_errors(response, "date") == ["A day needs a month."]
    assert field_errors(response, "from_country") == ["This field is required."]
    assert field_errors(response, "to_country") == []
    assert "Nothing was saved." in response.content.decode()
    values = form_values(response)
    assert values["date_year"] == ["2018"] and values["date_day"] == ["12"]
    assert values["place"] == ["Khorgos"] and values["reason"] == ["Fled"]
    assert not BorderCrossing.objects.exists()


def test_the_models_own_rules_show_under_the_date_they_concern(signed_in, person):
    next_year = datetime.date.today().year + 1
    response = submit(
        signed_in,
        url("detention-add", person),
        kind="pre_trial",
        **date_parts("start", 2019, 10, 14),
        **date_parts("end", 2019, 9),
    )
    assert field_errors(response, "end") == ["This cannot be before 14 October 2019."]
    assert field_errors(response, "start") == []
    response = submit(
        signed_in,
        url("crossing-add", person),
        **date_parts("date", next_year),
        from_country="China",
        to_country="Kazakhstan",
    )
    assert field_errors(response, "date") == ["This date is in the future."]
    assert not Detention.objects.exists() and not BorderCrossing.objects.exists()


def test_a_ruling_sentence_length_needs_its_kind(signed_in, person):
    proceeding = make_proceeding(persons=[person])
    response = submit(
        signed_in,
        url("ruling-add", person),
        proceeding=proceeding.pk,
        **date_parts("date", 2019, 12, 23),
        outcome="convicted",
        sentence_kind="",
        sentence_months=6,
    )
    assert field_errors(response, "sentence_months") == ["Choose the kind of sentence too."]
    assert not Ruling.objects.exists()


def test_a_new_court_must_not_duplicate_one_on_record(signed_in, person):
    court = make_authority(name="Zharkent district court", country="Kazakhstan")
    make_event(persons=[make_person()], authority=court)  # a court of a public case
    response = submit(
        signed_in,
        url("proceeding-add", person),
        kind="criminal",
        new_authority_name="Zharkent district court",
        new_authority_country="Kazakhstan",
    )
    assert field_errors(response, "new_authority_name")
    response = submit(signed_in, url("proceeding-add", person), kind="criminal")
    assert field_errors(response, "authority") == [
        "Choose the court or authority, or add a new one below."
    ]
    assert list(Authority.objects.all()) == [court]
    assert not Proceeding.objects.exists() and not Participant.objects.exists()


# The person's page: the update menu and the entry links ------------------------------------


def test_the_update_menu_links_every_add_form_only_for_who_may_edit(person):
    template = Template('{% include "cases/edit/update_menu.html" %}')
    body = template.render(Context({"person": person, "can_edit": True}))
    for kind in ["crossing", "detention", "proceeding", "hearing", "ruling", "status", "event"]:
        assert f'href="{url(f"{kind}-add", person)}"' in body
    assert f'href="{url("source-add", person)}"' in body
    assert template.render(Context({"person": person, "can_edit": False})).strip() == ""


def test_each_timeline_entry_maps_to_its_edit_and_delete_forms(signed_in, lawyer, person):
    hearing = make_hearing(make_proceeding(persons=[person]))
    status = make_status(person)
    entries = build_timeline(person, lawyer).entries
    template = Template(
        "{% load case_edit %}{% for entry in entries %}"
        "{{ entry|edit_url:person }} {{ entry|delete_url:person }};{% endfor %}"
    )
    body = template.render(Context({"entries": entries, "person": person}))
    assert url("hearing-edit", person, pk=hearing.pk) in body
    assert url("status-delete", person, pk=status.pk) in body
    for link in body.replace(";", " ").split():
        assert signed_in.get(link).status_code == 200


def test_the_edit_form_makes_as_many_queries_for_one_citation_as_for_six(signed_in, person):
    def queries_for(citations):
        crossing = make_crossing(person)
        for _ in range(citations):
            cite(crossing)
        with CaptureQueriesContext(connection) as captured:
            assert signed_in.get(url("crossing-edit", person, pk=crossing.pk)).status_code == 200
        return len(captured)

    assert queries_for(1) == queries_for(6)
