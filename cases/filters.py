"""The directory's filters, facet counts and rows: /people/ and /people.json share them.

``PersonFilter`` validates the GET parameters (a bad value becomes a form error and that one
filter is ignored) and turns each valid one into a condition on Person. The same conditions
filter the list and count the facets, so a count always says how many persons a choice
would leave. Everything starts from ``Person.objects.visible_to(user)``: a person the reader
may not see is neither listed nor counted.

Query budget, whatever the number of persons: facets take four queries (a GROUP BY for the
current status, one aggregate for the other fixed choices, one UNION of GROUP BYs for
countries and ethnicity, one for courts),
the list two (count and page), and ``attach_last_entries`` one (a UNION over record kinds).
"""

import datetime
from dataclasses import dataclass, field

import django_filters
from django import forms
from django.db.models import (
    CharField,
    Count,
    DateField,
    Exists,
    F,
    Func,
    IntegerField,
    OuterRef,
    Q,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, NullIf
from django.db.models.lookups import Exact, IsNull
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casetracker.dates import ApproximateDate
from people.models import Person
from people.search import filter_by_name, normalize_query, rank_by_name

from .models import (
    Authority,
    BorderCrossing,
    Detention,
    Event,
    Hearing,
    Proceeding,
    Ruling,
    StatusDecision,
)
from .models.statuses import annotate_current_status
from .timeline import KIND_LABELS

NO_STATUS = "none"
YEAR_BOUNDS = (1900, 2100)
# Sentinel for "no dated entry", so that GREATEST works alike on SQLite (NULL if any NULL).
NO_DATE = datetime.date(1, 1, 1)


class YearFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField


class PersonFilter(django_filters.FilterSet):
    """GET parameters of the directory; ``results()`` is the list, ``facets()`` the counts."""

    q = django_filters.CharFilter(label=_("Name"), max_length=200)
    status = django_filters.ChoiceFilter(
        label=_("Current status"),
        choices=[*StatusDecision.Status.choices, (NO_STATUS, _("no status recorded"))],
    )
    outcome = django_filters.ChoiceFilter(label=_("Ruling"), choices=Ruling.Outcome.choices)
    court = django_filters.ModelChoiceFilter(
        label=_("Court or authority"), queryset=Authority.objects.all()
    )
    from_country = django_filters.CharFilter(label=_("Crossed from"))
    to_country = django_filters.CharFilter(label=_("Crossed into"))
    year_min = YearFilter(
        label=_("Crossed in or after"),
        min_value=YEAR_BOUNDS[0],
        max_value=YEAR_BOUNDS[1],
    )
    year_max = YearFilter(
        label=_("Crossed in or before"),
        min_value=YEAR_BOUNDS[0],
        max_value=YEAR_BOUNDS[1],
    )
    detained = django_filters.ChoiceFilter(
        label=_("Detention recorded"), choices=[("yes", _("yes")), ("no", _("no"))]
    )
    ethnicity = django_filters.CharFilter(label=_("Ethnicity"))
    sex = django_filters.ChoiceFilter(label=_("Sex"), choices=Person.Sex.choices)
    visibility = django_filters.ChoiceFilter(
        label=_("Visibility"), choices=Person.Visibility.choices
    )
    sort = django_filters.ChoiceFilter(
        label=_("Sort by"),
        choices=[
            ("relevance", _("best match")),
            ("name", _("name, A to Z")),
            ("-name", _("name, Z to A")),
            ("-last", _("latest entry first")),
            ("last", _("earliest entry first")),
            ("-crossed", _("latest crossing first")),
            ("crossed", _("earliest crossing first")),
        ],
    )

    # Facets whose choices are fixed: counted together in one aggregate query. The status
    # facet is grouped on its own: as one FILTER per choice it would evaluate the current-status
    # subquery once per choice and person.
    FIXED_FACETS = ("outcome", "detained", "sex", "visibility")
    # Facets whose choices are the values recorded: one UNION of GROUP BY queries.
    VALUE_FACETS = ("from_country", "to_country", "ethnicity")
    FACET_ORDER = (
        "status",
        "outcome",
        "court",
        "from_country",
        "to_country",
        "detained",
        "ethnicity",
        "sex",
        "visibility",
    )
    # Parameters that are not filters: they never become chips.
    NOT_FILTERS = ("sort",)

    def __init__(self, data=None, queryset=None, *, request, prefix=None):
        self.user = request.user
        if queryset is None:
            queryset = Person.objects.visible_to(self.user)
        super().__init__(data, queryset, request=request, prefix=prefix)
        # ?court=<id> of an authority the reader may not see would name it in a chip.
        self.filters["court"].queryset = Authority.objects.visible_to(self.user)
        if not self.user.is_authenticated:
            # Visibility means nothing to the public, who see public persons only.
            del self.filters["visibility"]

    # Conditions ---------------------------------------------------------------------------

    @property
    def query(self):
        return normalize_query(self.cleaned.get("q"))

    @property
    def cleaned(self):
        """The valid, non-empty values; an invalid parameter is left out."""
        if not hasattr(self, "_cleaned"):
            self.form.is_valid()
            self._cleaned = {
                name: value
                for name, value in self.form.cleaned_data.items()
                if value not in (None, "")
            }
        return self._cleaned

    def conditions(self):
        """One Q per active filter, by filter name (the year bounds together as "year")."""
        cleaned = self.cleaned
        found = {
            name: condition(cleaned[name])
            for name, condition in CONDITIONS.items()
            if name in cleaned and name in self.filters
        }
        if "year_min" in cleaned or "year_max" in cleaned:
            found["year"] = crossed_in_years(cleaned.get("year_min"), cleaned.get("year_max"))
        return found

    def _conditions_except(self, facet):
        combined = Q()
        for name, condition in self.conditions().items():
            if name != facet:
                combined &= condition
        return combined

    def _searched(self):
        return filter_by_name(self.queryset, self.query)

    def filter_queryset(self, queryset):
        queryset = filter_by_name(queryset, self.query)
        return queryset.filter(*self.conditions().values())

    @property
    def ordering(self):
        return self.cleaned.get("sort") or ("relevance" if self.query else "name")

    def results(self):
        """The filtered persons with what a row shows, in the order asked for."""
        persons = annotate_directory(self.qs)
        if self.query:
            persons = rank_by_name(persons, self.query)
        if self.ordering == "relevance" and self.query:
            return persons
        orderings = {
            "name": [F("name").asc()],
            "-name": [F("name").desc()],
            "last": [F("last_entry_date").asc(nulls_last=True)],
            "-last": [F("last_entry_date").desc(nulls_last=True)],
            "crossed": [F("crossing_date").asc(nulls_last=True)],
            "-crossed": [F("crossing_date").desc(nulls_last=True)],
        }
        return persons.order_by(*orderings.get(self.ordering, orderings["name"]), "name", "ref")

    # Facets -------------------------------------------------------------------------------

    def facets(self):
        """Every facet with its choices and counts, the other active filters applied."""
        counts = {
            **self._status_counts(),
            **self._fixed_counts(),
            **self._value_counts(),
            **self._court_counts(),
        }
        facets = []
        for name in self.FACET_ORDER:
            if name not in self.filters:
                continue
            selected = self.data.get(name, "") if name in self.cleaned else ""
            choices = [
                FacetChoice(
                    value=value,
                    label=label,
                    count=count,
                    selected=value == selected,
                    url=self.link(**{name: None if value == selected else value}),
                )
                for value, label, count in counts.get(name, [])
                if count or value == selected
            ]
            if choices:
                facets.append(Facet(name, self.filters[name].label, choices))
        return facets

    def _fixed_counts(self):
        aggregates, keys = {}, {}
        for facet in self.FIXED_FACETS:
            if facet not in self.filters:
                continue
            others = self._conditions_except(facet)
            for index, (value, label) in enumerate(self.filters[facet].extra["choices"]):
                alias = f"{facet}_{index}"
                keys[alias] = (facet, value, label)
                matching = others & CONDITIONS[facet](value)
                aggregates[alias] = Count("pk", filter=matching)
        totals = self._searched().aggregate(**aggregates)
        counts = {}
        for alias, (facet, value, label) in keys.items():
            counts.setdefault(facet, []).append((value, label, totals[alias]))
        return counts

    def _status_counts(self):
        rows = (
            self._searched()
            .filter(self._conditions_except("status"))
            .annotate(current=current_status_expression())
            .order_by()
            .values("current")
            .annotate(count=Count("pk"))
            .values_list("current", "count")
        )
        totals = {current or NO_STATUS: count for current, count in rows}
        choices = self.filters["status"].extra["choices"]
        return {"status": [(value, label, totals.get(value, 0)) for value, label in choices]}

    def _value_counts(self):
        branches = []
        for facet in self.VALUE_FACETS:
            persons = self._searched().filter(self._conditions_except(facet))
            if facet == "ethnicity":
                rows = persons.exclude(ethnicity="").values(value=F("ethnicity"))
                count = Count("pk")
            else:
                rows = BorderCrossing.objects.filter(person__in=persons.values("pk")).values(
                    value=F(facet)
                )
                count = Count("person", distinct=True)
            branches.append(
                rows.order_by()
                .annotate(count=count, facet=Value(facet, output_field=CharField()))
                .values_list("facet", "value", "count")
            )
        counts = {}
        for facet, value, count in branches[0].union(*branches[1:], all=True):
            counts.setdefault(facet, []).append((value, value, count))
        for choices in counts.values():
            choices.sort(key=lambda choice: (-choice[2], choice[1]))
        return counts

    def _court_counts(self):
        persons = (
            self._searched()
            .filter(self._conditions_except("court"))
            .filter(concerned_by_authority(OuterRef(OuterRef("pk"))))
            .order_by()
            .annotate(total=Func(F("pk"), function="COUNT", output_field=IntegerField()))
            .values("total")
        )
        authorities = (
            Authority.objects.annotate(count=Subquery(persons))
            .filter(count__gt=0)
            .order_by("-count", "name", "country")
        )
        return {"court": [(str(a.pk), str(a), a.count) for a in authorities]}

    # Links --------------------------------------------------------------------------------

    def params(self):
        """The valid, non-empty parameters as given, in a stable order."""
        return [
            (name, self.data.get(name))
            for name in self.filters
            if name in self.cleaned and self.data.get(name)
        ]

    def link(self, **changes):
        """The query string of this list with some parameters changed (None drops one).

        The page is dropped unless given: another filter starts again on page 1."""
        params = dict(self.params())
        page = changes.pop("page", None)
        for name, value in changes.items():
            if value is None:
                params.pop(name, None)
            else:
                params[name] = value
        if page and page != 1:
            params["page"] = page
        return f"?{urlencode(params)}" if params else "?"

    def hidden_params(self, *names):
        """Parameters to carry as hidden inputs in a form that sets ``names`` itself."""
        return [(name, value) for name, value in self.params() if name not in names]

    @property
    def hidden_inputs(self):
        """Hidden inputs for each form of the page, which sets its own parameters."""
        return {
            "search": self.hidden_params("q"),
            "years": self.hidden_params("year_min", "year_max"),
            "sort": self.hidden_params("sort"),
        }

    def chips(self):
        """The active filters, each with a link that removes it."""
        chips = []
        for name, value in self.params():
            if name in self.NOT_FILTERS:
                continue
            form_field = self.form.fields[name]
            if name == "court":
                shown = str(self.cleaned["court"])
            elif hasattr(form_field, "choices"):
                shown = dict(form_field.choices).get(value, value)
            else:
                shown = value
            chips.append(Chip(self.filters[name].label, shown, self.link(**{name: None})))
        return chips

    def error_messages(self):
        """(label, message) for every parameter that was ignored."""
        return [
            (self.filters[name].label if name in self.filters else name, message)
            for name, messages in self.form.errors.items()
            for message in messages
        ]


@dataclass
class FacetChoice:
    value: str
    label: str
    count: int
    selected: bool
    url: str


@dataclass
class Facet:
    name: str
    label: str
    choices: list = field(default_factory=list)


@dataclass
class Chip:
    label: str
    value: str
    remove_url: str


# The conditions, one per filter: each is a Q on Person without joins that multiply rows,
# so that it can filter a list and sit in an aggregate's FILTER alike.


def current_status_expression():
    """The status of a person's latest decision in force (as annotate_current_status)."""
    latest = StatusDecision.objects.in_force().filter(person=OuterRef("pk")).latest_first()
    return Subquery(latest.values("status")[:1])


def has_current_status(value):
    if value == NO_STATUS:
        return Q(IsNull(current_status_expression(), True))
    return Q(Exact(current_status_expression(), value))


def has_ruling(outcome):
    return Q(Exists(Ruling.objects.filter(person=OuterRef("pk"), outcome=outcome)))


def concerned_by_authority(authority):
    """A proceeding, ruling or status decision of the person before this authority."""
    proceedings = Proceeding.persons.through.objects.filter(
        person=OuterRef("pk"), proceeding__authority=authority
    )
    rulings = Ruling.objects.filter(person=OuterRef("pk"), proceeding__authority=authority)
    decisions = StatusDecision.objects.filter(person=OuterRef("pk"), authority=authority)
    return Q(Exists(proceedings)) | Q(Exists(rulings)) | Q(Exists(decisions))


def crossed_from(country):
    return Q(Exists(BorderCrossing.objects.filter(person=OuterRef("pk"), from_country=country)))


def crossed_into(country):
    return Q(Exists(BorderCrossing.objects.filter(person=OuterRef("pk"), to_country=country)))


def crossed_in_years(first=None, last=None):
    """One crossing in the range: its first possible day falls in those years."""
    crossings = BorderCrossing.objects.filter(person=OuterRef("pk"), date__isnull=False)
    if first is not None:
        crossings = crossings.filter(date__year__gte=first)
    if last is not None:
        crossings = crossings.filter(date__year__lte=last)
    return Q(Exists(crossings))


def was_detained(answer):
    detained = Q(Exists(Detention.objects.filter(person=OuterRef("pk"))))
    return detained if answer == "yes" else ~detained


CONDITIONS = {
    "status": has_current_status,
    "outcome": has_ruling,
    "court": lambda authority: concerned_by_authority(getattr(authority, "pk", authority)),
    "from_country": crossed_from,
    "to_country": crossed_into,
    "detained": was_detained,
    "ethnicity": lambda value: Q(ethnicity=value),
    "sex": lambda value: Q(sex=value),
    "visibility": lambda value: Q(visibility=value),
}


# Rows: the last entry of each person, and the year they crossed.


@dataclass(frozen=True)
class EntrySource:
    """Where a kind of timeline entry keeps its person, its date and the words of its title."""

    kind: str
    model: type
    person: str
    date: str
    first: object
    second: object


def _text(path):
    return Coalesce(F(path), Value(""), output_field=CharField())


ENTRY_SOURCES = [
    EntrySource(
        "crossing", BorderCrossing, "person", "date", _text("from_country"), _text("to_country")
    ),
    EntrySource("detention", Detention, "person", "start", _text("kind"), _text("authority__name")),
    EntrySource("event", Event, "persons", "date", _text("title"), Value("")),
    EntrySource(
        "hearing",
        Hearing,
        "proceeding__persons",
        "date",
        _text("proceeding__authority__name"),
        _text("title"),
    ),
    EntrySource(
        "ruling", Ruling, "person", "date", _text("outcome"), _text("proceeding__authority__name")
    ),
    EntrySource("status", StatusDecision, "person", "decided", _text("status"), _text("outcome")),
]
# On the same day, the later kind in this list is the one shown as the last entry.
KIND_ORDER = {source.kind: index for index, source in enumerate(ENTRY_SOURCES)}


def _happened(source, today):
    """Dated records of this kind up to today: a hearing set for next month is not last."""
    return source.model.objects.filter(
        **{f"{source.date}__isnull": False, f"{source.date}__lte": today}
    ).order_by()


def annotate_directory(persons):
    """Add ``current_status`` (and its outcome), ``last_entry_date`` (the latest dated
    entry up to today), ``crossing_date`` (the first dated crossing) and ``has_crossing``."""
    today = timezone.localdate()
    latest = [
        Coalesce(
            Subquery(
                _happened(source, today)
                .filter(**{source.person: OuterRef("pk")})
                .order_by(f"-{source.date}")
                .values(source.date)[:1]
            ),
            Value(NO_DATE),
            output_field=DateField(),
        )
        for source in ENTRY_SOURCES
    ]
    first_crossing = (
        BorderCrossing.objects.filter(person=OuterRef("pk"), date__isnull=False)
        .order_by("date")
        .values("date")[:1]
    )
    return annotate_current_status(persons).annotate(
        last_entry_date=NullIf(Greatest(*latest), Value(NO_DATE), output_field=DateField()),
        crossing_date=Subquery(first_crossing, output_field=DateField()),
        has_crossing=Exists(BorderCrossing.objects.filter(person=OuterRef("pk"))),
    )


@dataclass
class LastEntry:
    kind: str
    date: ApproximateDate
    title: str

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]


def _entry_title(kind, first, second):
    if kind == "crossing":
        return gettext("Crossed from %(origin)s into %(destination)s") % {
            "origin": first,
            "destination": second,
        }
    if kind == "detention":
        label = Detention.Kind(first).label if first in Detention.Kind.values else first
        return f"{label} — {second}" if second else str(label)
    if kind == "hearing":
        return (
            f"{first}: {second}" if second else gettext("Hearing at %(court)s") % {"court": first}
        )
    if kind == "ruling":
        outcome = Ruling.Outcome(first).label if first in Ruling.Outcome.values else first
        return f"{second}: {outcome}"
    if kind == "status":
        status = (
            StatusDecision.Status(first).label if first in StatusDecision.Status.values else first
        )
        outcome = (
            StatusDecision.Outcome(second).label
            if second in StatusDecision.Outcome.values
            else second
        )
        return f"{status}: {outcome}"
    return first


def attach_last_entries(persons):
    """Set ``last_entry`` (a LastEntry or None) and ``status_label`` on each person.

    One query for all of them: a UNION over the record kinds of the persons' dated entries.
    """
    persons = list(persons)
    ids = [person.pk for person in persons]
    latest = {}
    if ids:
        today = timezone.localdate()
        branches = [
            _happened(source, today)
            .filter(**{f"{source.person}__in": ids})
            .annotate(
                entry_person=F(source.person),
                entry_kind=Value(source.kind, output_field=CharField()),
                entry_date=F(source.date),
                entry_precision=F(f"{source.date}_precision"),
                entry_first=source.first,
                entry_second=source.second,
            )
            .values_list(
                "entry_person",
                "entry_kind",
                "entry_date",
                "entry_precision",
                "entry_first",
                "entry_second",
            )
            for source in ENTRY_SOURCES
        ]
        for person_id, kind, date, precision, first, second in branches[0].union(
            *branches[1:], all=True
        ):
            key = (date, KIND_ORDER[kind])
            if person_id not in latest or key > latest[person_id][0]:
                entry = LastEntry(
                    kind, ApproximateDate(date, precision), _entry_title(kind, first, second)
                )
                latest[person_id] = (key, entry)
    for person in persons:
        person.last_entry = latest[person.pk][1] if person.pk in latest else None
        person.status_label = status_label(person)
    return persons


def status_label(person):
    """'refugee', or 'refugee (applied)' where the decision did not simply grant it."""
    status = getattr(person, "current_status", None)
    if not status:
        return ""
    label = StatusDecision.Status(status).label
    outcome = getattr(person, "current_status_outcome", None)
    if outcome in (None, StatusDecision.Outcome.GRANTED, StatusDecision.Outcome.EXTENDED):
        return str(label)
    return gettext("%(status)s (%(outcome)s)") % {
        "status": label,
        "outcome": StatusDecision.Outcome(outcome).label,
    }
