"""Names in free text: a hidden person's names withheld from typed text at render time.

A shared record never names a person the reader may not see, but typed text can: a public
summary ("crossed with Qaster Musakhanuly"), a source's title or date note, a quote, a
hearing's summary. Such text stays as it was typed (the lawyers who may see everyone read it
whole); what a reader is shown goes through a ``NameMasker`` built for the persons that reader
may not see, which puts "[name withheld]" in place of each of their names.

Which persons: those the reader may not see who are linked to what is shown (the other persons
of a shared proceeding or event, and the persons whose records cite a source the page cites),
fetched with their name variants in one query (``masker_for``).

What counts as a name (``NameMasker``):

- the full name and every variant, in any script, ignoring case and runs of spaces, also
  without diacritics;
- a word of a name on its own ("Musakhanuly" of "Qaster Musakhanuly") only where it is
  distinctive: not the first word (a given name such as "Murat" or "Aisha" is shared by many
  people and masking it would blank unrelated text), at least four letters, not written in a
  script without spaces (one Chinese character is a family name of millions), and not a word
  (or the start of a word) of a name the reader may see on the same page: "Musakhanuly" is
  not masked on a page where a visible "Murager Musakhanuly" appears;
- at the start of a word, and through the letters that follow each of its words: Kazakh and
  Russian add case endings to names ("Мұсақанұлының"), and a Cyrillic word ending in a vowel
  or soft sign loses it before the ending ("Сайрагуль", "Сайрагули");
- a word of a name on its own, and a name of one word, only with a capital first letter: a
  surname that is also a word ("Said", "Baker", "Hope") is masked where it names someone,
  not everywhere the word is used.

Masking over-reaches rather than under-reaches: a hidden person's name is what endangers them.
"""

import re
import unicodedata
from copy import copy

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.utils.translation import gettext_lazy

from people.models import NameVariant, Person, is_admin

from .models import (
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    StatusDecision,
)

WITHHELD_NAME = gettext_lazy("[name withheld]")

# A word of a name masked on its own must be at least this long (letters).
MIN_PART_LENGTH = 4
MIN_NAME_LENGTH = 2
CYRILLIC_ENDINGS = "аеёиоуыэюяіұүөәьй"


def _strip_accents(text):
    decomposed = unicodedata.normalize("NFKD", text)
    return unicodedata.normalize(
        "NFC", "".join(char for char in decomposed if not unicodedata.combining(char))
    )


def _is_cjk(text):
    return any(unicodedata.name(char, "").startswith("CJK") for char in text)


def _is_cyrillic(text):
    return any(unicodedata.name(char, "").startswith("CYRILLIC") for char in text)


def _words(text):
    return [word for word in re.split(r"[\s\-‐‑–—.,]+", text) if word]


def _stem(word):
    """A Cyrillic word without the vowel or soft sign that a case ending replaces."""
    if _is_cyrillic(word) and len(word) >= 5 and word[-1].lower() in CYRILLIC_ENDINGS:
        return word[:-1]
    return word


def _pattern(name, capitalised=False):
    """One name as a regex: its words separated by any spaces, each word with any ending.

    ``capitalised``: the first letter only as a capital, for a word of a name on its own: a
    surname that is also a word ("Person", "Said") is masked as a name, not as the word."""
    words = [re.escape(_stem(word)) for word in name.split()]
    if capitalised and name[0].upper() != name[0].lower():
        words[0] = f"(?-i:{re.escape(name[0].upper())})" + re.escape(_stem(name)[1:])
    return r"\w*\s+".join(words)


class NameMasker:
    """Replaces the names of some persons in a text with "[name withheld]".

    ``names``: the full names and variants of the persons to withhold; ``keep``: names the
    reader may see (on the same page), whose words are never masked on their own.
    """

    def __init__(self, names=(), keep=()):
        keep_words = {word.casefold() for name in keep for word in _words(name)}
        patterns = set()
        # In an address a name is lower case, its words joined by hyphens or nothing.
        address_patterns = set()
        # A piece of each name every match contains: to find candidate texts in the database.
        self.terms = set()
        for name in names:
            name = " ".join(name.split())
            if len(name) < MIN_NAME_LENGTH:
                continue
            for form in {name, _strip_accents(name)}:
                # A one-word name ("Hope", "Nur") is a word too: masked with its capital.
                patterns.add(_pattern(form, capitalised=" " not in form and not _is_cjk(form)))
                address_patterns.add(r"[\W_]*".join(map(re.escape, _words(form))))
                self.terms.add(_stem(form.split()[0]))
                for word in _words(form)[1:]:
                    if self._distinctive(word, keep_words):
                        patterns.add(_pattern(word, capitalised=True))
                        address_patterns.add(re.escape(word))
                        self.terms.add(_stem(word))
        self.regex = self.address_regex = None
        if patterns:
            ordered = sorted(patterns, key=len, reverse=True)
            self.regex = re.compile(r"(?<!\w)(?:" + "|".join(ordered) + r")\w*", re.IGNORECASE)
            self.address_regex = re.compile("|".join(address_patterns), re.IGNORECASE)

    @staticmethod
    def _distinctive(word, keep_words):
        if len(word) < MIN_PART_LENGTH or _is_cjk(word):
            return False
        folded = word.casefold()
        return not any(kept.startswith(folded) for kept in keep_words)

    def __bool__(self):
        return self.regex is not None

    def __call__(self, text):
        """``text`` with every name replaced; anything that is not a string as it came."""
        if not self.regex or not isinstance(text, str) or not text:
            return text
        return self.regex.sub(str(WITHHELD_NAME), text)

    def names_someone(self, text):
        return bool(self.regex and isinstance(text, str) and self.regex.search(text))

    def names_someone_in_address(self, url):
        return bool(self.address_regex and isinstance(url, str) and self.address_regex.search(url))


NO_MASKING = NameMasker()


# --- Which persons ---------------------------------------------------------------------------


def citing_person_queries(source_ids):
    """The ids of the persons with a record that cites one of ``source_ids`` (a list or a
    query): one query of ``person_id`` per way a record reaches a person, to be joined with
    UNION. Each goes from the citations of those sources (by source and content type id, so
    that the citations' indexes serve it) to the record and its persons."""
    own = [
        model.objects.filter(citations__source_id__in=source_ids).order_by().values("person_id")
        for model in (BorderCrossing, Detention, StatusDecision, Ruling)
    ]
    members = Proceeding.persons.through.objects
    proceedings = [
        members.filter(**{f"{path}__in": source_ids}).values("person_id")
        for path in (
            "proceeding__citations__source_id",
            "proceeding__hearings__citations__source_id",
            "proceeding__participants__citations__source_id",
        )
    ]
    events = Event.persons.through.objects.filter(event__citations__source_id__in=source_ids)
    return [*own, *proceedings, events.values("person_id")]


def _citing_persons(source_ids):
    """A condition on Person: with a record that cites one of ``source_ids``."""
    queries = citing_person_queries(source_ids)
    return Q(pk__in=queries[0].union(*queries[1:], all=True))


def linked_persons(*, proceedings=None, events=None, sources=None):
    """A condition on Person: the persons of these proceedings or events, or with a record
    citing one of these sources (each a list of ids or a query of them)."""
    condition = Q(pk__in=[])
    if proceedings is not None:
        through = Proceeding.persons.through.objects
        condition |= Q(pk__in=through.filter(proceeding_id__in=proceedings).values("person_id"))
    if events is not None:
        through = Event.persons.through.objects
        condition |= Q(pk__in=through.filter(event_id__in=events).values("person_id"))
    if sources is not None:
        condition |= _citing_persons(sources)
    return condition


def sharing_a_record_with(persons):
    """A condition on Person: those sharing a proceeding or an event with ``persons`` (ids
    or a query of them)."""
    return linked_persons(
        proceedings=Proceeding.persons.through.objects.filter(person_id__in=persons).values(
            "proceeding_id"
        ),
        events=Event.persons.through.objects.filter(person_id__in=persons).values("event_id"),
    )


def hidden_persons(user, linked):
    """The persons ``user`` may not see among ``linked`` (a condition on Person, see
    ``linked_persons``), as a queryset; None for an admin, who sees everyone."""
    if user is not None and is_admin(user):
        return None
    return (
        Person.objects.filter(linked)
        .exclude(pk__in=Person.objects.visible_to(user).values("pk"))
        .order_by()
    )


def masker_for(user, linked, keep=()):
    """A masker of the names and variants of every person ``user`` may not see among
    ``linked``: one query, none for an admin."""
    hidden = hidden_persons(user, linked)
    if hidden is None:
        return NO_MASKING
    names = hidden.values_list("name", flat=True).union(
        NameVariant.objects.filter(person__in=hidden.values("pk"))
        .order_by()
        .values_list("name", flat=True),
        all=True,
    )
    return NameMasker(list(names), keep=keep)


def admin_masker(user):
    """The masker of the admin's read-only pages, which list records of many persons at once:
    the names of every person the reader may not see. One query; at many thousands of
    hidden persons the pattern grows with them (see the Scale issue)."""
    return masker_for(user, Q())


def masked_copy(source, masker):
    """A source as the reader may read it: names withheld from its texts, and no link where
    its address names a hidden person (the link would spell it out). Never saved."""
    if not masker:
        return source
    shown = copy(source)
    for name in ("title", "publisher", "date_note"):
        setattr(shown, name, masker(getattr(source, name)))
    if masker.names_someone_in_address(source.url):
        shown.url = ""
    return shown


# --- The lawyer's pages of a person's case ---------------------------------------------------


def case_masker(user, person, *, proceedings=(), events=(), sources=None):
    """The masker of a lawyer's page of ``person``'s case (a record's form, a delete
    confirmation): the names of the persons ``user`` may not see who share a proceeding or an
    event with the person (or one of ``proceedings``, ``events``: ids), or who have a record
    citing one of ``sources`` (ids or a query of them).

    The names the page shows are kept (see ``NameMasker``): the person's and their variants,
    the other persons of these records whom the user may see, the participants. Nothing for an
    admin; two queries otherwise."""
    if user is not None and is_admin(user):
        return NO_MASKING
    proceeding_ids = Proceeding.objects.filter(
        Q(pk__in=Proceeding.persons.through.objects.filter(person=person).values("proceeding_id"))
        | Q(pk__in=list(proceedings))
    ).values("pk")
    event_ids = Event.objects.filter(
        Q(pk__in=Event.persons.through.objects.filter(person=person).values("event_id"))
        | Q(pk__in=list(events))
    ).values("pk")
    shared = linked_persons(proceedings=proceeding_ids, events=event_ids)
    keep = (
        Person.objects.filter(shared | Q(pk=person.pk))
        .filter(pk__in=Person.objects.visible_to(user).values("pk"))
        .order_by()
        .values_list("name", flat=True)
        .union(
            NameVariant.objects.filter(person=person).order_by().values_list("name", flat=True),
            Participant.objects.filter(proceeding_id__in=proceeding_ids)
            .order_by()
            .values_list("name", flat=True),
            all=True,
        )
    )
    linked = linked_persons(proceedings=proceeding_ids, events=event_ids, sources=sources)
    return masker_for(user, linked, keep=list(keep))


def sources_cited_in_case(person):
    """The ids of the sources cited on ``person``'s records (those their page shows, and
    their proceedings' participants): one query, read as a list (see ``edit_masker``)."""
    proceedings = Proceeding.persons.through.objects.filter(person=person).values("proceeding_id")
    records = [
        BorderCrossing.objects.filter(person=person),
        Detention.objects.filter(person=person),
        StatusDecision.objects.filter(person=person),
        Ruling.objects.filter(person=person),
        Proceeding.objects.filter(pk__in=proceedings),
        Hearing.objects.filter(proceeding_id__in=proceedings),
        Participant.objects.filter(proceeding_id__in=proceedings),
        Event.objects.filter(persons=person),
    ]
    # By content type id: the (content_type, object_id) index serves it.
    types = ContentType.objects.get_for_models(*(queryset.model for queryset in records))
    condition = Q(pk__in=[])
    for queryset in records:
        condition |= Q(
            content_type_id=types[queryset.model].pk, object_id__in=queryset.values("pk")
        )
    cited = Citation.objects.filter(condition).order_by().values_list("source_id", flat=True)
    return list(cited.distinct())


def person_masker(user, person):
    """The masker of a lawyer's form of ``person`` themselves, as that of their page: the
    names of the persons ``user`` may not see who share a proceeding or an event with the
    person, or a source cited on their records. The person's own names are kept."""
    if user is not None and is_admin(user):
        return NO_MASKING
    return case_masker(user, person, sources=sources_cited_in_case(person))
