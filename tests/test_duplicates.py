"""Possible duplicates: the same name across scripts and spellings, among visible persons."""

import time

import pytest

from people.duplicates import name_key, possible_duplicates, similarity, trigrams
from tests.factories import make_person

pytestmark = pytest.mark.django_db


def close(first, second):
    return similarity(trigrams(name_key(first)), trigrams(name_key(second)))


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Қайша Ақан", "Qaisha Aqan"),
        ("Қайша Ақан", "Kaisha Akan"),
        ("Кайша Акан", "Kaysha Akan"),
        ("Aqan Qaisha", "Qaisha Aqan"),
        ("Қастер Мұсақанұлы", "Qaster Musakhanuly"),
        ("Сайрагүл Сауытбай", "Sayragul Sauytbai"),
        ("Ержан Азимбаев", "Yerzhan Azimbayev"),
        ("Zhanar Nurlan", "Janar Nurlan"),
        ("Baghashar Malikuly", "Bagashar Malikuly"),
        ("Bağaşar Malikuly", "Baghashar Malikuly"),
    ],
)
def test_it_reads_one_name_the_same_across_scripts_and_spellings(first, second):
    assert close(first, second) == 1.0


def test_it_finds_near_spellings_close_and_other_names_far():
    assert close("Qaster Musakhanuly", "Qaster Musakhauly") > 0.7
    assert close("Abdulla Baqbergen", "Abdullah Bakbergen") > 0.7
    assert close("Murager Alimuly", "Baghashar Malikuly") < 0.2
    assert close("Tilek Tabarikuly", "Qaisha Aqan") < 0.2


def test_it_drops_the_hard_and_soft_signs():
    assert name_key("Подъячев Игорь") == "podiachev igor"


def test_it_keeps_a_script_it_cannot_transliterate_as_written():
    assert name_key("凯莎 阿坎") == "凯莎 阿坎"
    assert close("凯莎 阿坎", "凯莎 阿坎") == 1.0


def names(candidates):
    return [candidate.person.name for candidate in candidates]


def test_it_finds_a_person_whose_variant_is_in_another_script(lawyer):
    person = make_person(name="Qaisha Aqan", variants=["Қайша Ақан"], lawyers=[lawyer])
    make_person(name="Murager Alimuly")
    (candidate,) = possible_duplicates(lawyer, ["Kaisha Akan"])
    assert candidate.person == person
    assert candidate.score == 1.0
    assert candidate.names == ["Қайша Ақан"]


def test_it_finds_a_latin_name_from_a_cyrillic_one(researcher):
    make_person(name="Qaster Musakhanuly", visibility="internal")
    assert names(possible_duplicates(researcher, ["Қастер Мұсақанұлы"])) == ["Qaster Musakhanuly"]


def test_it_compares_the_variants_typed_too(lawyer):
    make_person(name="Sairagul Sauytbay")
    found = possible_duplicates(lawyer, ["S. Sauytbay", "Сайрагүл Сауытбай"])
    assert names(found) == ["Sairagul Sauytbay"]
    assert found[0].typed_name == "Сайрагүл Сауытбай"


def test_the_same_birth_year_makes_a_weaker_name_match_count(lawyer):
    make_person(name="Murager Alimuly", birth_year=1994)
    assert possible_duplicates(lawyer, ["Murat Alimov"]) == []
    assert possible_duplicates(lawyer, ["Murat Alimov"], birth_year=1980) == []
    (candidate,) = possible_duplicates(lawyer, ["Murat Alimov"], birth_year=1995)
    assert candidate.same_birth_year


def test_it_puts_the_best_match_first(lawyer):
    make_person(name="Qaisha Aqanqyzy")
    make_person(name="Qaisha Aqan")
    assert names(possible_duplicates(lawyer, ["Kaisha Akan"])) == [
        "Qaisha Aqan",
        "Qaisha Aqanqyzy",
    ]


def test_it_finds_nothing_for_a_new_name(lawyer):
    make_person(name="Qaisha Aqan")
    assert possible_duplicates(lawyer, ["Tilek Tabarikuly"]) == []
    assert possible_duplicates(lawyer, ["   "]) == []


@pytest.mark.parametrize(
    ("reader", "visibility", "found"),
    [
        ("anonymous", "public", True),
        ("researcher", "internal", True),
        ("researcher", "confidential", False),
        ("other_lawyer", "confidential", False),
        ("lawyer", "confidential", True),
        ("admin_user", "confidential", True),
    ],
)
def test_it_only_compares_persons_the_user_may_see(request, lawyer, reader, visibility, found):
    make_person(
        name="Qaisha Aqan", variants=["Қайша Ақан"], visibility=visibility, lawyers=[lawyer]
    )
    user = request.getfixturevalue(reader)
    assert bool(possible_duplicates(user, ["Қайша Ақан"])) == found


def test_it_makes_four_queries_whatever_the_number_of_persons(
    lawyer, django_assert_max_num_queries
):
    for index in range(30):
        make_person(name=f"Person Number {index}", variants=[f"Variant {index}"])
    make_person(name="Qaisha Aqan")
    lawyer.has_perm("people.view_every_person")  # as in a request, where they are cached
    with django_assert_max_num_queries(4):
        assert names(possible_duplicates(lawyer, ["Qaisha Aqan"])) == ["Qaisha Aqan"]


def test_it_compares_ten_thousand_names_in_well_under_a_second():
    spellings = [trigrams(name_key(f"Qaisha Aqan {index}")) for index in range(10_000)]
    typed = trigrams(name_key("Kaisha Akan"))
    started = time.perf_counter()
    scores = [similarity(grams, typed) for grams in spellings]
    assert time.perf_counter() - started < 0.5
    assert min(scores) > 0.5
