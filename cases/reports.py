"""The tables of /reports/, each with its bar chart as data, counted within what a user may see.

Every table starts from the ``visible_to(user)`` queryset of its model, so a person the user
may not see is never counted. A date range narrows each table as its caption says; dates known
only to the month or year count by the first day they could be.

A ``Table`` is what the page shows and what its CSV download holds: a title, a caption that
says what is counted, column headings, rows, and the ``BarChart`` of its first two columns.
The chart is plain numbers for the template to draw as SVG: no JavaScript, no library.
"""

import datetime
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django import forms
from django.db.models import Count, OuterRef, Q, Subquery
from django.db.models.functions import ExtractYear
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from casetracker.dates import Precision
from people.models import Person

from .models import BorderCrossing, Detention, Ruling, StatusDecision
from .models.statuses import annotate_current_status

# --- Date range ----------------------------------------------------------------------------


class DateRangeForm(forms.Form):
    start = forms.DateField(
        label=gettext_lazy("From"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("YYYY-MM-DD; leave empty for no lower bound."),
    )
    end = forms.DateField(
        label=gettext_lazy("Until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=gettext_lazy("YYYY-MM-DD; leave empty for no upper bound."),
    )

    def clean(self):
        cleaned_data = super().clean()
        start, end = cleaned_data.get("start"), cleaned_data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(
                gettext_lazy("The end of the range cannot be before its start."),
                code="range_reversed",
            )
        return cleaned_data


@dataclass(frozen=True)
class DateRange:
    start: datetime.date | None = None
    end: datetime.date | None = None

    @classmethod
    def from_form(cls, form):
        """The range a bound, valid form gives; no range for an invalid one."""
        if not form.is_bound or not form.is_valid():
            return cls()
        return cls(form.cleaned_data.get("start"), form.cleaned_data.get("end"))

    @property
    def is_set(self):
        return bool(self.start or self.end)

    def filter(self, queryset, column):
        """Records whose date (its first possible day) is in the range; undated ones only
        without a range."""
        if self.start:
            queryset = queryset.filter(**{f"{column}__gte": self.start})
        if self.end:
            queryset = queryset.filter(**{f"{column}__lte": self.end})
        return queryset

    def __str__(self):
        def show(date):
            return formats.date_format(date, "j F Y")

        if self.start and self.end:
            return _("%(start)s to %(end)s") % {"start": show(self.start), "end": show(self.end)}
        if self.start:
            return _("from %(start)s") % {"start": show(self.start)}
        if self.end:
            return _("until %(end)s") % {"end": show(self.end)}
        return _("all dates")


# --- Charts --------------------------------------------------------------------------------


@dataclass
class Bar:
    label: str
    value: float
    shown: str  # the value as the table shows it
    y: float
    width: float
    short_label: str

    @property
    def text_y(self):
        return self.y + BarChart.BAR_HEIGHT * 0.7

    @property
    def value_x(self):
        return BarChart.LABEL_WIDTH + self.width + 6


@dataclass
class BarChart:
    """A horizontal bar chart in SVG user units; the template draws it."""

    title: str
    bars: list = field(default_factory=list)

    WIDTH = 640
    LABEL_WIDTH = 220
    BAR_HEIGHT = 20
    GAP = 6
    VALUE_ROOM = 70
    LABEL_CHARACTERS = 32

    @classmethod
    def of(cls, title, pairs):
        """A chart of (label, value, shown) triples."""
        pairs = list(pairs)
        largest = max((value for _label, value, _shown in pairs), default=0) or 1
        room = cls.WIDTH - cls.LABEL_WIDTH - cls.VALUE_ROOM
        bars = []
        for index, (label, value, shown) in enumerate(pairs):
            label = str(label)
            short = (
                label
                if len(label) <= cls.LABEL_CHARACTERS
                else label[: cls.LABEL_CHARACTERS - 1] + "…"
            )
            bars.append(
                Bar(
                    label=label,
                    value=value,
                    shown=shown,
                    y=index * (cls.BAR_HEIGHT + cls.GAP),
                    width=round(room * value / largest, 1) if value > 0 else 0,
                    short_label=short,
                )
            )
        return cls(str(title), bars)

    @property
    def height(self):
        return max(len(self.bars) * (self.BAR_HEIGHT + self.GAP), self.BAR_HEIGHT)

    @property
    def description(self):
        """The whole chart in one sentence, for screen readers."""
        return "; ".join(f"{bar.label}: {bar.shown}" for bar in self.bars) or _("No data.")


# --- Tables --------------------------------------------------------------------------------


@dataclass
class Table:
    slug: str
    title: str
    caption: str
    columns: list
    rows: list
    chart_values: list = field(default_factory=list)  # (label, number, shown) per bar
    notes: list = field(default_factory=list)

    @property
    def chart(self):
        return BarChart.of(self.title, self.chart_values)

    @property
    def total(self):
        return sum(value for _label, value, _shown in self.chart_values)


def _counted(counter, labels, order=None):
    """Rows (label, count) from a Counter of keys, largest first unless ``order`` is given."""
    keys = (
        order
        if order is not None
        else sorted(counter, key=lambda key: (-counter[key], str(labels(key))))
    )
    return [(str(labels(key)), counter[key]) for key in keys if counter[key]]


def persons_by_status(user, date_range):
    """Persons by their status on the last day of the range (today without an end)."""
    persons = Person.objects.visible_to(user)
    if date_range.end:
        decisions = (
            StatusDecision.objects.in_force()
            .filter(person=OuterRef("pk"))
            .filter(Q(decided__lte=date_range.end) | Q(decided__isnull=True))
            .latest_first()
        )
        persons = persons.annotate(current_status=Subquery(decisions.values("status")[:1]))
        caption = _(
            "Each person the reader may see, by the status of their latest decision in "
            "force on %(date)s."
        ) % {"date": formats.date_format(date_range.end, "j F Y")}
    else:
        persons = annotate_current_status(persons)
        caption = _(
            "Each person the reader may see, by the status of their latest decision in "
            "force (a refusal leaves the previous status as it was)."
        )
    counts = Counter(
        dict(
            persons.order_by()
            .values_list("current_status")
            .annotate(count=Count("pk"))
            .values_list("current_status", "count")
        )
    )

    def label(status):
        return StatusDecision.Status(status).label if status else _("no status recorded")

    rows = _counted(counts, label)
    return Table(
        "status",
        _("Persons by current status"),
        caption,
        [_("Status"), _("Persons")],
        rows,
        [(label_, count, str(count)) for label_, count in rows],
        [
            _(
                "The start of the range does not apply: a status is counted as it stands on the "
                "last day."
            )
        ]
        if date_range.start
        else [],
    )


def _rulings(user, date_range):
    rulings = Ruling.objects.visible_to(user)
    return date_range.filter(rulings, "date") if date_range.is_set else rulings


def rulings_by_outcome(user, date_range):
    counts = Counter(
        dict(
            _rulings(user, date_range)
            .order_by()
            .values_list("outcome")
            .annotate(count=Count("pk"))
            .values_list("outcome", "count")
        )
    )
    rows = _counted(counts, lambda outcome: Ruling.Outcome(outcome).label)
    return Table(
        "outcomes",
        _("Rulings by outcome"),
        _("Rulings (one per person and proceeding) dated in the range."),
        [_("Outcome"), _("Rulings")],
        rows,
        [(label, count, str(count)) for label, count in rows],
    )


def rulings_by_court(user, date_range):
    counts = Counter()
    names = {}
    for authority_id, name, country, count in (
        _rulings(user, date_range)
        .order_by()
        .values_list("proceeding__authority")
        .annotate(count=Count("pk"))
        .values_list(
            "proceeding__authority",
            "proceeding__authority__name",
            "proceeding__authority__country",
            "count",
        )
    ):
        counts[authority_id] = count
        names[authority_id] = f"{name} ({country})" if country else name
    rows = _counted(counts, names.get)
    return Table(
        "courts",
        _("Rulings by court"),
        _("Rulings dated in the range, by the court or authority of their proceeding."),
        [_("Court or authority"), _("Rulings")],
        rows,
        [(label, count, str(count)) for label, count in rows],
    )


def crossings_by_year(user, date_range):
    crossings = BorderCrossing.objects.visible_to(user)
    if date_range.is_set:
        crossings = date_range.filter(crossings, "date")
    counts = Counter(
        dict(
            crossings.order_by()
            .annotate(year=ExtractYear("date"))
            .values_list("year")
            .annotate(count=Count("pk"))
            .values_list("year", "count")
        )
    )
    years = sorted(year for year in counts if year is not None)
    order = years + ([None] if None in counts else [])
    rows = _counted(counts, lambda year: year if year is not None else _("date unknown"), order)
    return Table(
        "crossings",
        _("Border crossings by year"),
        _("Border crossings dated in the range, by the year they happened."),
        [_("Year"), _("Crossings")],
        rows,
        [(label, count, str(count)) for label, count in rows],
        [
            _(
                "A crossing known only to the year counts in that year; one whose date is unknown "
                "is listed apart, and only when no range is set."
            )
        ],
    )


def statuses_expiring(user, date_range):
    """The current statuses that expire, by month of expiry."""
    persons = annotate_current_status(Person.objects.visible_to(user)).values("current_status_id")
    decisions = StatusDecision.objects.filter(pk__in=persons, valid_until__isnull=False)
    if date_range.is_set:
        decisions = date_range.filter(decisions, "valid_until")
    counts = Counter()
    for until, precision in decisions.values_list("valid_until", "valid_until_precision"):
        if precision == Precision.YEAR:
            counts[(until.year, None)] += 1
        else:
            counts[(until.year, until.month)] += 1
    today = timezone.localdate()

    def label(key):
        year, month = key
        if month is None:
            return _("%(year)s (month not known)") % {"year": year}
        shown = formats.date_format(datetime.date(year, month, 1), "F Y")
        if (year, month) < (today.year, today.month):
            return _("%(month)s (expired)") % {"month": shown}
        return shown

    order = sorted(counts, key=lambda key: (key[0], key[1] or 13))
    rows = _counted(counts, label, order)
    return Table(
        "expiring",
        _("Statuses expiring by month"),
        _("Persons whose current status has an end date in the range, by the month it ends."),
        [_("Month"), _("Persons")],
        rows,
        [(label_, count, str(count)) for label_, count in rows],
    )


def detention_time(user, date_range, today=None):
    """Time in detention by kind: the least and the most days the known periods add up to.

    A period known to the month or year could be shorter or longer than its dates read: it
    counts at least from the last day its start could be to the first day its end could be,
    and at most from the first to the last. An ongoing detention counts until today. A period
    with an unknown start, or an end known not even to the year, is not counted.
    """
    today = today or timezone.localdate()
    detentions = Detention.objects.visible_to(user)
    if date_range.is_set:
        detentions = date_range.filter(detentions, "start")
    least, most, number, ongoing, uncounted = (Counter() for _ in range(5))
    persons = defaultdict(set)
    for detention in detentions.only(
        "person_id",
        "kind",
        *Detention.periods[0],
        "start_precision",
        "start_not_later_than",
        "end_precision",
        "end_not_later_than",
    ).iterator(chunk_size=2000):
        kind = detention.kind
        number[kind] += 1
        persons[kind].add(detention.person_id)
        start, end = detention.approx_start, detention.approx_end
        if not start.is_known or (end.is_set and not end.is_known):
            uncounted[kind] += 1
            continue
        if not end.is_set:
            ongoing[kind] += 1
            end_earliest = end_latest = today
        else:
            end_earliest, end_latest = end.earliest, end.latest
        least[kind] += max(0, (end_earliest - start.latest).days)
        most[kind] += max(0, (end_latest - start.earliest).days)
    kinds = sorted(number, key=lambda kind: (-least[kind], str(Detention.Kind(kind).label)))
    rows = [
        (
            str(Detention.Kind(kind).label),
            number[kind],
            len(persons[kind]),
            least[kind],
            most[kind],
            ongoing[kind],
            uncounted[kind],
        )
        for kind in kinds
    ]
    return Table(
        "detention",
        _("Detention time served"),
        _(
            "Detentions that started in the range, by kind: the days their known periods add up "
            "to, at least and at most."
        ),
        [
            _("Kind"),
            _("Detentions"),
            _("Persons"),
            _("Days, at least"),
            _("Days, at most"),
            _("Ongoing"),
            _("Not counted"),
        ],
        rows,
        [(row[0], row[3], _("%(days)s days or more") % {"days": row[3]}) for row in rows],
        [
            _(
                "Dates known only to the month or year make a range: at least from the last day "
                "a detention could have started to the first day it could have ended, at most "
                "the other way round."
            ),
            _(
                "An ongoing detention counts until today. A detention whose start is unknown, or "
                "whose end is known not even to the year, is not counted (column 'Not counted')."
            ),
            _(
                "These are the periods recorded: time no source reports is missing, so the real "
                "totals are higher."
            ),
        ],
    )


TABLES = {
    "status": persons_by_status,
    "outcomes": rulings_by_outcome,
    "courts": rulings_by_court,
    "crossings": crossings_by_year,
    "expiring": statuses_expiring,
    "detention": detention_time,
}


def all_tables(user, date_range):
    return [build(user, date_range) for build in TABLES.values()]
