"""Before a person's visibility narrows: the typed texts that a wider audience reads and that
name them.

Making a person confidential hides their page and records, but not what others typed about
them: another person's public summary, a source's title or date note, a quote, a shared
hearing's summary. Readers who may not see the person get those texts with the name withheld
(cases/masking.py); the admin narrowing the visibility is shown each of them first
(``texts_naming``), with where it is, so that they can rewrite any that identify the person
in other words ("his cousin, the camp survivor from Tekes"). Nothing is changed for them.
"""

from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from people.models import Person

from .masking import NameMasker
from .models import (
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

BREADTH = {
    Person.Visibility.PUBLIC: 2,
    Person.Visibility.INTERNAL: 1,
    Person.Visibility.CONFIDENTIAL: 0,
}

# Texts of each kind of record in which a name can be typed, and the entry kind on a page.
PERSON_RECORDS = [
    (BorderCrossing, "crossing", ("place", "reason")),
    (Detention, "detention", ("place", "description")),
    (StatusDecision, "status", ("note",)),
    (Ruling, "ruling", ("summary",)),
]
SHARED_RECORDS = [
    (Proceeding, "proceeding", ("charge", "description"), "persons"),
    (Event, "event", ("title", "place", "description"), "persons"),
    (Hearing, "hearing", ("title", "place", "summary"), "proceeding__persons"),
    (Participant, "proceeding", ("name", "note"), "proceeding__persons"),
]
SOURCE_FIELDS = ("title", "publisher", "date_note", "url")
EXCERPT_LENGTH = 300


def narrows(old, new):
    """Whether going from visibility ``old`` to ``new`` leaves some readers without the person."""
    return BREADTH.get(new, 0) < BREADTH.get(old, 0)


@dataclass
class NamingText:
    """One text that names the person: where it is, which field, a link, and the text."""

    where: str
    field: str
    url: str
    text: str
    key: str  # model, pk and field: what the reviewer confirmed having seen

    @property
    def excerpt(self):
        text = " ".join(self.text.split())
        return text if len(text) <= EXCERPT_LENGTH else text[: EXCERPT_LENGTH - 1] + "…"


def _spellings(term):
    # LIKE on SQLite folds the case of ASCII letters only.
    return {term, term.lower(), term.upper(), term.capitalize()}


def _mentions(fields, terms):
    condition = Q(pk__in=[])
    for name in fields:
        for term in terms:
            for spelling in _spellings(term):
                condition |= Q(**{f"{name}__icontains": spelling})
    return condition


def _label(model, name):
    return str(capfirst(model._meta.get_field(name).verbose_name))


def texts_naming(person, names, old, new):
    """Texts readable by someone who may see ``person`` at visibility ``old`` but not at
    ``new`` that name them by one of ``names`` (their name and variants, any script).

    Those texts belong to persons that stay visible more widely than ``visibility``, to the
    shared records of such persons, and to the sources and quotes cited for them.
    """
    masker = NameMasker(names)
    if not masker or not narrows(old, new):
        return []
    wider = [v for v, breadth in BREADTH.items() if breadth > BREADTH[new]]
    others = Person.objects.filter(visibility__in=wider).exclude(pk=person.pk)
    found = []

    def add(model, record, name, where, url):
        text = getattr(record, name)
        if masker.names_someone(text) or (name == "url" and masker.names_someone_in_address(text)):
            key = f"{model._meta.label_lower}:{record.pk}:{name}"
            found.append(NamingText(where, _label(model, name), url, text, key))

    for other in others.filter(_mentions(["public_summary"], masker.terms)):
        add(Person, other, "public_summary", other.name, other.get_absolute_url())

    cited = Q(pk__in=[])
    for model, kind, fields in PERSON_RECORDS:
        records = model.objects.filter(person__in=others)
        cited |= _cited(model, records)
        for record in records.filter(_mentions(fields, masker.terms)).select_related("person"):
            url = f"{record.person.get_absolute_url()}#entry-{kind}-{record.pk}"
            for name in fields:
                add(model, record, name, record.person.name, url)
    for model, kind, fields, link in SHARED_RECORDS:
        records = model.objects.filter(**{f"{link}__in": others}).distinct()
        cited |= _cited(model, records)
        for record in records.filter(_mentions(fields, masker.terms)):
            shown = getattr(record, link.split("__")[0]).persons if "__" in link else record.persons
            other = shown.filter(pk__in=others).order_by("name").first()
            pk = record.proceeding_id if model is Participant else record.pk
            url = f"{other.get_absolute_url()}#entry-{kind}-{pk}"
            for name in fields:
                add(model, record, name, other.name, url)

    citations = Citation.objects.filter(cited)
    sources = Source.objects.filter(pk__in=citations.values("source_id"))
    for source in sources.filter(_mentions(SOURCE_FIELDS, masker.terms)):
        url = reverse("admin:cases_source_change", args=[source.pk])
        for name in SOURCE_FIELDS:
            add(Source, source, name, _("Source: %(title)s") % {"title": source.title}, url)
    for citation in citations.filter(_mentions(["quote"], masker.terms)).select_related("source"):
        url = reverse("admin:cases_citation_change", args=[citation.pk])
        where = _("Quote from %(title)s") % {"title": citation.source.title}
        add(Citation, citation, "quote", where, url)
    return sorted(found, key=lambda text: (text.where, text.field, text.key))


def _cited(model, records):
    # By content type id, so that the (content_type, object_id) index serves it.
    return Q(
        content_type=ContentType.objects.get_for_model(model), object_id__in=records.values("pk")
    )
