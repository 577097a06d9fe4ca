"""Name search: find a person however their name is spelled.

A query matches a person when it matches their name or any of their name variants:

- on PostgreSQL, ignoring case and diacritics (``unaccent``), as a partial match or as a near
  spelling (``pg_trgm``: word similarity or similarity above the extension's thresholds),
  through the GIN trigram indexes of migration people/0003;
- on SQLite, as a case-insensitive partial match (no diacritics or near spellings there).
  SQLite folds the case of ASCII letters only, so a query in another script is also tried
  in lower, upper and title case: "мұсақан" finds "Мұсақанұлы" there too (and on a
  PostgreSQL whose locale does not fold that script).

``filter_by_name`` only filters (for counts and facets); ``rank_by_name`` orders what it
found: the exact name first, then names that start with the query, then names with a word
that starts with it, then partial matches, then near spellings; and it notes which variant
matched. ``search_persons`` (``Person.objects.search(q)``) does both.
"""

import unicodedata

from django.contrib.postgres.lookups import TrigramSimilar, TrigramWordSimilar
from django.contrib.postgres.search import TrigramSimilarity, TrigramWordSimilarity
from django.db import connections
from django.db.models import (
    Case,
    CharField,
    F,
    FloatField,
    Func,
    IntegerField,
    Lookup,
    OuterRef,
    Q,
    Subquery,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest, Least

# Trigram matching on one or two letters matches almost anything.
FUZZY_MIN_LENGTH = 3
# Ranks of a match, best first; NO_MATCH for a name that did not match at all.
EXACT, PREFIX, WORD, CONTAINS, FUZZY, NO_MATCH = range(6)


class Unaccented(Func):
    """The immutable unaccent() wrapper that migration people/0003 creates and indexes."""

    function = "casetracker_unaccent"
    arity = 1
    output_field = TextField()


class ILike(Lookup):
    """PostgreSQL's ILIKE, which a GIN trigram index serves (Django's icontains uses UPPER)."""

    lookup_name = "casetracker_ilike"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def normalize_query(query):
    """The query with surrounding and repeated spaces removed."""
    return " ".join((query or "").split())


def _strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def _spellings(query):
    """The query as typed, in other cases, and without diacritics: LIKE in SQLite folds ASCII
    only, and a database may run under a locale that does not fold other scripts."""
    if query.isascii():
        return [query]
    forms = [query, query.lower(), query.upper(), query.title(), query.capitalize()]
    forms.append(_strip_accents(query))
    return list(dict.fromkeys(forms))


def _escape_like(text):
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class _Matcher:
    """Builds the conditions for one query on the ``name`` column of Person or NameVariant."""

    def __init__(self, query, vendor):
        self.query = query
        self.postgres = vendor == "postgresql"
        self.fuzzy = self.postgres and len(query) >= FUZZY_MIN_LENGTH

    def _ilike(self, pattern):
        return Q(ILike(Unaccented(F("name")), Unaccented(Value(pattern))))

    def level(self, kind):
        """Names matching the query at one level: exact, prefix, word or contains."""
        escaped = _escape_like(self.query)
        if self.postgres:
            pattern = {
                EXACT: escaped,
                PREFIX: f"{escaped}%",
                WORD: f"% {escaped}%",
                CONTAINS: f"%{escaped}%",
            }[kind]
            return self._ilike(pattern)
        lookup = {
            EXACT: ("iexact", ""),
            PREFIX: ("istartswith", ""),
            WORD: ("icontains", " "),
            CONTAINS: ("icontains", ""),
        }[kind]
        condition = Q()
        for spelling in _spellings(self.query):
            condition |= Q(**{f"name__{lookup[0]}": lookup[1] + spelling})
        return condition

    def near(self):
        """Near spellings (PostgreSQL): the query is close to the name or to a word of it."""
        name, query = Unaccented(F("name")), Unaccented(Value(self.query))
        return Q(TrigramWordSimilar(name, query)) | Q(TrigramSimilar(name, query))

    def partial(self):
        """Names that hold the query, ignoring case (and diacritics on PostgreSQL)."""
        if not self.postgres:
            return self.level(CONTAINS)
        # Each spelling too, in case the database's locale does not fold the case of every
        # script; all through the indexed expression.
        condition = Q()
        for spelling in _spellings(self.query):
            condition |= self._ilike(f"%{_escape_like(spelling)}%")
        return condition

    def matches(self):
        """Every name this query finds."""
        return self.partial() | self.near() if self.fuzzy else self.partial()

    def rank(self):
        """EXACT for the exact name … FUZZY for a near spelling, NO_MATCH otherwise."""
        whens = [When(self.level(kind), then=Value(kind)) for kind in (EXACT, PREFIX, WORD)]
        whens.append(When(self.partial(), then=Value(CONTAINS)))
        if self.fuzzy:
            whens.append(When(self.near(), then=Value(FUZZY)))
        return Case(*whens, default=Value(NO_MATCH), output_field=IntegerField())

    def similarity(self):
        """How close the name is to the query, 0 to 1 (PostgreSQL only), to order near ones."""
        name, query = Unaccented(F("name")), Unaccented(Value(self.query))
        return Greatest(TrigramWordSimilarity(query, name), TrigramSimilarity(name, query))


def _matcher(queryset, query):
    return _Matcher(query, connections[queryset.db].vendor)


def filter_by_name(queryset, query):
    """Persons of ``queryset`` whose name or any name variant the query finds."""
    from .models import NameVariant, Person

    query = normalize_query(query)
    if not query:
        return queryset
    matcher = _matcher(queryset, query)
    # A UNION rather than one OR across tables, so that each side can use its index.
    by_name = Person.objects.filter(matcher.matches()).order_by().values("pk")
    by_variant = NameVariant.objects.filter(matcher.matches()).order_by().values("person_id")
    return queryset.filter(pk__in=by_name.union(by_variant))


def search_persons(queryset, query):
    """``filter_by_name``, best matches first, with what matched (see ``rank_by_name``)."""
    return rank_by_name(filter_by_name(queryset, query), query)


def rank_by_name(queryset, query):
    """Persons already found by ``filter_by_name``, best matches first.

    Adds ``search_rank`` (0 exact … 4 near spelling), ``search_similarity`` (PostgreSQL;
    0 elsewhere) and ``matched_variant``: the variant that matched, where it matched better
    than the name itself, else None.
    """
    from .models import NameVariant

    query = normalize_query(query)
    if not query:
        return queryset
    matcher = _matcher(queryset, query)
    best_variants = (
        NameVariant.objects.filter(person=OuterRef("pk"))
        .filter(matcher.matches())
        .annotate(variant_rank=matcher.rank())
    )
    if matcher.postgres:
        best_variants = best_variants.annotate(variant_similarity=matcher.similarity())
        best_variants = best_variants.order_by("variant_rank", "-variant_similarity", "name")
        similarity = Greatest(
            matcher.similarity(),
            Coalesce(
                Subquery(best_variants.values("variant_similarity")[:1]),
                Value(0.0),
                output_field=FloatField(),
            ),
        )
    else:
        best_variants = best_variants.order_by("variant_rank", "name")
        similarity = Value(0.0, output_field=FloatField())
    return (
        queryset.annotate(
            search_name_rank=matcher.rank(),
            search_variant_rank=Coalesce(
                Subquery(best_variants.values("variant_rank")[:1]), Value(NO_MATCH)
            ),
        )
        .annotate(
            search_rank=Least("search_name_rank", "search_variant_rank"),
            search_similarity=similarity,
            matched_variant=Case(
                When(
                    search_variant_rank__lt=F("search_name_rank"),
                    then=Subquery(best_variants.values("name")[:1]),
                ),
                default=Value(None),
                output_field=CharField(),
            ),
        )
        .order_by("search_rank", "-search_similarity", "name", "ref")
    )
