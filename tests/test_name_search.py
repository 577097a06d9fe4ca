"""Name search: however a name is spelled, on PostgreSQL and (more plainly) on SQLite."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection

from people.models import NameVariant, Person
from people.search import filter_by_name
from tests.factories import make_person

pytestmark = pytest.mark.django_db

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="trigram search needs PostgreSQL's pg_trgm"
)


def found(query, persons=None):
    return [person.name for person in (persons or Person.objects.all()).search(query)]


@pytest.fixture
def qaster():
    return make_person(
        name="Qaster Musakhanuly",
        variants=["Қастер Мұсақанұлы", "Kaster Musakhanuly", "哈斯特尔"],
    )


@pytest.fixture
def others():
    return [
        make_person(name="Qaisha Aqan", variants=["Kaisha Akan", "Қайша Ақан"]),
        make_person(name="Baghashar Malikuly"),
    ]


@pytest.mark.parametrize(
    "query", ["Qaster Musakhanuly", "qaster musakhanuly", "musakhan", "  Qaster   MUSAKHANULY "]
)
def test_it_finds_a_name_whole_or_in_part_ignoring_case(qaster, others, query):
    assert found(query) == ["Qaster Musakhanuly"]


@pytest.mark.parametrize(
    "query",
    ["Қастер Мұсақанұлы", "қастер мұсақанұлы", "ҚАСТЕР", "мұсақан", "сақанұ", "Kaster", "哈斯特"],
)
def test_it_finds_a_person_by_any_recorded_variant_in_any_script(qaster, others, query):
    assert found(query) == ["Qaster Musakhanuly"]


def test_it_says_which_variant_matched_when_the_name_did_not(qaster, others):
    result = Person.objects.search("мұсақанұлы").get()
    assert result.matched_variant == "Қастер Мұсақанұлы"
    assert Person.objects.search("Qaster").get().matched_variant is None


def test_it_ignores_diacritics_the_query_has(qaster, others):
    assert found("Musakhanūly") == ["Qaster Musakhanuly"]


def test_it_ranks_the_exact_name_then_prefixes_then_words_then_parts(others):
    for name in ["Amusa Bekov", "Qali Musabekuly", "Musabek Qali", "Musa"]:
        make_person(name=name)
    assert found("musa") == ["Musa", "Musabek Qali", "Qali Musabekuly", "Amusa Bekov"]
    ranks = [person.search_rank for person in Person.objects.search("musa")]
    assert ranks == sorted(ranks) and ranks[0] == 0


def test_it_ranks_a_person_by_their_best_spelling(qaster):
    make_person(name="Kasterov Aidar")
    # The recorded variant "Kaster Musakhanuly" is an exact match: Qaster comes first.
    assert found("Kaster Musakhanuly")[0] == "Qaster Musakhanuly"
    assert Person.objects.search("Kaster Musakhanuly").first().search_rank == 0
    assert set(found("kaster")) == {"Qaster Musakhanuly", "Kasterov Aidar"}


@pytest.mark.parametrize("query", ["%", "_", "\\", "a%b", "zzzz"])
def test_it_takes_wildcards_literally_and_finds_nothing_unrelated(qaster, others, query):
    assert found(query) == []


def test_an_empty_query_leaves_the_list_alone(qaster, others):
    assert len(found("")) == 3
    assert filter_by_name(Person.objects.all(), "   ").count() == 3


def test_it_searches_only_among_persons_the_reader_may_see(qaster):
    make_person(name="Qaster Secret", visibility=Person.Visibility.CONFIDENTIAL)
    visible = Person.objects.visible_to(AnonymousUser())
    assert found("qaster", visible) == ["Qaster Musakhanuly"]


@on_postgresql
@pytest.mark.parametrize(
    "query",
    ["Musakhauly", "Musakanuly", "Mussakhanuly", "Qaster Musakhanully", "Kaster Musahanuly"],
)
def test_it_tolerates_misspellings_and_diacritics_on_postgresql(others, query):
    make_person(name="Qaster Musakhanuly")
    make_person(name="Qaşter Müsakhanuly Ömirbek")
    assert set(found(query)) == {"Qaster Musakhanuly", "Qaşter Müsakhanuly Ömirbek"}
    # Near spellings come after exact and partial ones.
    assert found("musakhanuly") == ["Qaster Musakhanuly", "Qaşter Müsakhanuly Ömirbek"]
    assert all(p.search_rank < 4 for p in Person.objects.search("musakhanuly"))
    assert Person.objects.search(query).first().search_rank == 4


def test_it_indexes_every_spelling_for_trigram_search_on_postgresql_only(qaster):
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            tables = ["people_person", "people_namevariant"]
            names = {
                index
                for table in tables
                for index in connection.introspection.get_constraints(cursor, table)
            }
            assert not any(name.endswith("_trgm") for name in names)
            return
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE indexdef LIKE %s",
            ["%gin (casetracker_unaccent((name)::text) gin_trgm_ops)%"],
        )
        assert {row[0] for row in cursor.fetchall()} == {
            "people_person_name_trgm",
            "people_namevariant_name_trgm",
        }
        # The search's conditions are the indexed expression: the planner uses the indexes
        # once the tables are big enough for an index to beat the tiny unique ones.
        persons = Person.objects.bulk_create(
            Person(name=f"Person {number}", ref=f"zz{number:06d}") for number in range(2000)
        )
        NameVariant.objects.bulk_create(
            NameVariant(person=person, name=f"Variant {person.pk}") for person in persons
        )
        cursor.execute("ANALYZE people_person")
        cursor.execute("ANALYZE people_namevariant")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = filter_by_name(Person.objects.all(), "Musakhauly").explain()
    assert "people_person_name_trgm" in plan
    assert "people_namevariant_name_trgm" in plan
