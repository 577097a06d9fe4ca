"""Possible duplicates of a person about to be entered, so the same refugee is not entered twice.

Sources spell one name many ways: "Қайша Ақан" in Kazakh Cyrillic, "Кайша Акан" in Russian,
"Qaisha Aqan" or "Kaisha Akan" in English. Every name is reduced to a *key*: transliterated
from Cyrillic to Latin, without diacritics, lower case, with the letters transliterations
disagree on folded together (q/k, kh/h, gh/g, zh/j, y/i…). Two names are compared by the
trigram similarity of their keys (the measure pg_trgm uses, computed here), so the check
behaves the same on SQLite and PostgreSQL.

Why not pg_trgm in the database: it compares the names as stored, and the case that matters
most — a Cyrillic variant against a Latin spelling — shares no trigrams at all until both are
transliterated. The keys are computed in Python over the names of the persons the user may
see: two queries, and about a hundred thousand names a second (see tests/test_duplicates.py).

Only persons the user may see are compared: a confidential person's name never reaches a
user who may not see them, nor is their existence hinted at.
"""

import re
import unicodedata
from dataclasses import dataclass, field

from .models import NameVariant, Person

# Kazakh and Russian Cyrillic to Latin, close to the spellings the sources use.
CYRILLIC = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "gh", "д": "d", "е": "e",
    "ё": "yo", "ж": "zh", "з": "z", "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l",
    "м": "m", "н": "n", "ң": "ng", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s",
    "т": "t", "у": "u", "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "і": "i", "ь": "", "э": "e",
    "ю": "yu", "я": "ya",
}  # fmt: skip

# Letters of the Kazakh Latin alphabets (and Turkish) that stand for two letters elsewhere.
LATIN = {"ş": "sh", "ç": "ch", "ğ": "gh", "ñ": "ng", "ı": "y"}

TRANSLITERATION = {**CYRILLIC, **LATIN}

# Letters and digraphs that different transliterations of one name disagree on.
# Kazakh қ is written q, k or kh, so kh folds to k with them; Russian е is often "ye".
FOLDS = [
    ("shch", "sh"),
    ("kh", "k"),
    ("gh", "g"),
    ("zh", "j"),
    ("dj", "j"),
    ("ts", "c"),
    ("q", "k"),
    ("x", "k"),
    ("w", "u"),
    ("ye", "e"),
    ("y", "i"),
]

# How similar two keys must be: on the name alone, or with the same birth year.
NAME_THRESHOLD = 0.5
NAME_AND_YEAR_THRESHOLD = 0.3
# Birth years are usually worked out from an age a source gives, so they are off by one.
BIRTH_YEAR_TOLERANCE = 1
MAX_CANDIDATES = 8


def name_key(name):
    """The spelling-independent form of a name: 'Қайша Ақан' and 'Kaysha Akan' → 'kaisha akan'."""
    text = unicodedata.normalize("NFKC", name or "").casefold()
    text = "".join(TRANSLITERATION.get(char, char) for char in text)
    text = "".join(
        char for char in unicodedata.normalize("NFKD", text) if not unicodedata.combining(char)
    )
    latin = re.sub(r"[^a-z0-9]+", " ", text)
    if not latin.strip():
        # A script without a transliteration here (Chinese, Arabic): compare as written.
        return " ".join(re.sub(r"[\W_]+", " ", text).split())
    for spelling, folded in FOLDS:
        latin = latin.replace(spelling, folded)
    latin = re.sub(r"(.)\1+", r"\1", latin)  # "Nurrlan", "Assel"
    return " ".join(latin.split())


def trigrams(key):
    """The trigrams of a key as pg_trgm counts them: each word padded, two spaces before."""
    grams = set()
    for word in key.split():
        padded = f"  {word} "
        grams.update(padded[index : index + 3] for index in range(len(padded) - 2))
    return frozenset(grams)


def similarity(first, second):
    """Trigram similarity of two keys' trigram sets, 0 to 1."""
    if not first or not second:
        return 0.0
    return len(first & second) / len(first | second)


@dataclass
class Candidate:
    """A person on record who may be the one being entered."""

    person: Person
    score: float
    matched_name: str  # the name or variant of the person that matched best
    typed_name: str  # the name typed that it matched
    same_birth_year: bool
    names: list = field(default_factory=list)

    @property
    def percent(self):
        return round(self.score * 100)


def possible_duplicates(user, names, birth_year=None, *, exclude=None, limit=MAX_CANDIDATES):
    """Persons ``user`` may see whose name or a variant is close to one of ``names``.

    A candidate is close on the name alone (NAME_THRESHOLD) or, less close, with the same
    birth year (within BIRTH_YEAR_TOLERANCE). Best matches first. Four queries whatever the
    number of persons (names, variants, then the candidates with their variants), once the
    user's permissions are known.
    """
    typed = {}
    for name in names:
        key = name_key(name)
        if key:
            typed.setdefault(key, (name, trigrams(key)))
    if not typed:
        return []
    persons = Person.objects.visible_to(user)
    if exclude is not None:
        persons = persons.exclude(pk=exclude.pk)

    birth_years = {}
    spellings = []
    for pk, name, year in persons.values_list("pk", "name", "birth_year"):
        birth_years[pk] = year
        spellings.append((pk, name))
    spellings += list(
        NameVariant.objects.filter(person__in=persons.values("pk")).values_list("person_id", "name")
    )

    best = {}
    for pk, name in spellings:
        grams = trigrams(name_key(name))
        for typed_name, typed_grams in typed.values():
            score = similarity(grams, typed_grams)
            if score > best.get(pk, (0.0,))[0]:
                best[pk] = (score, name, typed_name)

    matches = {}
    for pk, (score, matched, typed_name) in best.items():
        year = birth_years.get(pk)
        same_year = (
            birth_year is not None
            and year is not None
            and abs(year - birth_year) <= BIRTH_YEAR_TOLERANCE
        )
        if score >= NAME_THRESHOLD or (same_year and score >= NAME_AND_YEAR_THRESHOLD):
            matches[pk] = (
                score + (0.1 if same_year else 0.0),
                score,
                matched,
                typed_name,
                same_year,
            )
    chosen = sorted(matches, key=lambda pk: -matches[pk][0])[:limit]
    found = Person.objects.filter(pk__in=chosen).prefetch_related("variants")
    candidates = [
        Candidate(
            person=person,
            score=matches[person.pk][1],
            matched_name=matches[person.pk][2],
            typed_name=matches[person.pk][3],
            same_birth_year=matches[person.pk][4],
            names=[variant.name for variant in person.variants.all()],
        )
        for person in found
    ]
    candidates.sort(key=lambda candidate: (-matches[candidate.person.pk][0], candidate.person.name))
    return candidates
