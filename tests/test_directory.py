"""The directory /people/: filters, facet counts, sorting, pages, chips, privacy, speed."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.models import Ruling, StatusDecision
from people.models import Person
from tests.factories import (
    make_authority,
    make_crossing,
    make_detention,
    make_event,
    make_hearing,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)

D = datetime.date
pytestmark = pytest.mark.django_db

READERS = ["anonymous", "researcher", "other_lawyer", "lawyer", "admin_user"]
# Who may see a person of each visibility; "lawyer" is the assigned one.
MAY_SEE = {
    "public": set(READERS),
    "internal": {"researcher", "other_lawyer", "lawyer", "admin_user"},
    "confidential": {"lawyer", "admin_user"},
}


def get_as(client, request, reader, url, params=None):
    if reader != "anonymous":
        client.force_login(request.getfixturevalue(reader))
    return client.get(url, params or {})


def names_listed(response):
    return [person.name for person in response.context["page"].object_list]


def facet_counts(response, name):
    for facet in response.context["facets"]:
        if facet.name == name:
            return {choice.value: choice.count for choice in facet.choices}
    return {}


def make_case(name, **overrides):
    """A person with one of every kind of record, all dated in the past."""
    person = make_person(name=name, variants=[f"{name} Variant"], **overrides)
    make_crossing(person)
    make_detention(person)
    proceeding = make_proceeding(persons=[person])
    make_hearing(proceeding)
    make_ruling(proceeding, person)
    make_status(person)
    make_event(persons=[person])
    return person


@pytest.fixture
def persons(lawyer):
    """One person of each visibility, with the same facts, so counts follow visibility."""
    return {
        visibility: make_case(
            f"Secret{visibility.title()} Name",
            visibility=visibility,
            internal_notes=f"NOTE-{visibility}",
            lawyers=[lawyer],
            ethnicity=f"Ethnicity{visibility.title()}",
            sex=Person.Sex.FEMALE,
        )
        for visibility in Person.Visibility.values
    }


# Privacy ----------------------------------------------------------------------------------

WALKS = [
    {},
    {"q": "Secret"},
    {"q": "name variant"},
    {"status": "refugee", "detained": "yes", "sex": "female"},
    {"q": "secret", "from_country": "China", "year_min": "2018", "year_max": "2018"},
]


@pytest.mark.parametrize("reader", READERS)
@pytest.mark.parametrize("params", WALKS)
def test_it_lists_and_counts_only_persons_the_reader_may_see(
    client, request, persons, reader, params
):
    response = get_as(client, request, reader, reverse("cases:directory"), params)
    assert response.status_code == 200
    body = response.content.decode()
    visible = {v for v, readers in MAY_SEE.items() if reader in readers}
    for visibility, person in persons.items():
        shown = visibility in visible
        assert (person.name in body) == shown
        assert (f"{person.name} Variant" in body) == (shown and "variant" in params.get("q", ""))
        assert (person.ref in body) == shown
        assert (f"Ethnicity{visibility.title()}" in body) == shown
    assert "NOTE-" not in body
    assert response.context["page"].paginator.count == len(visible)
    assert facet_counts(response, "status") == {"refugee": len(visible)}
    assert facet_counts(response, "sex") == {"female": len(visible)}
    assert facet_counts(response, "to_country") == {"Kazakhstan": len(visible)}
    assert sum(facet_counts(response, "court").values()) == len(visible)


def test_it_offers_the_visibility_filter_to_signed_in_readers_only(
    client, request, persons, researcher
):
    anonymous = client.get(reverse("cases:directory"), {"visibility": "internal"})
    assert facet_counts(anonymous, "visibility") == {}
    # Ignored for the public, who see public persons only anyway.
    assert names_listed(anonymous) == [persons["public"].name]
    client.force_login(researcher)
    response = client.get(reverse("cases:directory"), {"visibility": "internal"})
    assert names_listed(response) == [persons["internal"].name]
    assert facet_counts(response, "visibility") == {"public": 1, "internal": 1}


# Filters and facets -----------------------------------------------------------------------


@pytest.fixture
def varied(admin_user):
    """Four public persons with different facts, seen by an admin."""
    court = make_authority(name="Zharkent District Court")
    commission = make_authority(name="Migration Commission", kind="migration")
    aqan = make_person(name="Qaisha Aqan", sex="female", ethnicity="Kazakh")
    make_crossing(aqan, date=D(2018, 5, 1), from_country="China", to_country="Kazakhstan")
    make_detention(aqan)
    make_ruling(make_proceeding(persons=[aqan], authority=court), aqan)
    make_status(aqan, authority=commission)

    malikuly = make_person(name="Baghashar Malikuly", sex="male", ethnicity="Kazakh")
    make_crossing(malikuly, date=D(2017, 1, 1), date_precision="year")
    make_crossing(malikuly, date=D(2020, 3, 1), from_country="Kazakhstan", to_country="China")
    make_ruling(
        make_proceeding(persons=[malikuly], authority=court),
        malikuly,
        outcome=Ruling.Outcome.ACQUITTED,
    )
    make_status(
        malikuly,
        status=StatusDecision.Status.ASYLUM_SEEKER,
        outcome="applied",
        decided=D(2020, 1, 15),
    )

    sailau = make_person(name="Sairagul Sauytbay", sex="female", ethnicity="Kazakh")
    make_crossing(sailau, date=D(2018, 4, 1), from_country="China", to_country="Kazakhstan")
    make_detention(sailau)
    make_status(
        sailau,
        status=StatusDecision.Status.THIRD_COUNTRY_ASYLUM,
        decided=D(2019, 11, 1),
    )

    nobody = make_person(name="Zhanar Uighur", sex="female", ethnicity="Uyghur")
    return {
        "court": court,
        "commission": commission,
        "aqan": aqan,
        "malikuly": malikuly,
        "sauytbay": sailau,
        "nobody": nobody,
        "admin": admin_user,
    }


def directory_as_admin(client, varied, params):
    client.force_login(varied["admin"])
    return client.get(reverse("cases:directory"), params)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"status": "refugee"}, ["Qaisha Aqan"]),
        ({"status": "asylum_seeker"}, ["Baghashar Malikuly"]),
        ({"status": "none"}, ["Zhanar Uighur"]),
        ({"outcome": "acquitted"}, ["Baghashar Malikuly"]),
        ({"outcome": "convicted"}, ["Qaisha Aqan"]),
        ({"from_country": "Kazakhstan"}, ["Baghashar Malikuly"]),
        ({"to_country": "Kazakhstan"}, ["Baghashar Malikuly", "Qaisha Aqan", "Sairagul Sauytbay"]),
        ({"year_min": "2018"}, ["Baghashar Malikuly", "Qaisha Aqan", "Sairagul Sauytbay"]),
        ({"year_max": "2017"}, ["Baghashar Malikuly"]),
        # One crossing must fall in the range: 2017 and 2020 do not make 2018–2019.
        ({"year_min": "2018", "year_max": "2019"}, ["Qaisha Aqan", "Sairagul Sauytbay"]),
        ({"detained": "yes"}, ["Qaisha Aqan", "Sairagul Sauytbay"]),
        ({"detained": "no"}, ["Baghashar Malikuly", "Zhanar Uighur"]),
        ({"ethnicity": "Uyghur"}, ["Zhanar Uighur"]),
        ({"sex": "male"}, ["Baghashar Malikuly"]),
        ({"sex": "female", "detained": "yes", "status": "refugee"}, ["Qaisha Aqan"]),
    ],
)
def test_it_filters_by_each_parameter(client, varied, params, expected):
    assert names_listed(directory_as_admin(client, varied, params)) == expected


def test_it_filters_by_court_of_a_proceeding_or_a_status_decision(client, varied):
    by_court = directory_as_admin(client, varied, {"court": varied["court"].pk})
    assert names_listed(by_court) == ["Baghashar Malikuly", "Qaisha Aqan"]
    by_commission = directory_as_admin(client, varied, {"court": varied["commission"].pk})
    assert names_listed(by_commission) == ["Qaisha Aqan"]


def test_each_facet_counts_with_the_other_filters_applied(client, varied):
    response = directory_as_admin(client, varied, {"sex": "female", "detained": "yes"})
    assert names_listed(response) == ["Qaisha Aqan", "Sairagul Sauytbay"]
    # Its own filter left out: how many of either sex were detained.
    assert facet_counts(response, "sex") == {"female": 2}
    assert facet_counts(response, "detained") == {"yes": 2, "no": 1}
    assert facet_counts(response, "status") == {"refugee": 1, "third_country_asylum": 1}
    assert facet_counts(response, "from_country") == {"China": 2}
    assert facet_counts(response, "court") == {
        str(varied["court"].pk): 1,
        str(varied["commission"].pk): 1,
    }
    assert facet_counts(response, "ethnicity") == {"Kazakh": 2}


def test_the_facets_of_an_unfiltered_list_count_every_person(client, varied):
    response = directory_as_admin(client, varied, {})
    assert facet_counts(response, "status") == {
        "refugee": 1,
        "asylum_seeker": 1,
        "third_country_asylum": 1,
        "none": 1,
    }
    assert facet_counts(response, "outcome") == {"convicted": 1, "acquitted": 1}
    assert facet_counts(response, "court") == {
        str(varied["court"].pk): 2,
        str(varied["commission"].pk): 1,
    }
    assert facet_counts(response, "from_country") == {"China": 3, "Kazakhstan": 1}
    assert facet_counts(response, "to_country") == {"Kazakhstan": 3, "China": 1}
    assert facet_counts(response, "ethnicity") == {"Kazakh": 3, "Uyghur": 1}
    assert facet_counts(response, "sex") == {"female": 3, "male": 1}


def test_a_facet_choice_links_to_the_list_it_counts(client, varied):
    response = directory_as_admin(client, varied, {"sex": "female"})
    facet = next(f for f in response.context["facets"] if f.name == "ethnicity")
    kazakh = next(choice for choice in facet.choices if choice.value == "Kazakh")
    assert kazakh.count == 2
    followed = client.get(reverse("cases:directory") + kazakh.url)
    assert followed.context["page"].paginator.count == kazakh.count
    assert f'href="{kazakh.url.replace("&", "&amp;")}"' in response.content.decode()


def test_it_shows_active_filters_as_chips_that_remove_one_filter(client, varied):
    response = directory_as_admin(client, varied, {"sex": "female", "q": "aqan", "page": "1"})
    chips = {chip.label: chip.remove_url for chip in response.context["chips"]}
    assert chips == {"Name": "?sex=female", "Sex": "?q=aqan"}
    body = response.content.decode()
    assert 'href="?sex=female"' in body and "Sex: female" in body


def test_it_finds_and_shows_the_variant_that_matched(client, varied):
    varied["aqan"].variants.create(name="Kaisha Akan")
    response = directory_as_admin(client, varied, {"q": "kaisha"})
    assert names_listed(response) == ["Qaisha Aqan"]
    assert "<mark>Kaisha Akan</mark>" in response.content.decode()
    plain = directory_as_admin(client, varied, {"q": "qaisha"})
    assert "<mark>" not in plain.content.decode()


def test_a_row_shows_status_last_entry_and_year_of_crossing(client, varied):
    make_hearing(
        make_proceeding(persons=[varied["aqan"]]), date=D(2099, 1, 1), title="Planned hearing"
    )
    response = directory_as_admin(client, varied, {"q": "Qaisha Aqan"})
    body = response.content.decode()
    row = body[body.index('class="person-row"') :]
    assert "refugee" in row
    # The latest entry up to today: the status decision of 29 October 2020, not the hearing
    # set for 2099.
    assert "29 October 2020" in row and "Planned hearing" not in row
    assert "<dd>2018</dd>" in row
    malikuly = directory_as_admin(client, varied, {"q": "Malikuly"}).content.decode()
    assert "asylum seeker (applied)" in malikuly


# Sorting and pages ------------------------------------------------------------------------


def test_it_sorts_by_name_last_entry_and_crossing(client, varied):
    def order(sort):
        return names_listed(directory_as_admin(client, varied, {"sort": sort}))

    assert order("name") == [
        "Baghashar Malikuly",
        "Qaisha Aqan",
        "Sairagul Sauytbay",
        "Zhanar Uighur",
    ]
    assert order("-name") == list(reversed(order("name")))
    # Last entries: Aqan's status of October 2020, Malikuly's crossing of March 2020,
    # Sauytbay's status of November 2019; Uighur has nothing dated and comes last either way.
    latest_first = ["Qaisha Aqan", "Baghashar Malikuly", "Sairagul Sauytbay", "Zhanar Uighur"]
    assert order("-last") == latest_first
    assert order("last") == [*reversed(latest_first[:3]), "Zhanar Uighur"]
    assert order("crossed") == [
        "Baghashar Malikuly",
        "Sairagul Sauytbay",
        "Qaisha Aqan",
        "Zhanar Uighur",
    ]
    assert order("-crossed") == [
        "Qaisha Aqan",
        "Sairagul Sauytbay",
        "Baghashar Malikuly",
        "Zhanar Uighur",
    ]


def test_it_ranks_search_results_before_sorting_by_name(client, varied):
    make_person(name="Aqan")
    response = directory_as_admin(client, varied, {"q": "aqan"})
    assert names_listed(response) == ["Aqan", "Qaisha Aqan"]
    assert names_listed(directory_as_admin(client, varied, {"q": "aqan", "sort": "-name"})) == [
        "Qaisha Aqan",
        "Aqan",
    ]


@pytest.fixture
def many():
    return [make_person(name=f"Person {number:02d}", ethnicity="Kazakh") for number in range(30)]


def test_it_pages_by_25_with_the_page_and_filters_in_the_url(client, many):
    first = client.get(reverse("cases:directory"), {"ethnicity": "Kazakh"})
    assert len(first.context["page"].object_list) == 25
    body = first.content.decode()
    assert 'href="?ethnicity=Kazakh&amp;page=2"' in body
    second = client.get(reverse("cases:directory"), {"ethnicity": "Kazakh", "page": "2"})
    assert names_listed(second) == [f"Person {number}" for number in range(25, 30)]
    assert 'aria-current="page"' in second.content.decode()


@pytest.mark.parametrize(("page", "shown"), [("999", 2), ("abc", 1), ("0", 1), ("-3", 1)])
def test_a_page_out_of_range_shows_the_nearest_page(client, many, page, shown):
    response = client.get(reverse("cases:directory"), {"page": page})
    assert response.status_code == 200
    assert response.context["page"].number == shown


# Bad parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"year_min": "abc", "sex": "male"}, "Crossed in or after"),
        ({"status": "bogus", "sex": "male"}, "Current status"),
        ({"court": "999999", "sex": "male"}, "Court or authority"),
        ({"court": "x", "sex": "male"}, "Court or authority"),
        ({"sort": "nonsense", "sex": "male"}, "Sort by"),
        ({"year_max": "99999", "sex": "male"}, "Crossed in or before"),
    ],
)
def test_a_bad_value_is_reported_and_only_that_filter_ignored(client, varied, params, field):
    response = directory_as_admin(client, varied, params)
    assert response.status_code == 200
    assert names_listed(response) == ["Baghashar Malikuly"]
    body = response.content.decode()
    assert "Some filters were not applied" in body
    assert f"<strong>{field}:</strong>" in body
    # Links made from this page drop the bad value.
    bad = next(name for name in params if name != "sex")
    links = [choice.url for facet in response.context["facets"] for choice in facet.choices]
    assert links and all(f"{bad}={params[bad]}" not in link for link in links)


# Page structure ---------------------------------------------------------------------------


def test_the_page_has_labelled_controls_and_a_filters_toggle(client, varied):
    body = directory_as_admin(client, varied, {}).content.decode()
    assert re.search(r'<details class="filter-panel">\s*<summary>Filters', body)
    for control in ("directory-q", "directory-sort", "directory-year-min", "directory-year-max"):
        assert f'<label for="{control}">' in body
        assert f'id="{control}"' in body
    assert 'role="search"' in body
    assert "css/directory.css" in body
    headings = re.findall(r"<h([1-6])", body)
    assert headings[0] == "1"
    assert all(int(b) - int(a) <= 1 for a, b in zip(headings, headings[1:], strict=False))
    assert not re.search(r"<a [^>]*>\s*</a>", body)


# Speed ------------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [3, 30])
@pytest.mark.parametrize(
    "params",
    [
        {},
        {"q": "person"},
        {"q": "Person 1", "sex": "female", "detained": "yes", "year_min": "2018"},
    ],
)
def test_it_runs_a_fixed_number_of_queries(
    client, admin_user, django_assert_max_num_queries, count, params
):
    court = make_authority()
    for number in range(count):
        person = make_case(f"Person {number}", sex="female", visibility="internal")
        make_status(
            person,
            authority=court,
            status="asylum_seeker",
            outcome="applied",
            decided=D(2019, 1, 1),
        )
    client.force_login(admin_user)
    params = {**params, "court": court.pk}
    with django_assert_max_num_queries(15):
        response = client.get(reverse("cases:directory"), params)
    assert response.context["page"].paginator.count >= 1
