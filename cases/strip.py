"""The period strip: a person's case at a glance, as plain geometry for an inline SVG.

``build_strip(entries)`` turns timeline entries into lanes, bars, markers and year ticks in the
coordinates of a fixed ``viewBox``; the template only draws them, so the SVG scales with the
page and reads without JavaScript. Only dated facts are drawn: an entry whose date is unknown
stays in the list below and is left out here.

- Time runs left to right from 1 January of the first year with a dated fact to the end of the
  last one; a date is placed in proportion to its distance from that start.
- Lanes, top to bottom: crossings (markers), custody (detentions as bars), proceedings (from the
  first hearing or ruling to the last ruling, with rulings as markers), protection (the
  validity of each status as a bar; decisions that set no period as markers). Bars that would
  overlap in a lane go to rows of their own.
- A bar starts where its start could first be. A start known only to the month or year gets a
  soft edge as wide as that month or year; an end known only to the month or year likewise.
  A bar with no recorded end (an ongoing detention, a status with no expiry) runs on to the
  next status that replaces it or to the end of the axis, and fades out.
"""

import datetime
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from casetracker.dates import Precision

from .models import Detention, StatusDecision
from .timeline import status_name

WIDTH = 800
PLOT_LEFT = 112  # lane labels to the left of it
PLOT_RIGHT = 788
AXIS_HEIGHT = 26
ROW_HEIGHT = 22
BAR_HEIGHT = 12
LANE_GAP = 8
BOTTOM = 6
MIN_BAR_WIDTH = 6
FADE_WIDTH = 72  # how far an open end fades out
MARKER_SIZE = 6
ROW_SPACING = 0  # bars that only touch (a status and the one replacing it) share a row

LANES = [
    ("crossings", gettext_lazy("Crossings")),
    ("custody", gettext_lazy("Custody")),
    ("proceedings", gettext_lazy("Proceedings")),
    ("protection", gettext_lazy("Protection")),
]
LANE_OF_BAR = {"detention": "custody", "proceeding": "proceedings", "status": "protection"}
MARKER_SHAPES = {"crossing": "diamond", "ruling": "circle", "status": "square"}
LANE_OF_MARKER = {"crossing": "crossings", "ruling": "proceedings", "status": "protection"}


@dataclass
class Lane:
    key: str
    label: str
    y: float
    height: float
    rows: int

    @property
    def label_y(self):
        return round(self.y + min(self.height, ROW_HEIGHT) / 2 + 4, 2)

    @property
    def bottom(self):
        return round(self.y + self.height, 2)


@dataclass
class Bar:
    lane: str
    kind: str
    variant: str
    href: str
    title: str
    x: float
    width: float
    row: int = 0
    y: float = 0
    height: float = BAR_HEIGHT
    soft_start: float = 0  # width of the soft edge at the start; 0 when the day is known
    soft_end: float = 0  # width of the soft edge of an end known to the month or year
    fade: float = 0  # width over which a bar with no recorded end fades out
    open_ended: bool = False
    approximate_start: bool = False

    @property
    def right(self):
        return round(self.x + self.width, 2)

    @property
    def soft_end_x(self):
        return round(self.x + self.width - self.soft_end, 2)

    @property
    def fade_x(self):
        return round(self.x + self.width - self.fade, 2)


@dataclass
class Marker:
    lane: str
    kind: str
    variant: str
    href: str
    title: str
    x: float
    y: float = 0
    # Where the date is known only to the month or year: the span it could fall in.
    range_start: float | None = None
    range_end: float | None = None
    size: float = MARKER_SIZE

    @property
    def shape(self):
        return MARKER_SHAPES[self.kind]

    @property
    def points(self):
        """The corners of a diamond, for <polygon points>."""
        x, y, reach = self.x, self.y, self.size + 1
        corners = [(x, y - reach), (x + reach, y), (x, y + reach), (x - reach, y)]
        return " ".join(f"{round(cx, 2)},{round(cy, 2)}" for cx, cy in corners)

    @property
    def corner_x(self):
        return round(self.x - self.size + 1, 2)

    @property
    def corner_y(self):
        return round(self.y - self.size + 1, 2)

    @property
    def side(self):
        return (self.size - 1) * 2


@dataclass
class Tick:
    year: int
    x: float
    label_x: float
    labelled: bool


@dataclass
class LegendItem:
    shape: str  # bar or one of the marker shapes
    css: str
    label: str


@dataclass
class Strip:
    start: datetime.date
    end: datetime.date
    lanes: list
    bars: list
    markers: list
    ticks: list
    today_x: float | None = None
    legend: list = field(default_factory=list)
    left_out: int = 0  # facts of the strip's kinds whose date is unknown
    width: int = WIDTH

    @property
    def height(self):
        return round(self.lanes[-1].bottom + BOTTOM, 2)

    @property
    def plot_left(self):
        return PLOT_LEFT

    @property
    def plot_right(self):
        return PLOT_RIGHT

    @property
    def axis_y(self):
        return AXIS_HEIGHT - 4

    @property
    def has_fades(self):
        return any(bar.fade for bar in self.bars)

    @property
    def has_soft_edges(self):
        return any(bar.soft_start or bar.soft_end for bar in self.bars)

    @property
    def summary(self):
        """What the strip shows, in words: the SVG's accessible name."""
        counts = {}
        for item in self.bars + self.markers:
            counts[item.kind] = counts.get(item.kind, 0) + 1
        parts = []
        phrases = {
            "crossing": lambda n: ngettext("%(n)s border crossing", "%(n)s border crossings", n),
            "detention": lambda n: ngettext("%(n)s detention", "%(n)s detentions", n),
            "proceeding": lambda n: ngettext("%(n)s proceeding", "%(n)s proceedings", n),
            "ruling": lambda n: ngettext("%(n)s ruling", "%(n)s rulings", n),
            "status": lambda n: ngettext("%(n)s status decision", "%(n)s status decisions", n),
        }
        for kind, phrase in phrases.items():
            if counts.get(kind):
                parts.append(phrase(counts[kind]) % {"n": counts[kind]})
        last_year = self.end.year - 1
        years = str(self.start.year)
        if last_year != self.start.year:
            years = f"{self.start.year}–{last_year}"
        return _("The case at a glance, %(years)s: %(facts)s. Each mark links to its entry.") % {
            "years": years,
            "facts": ", ".join(parts),
        }


class Scale:
    """Days to viewBox units: proportional, from ``start`` to ``end``."""

    def __init__(self, start, end, left=PLOT_LEFT, right=PLOT_RIGHT):
        self.start, self.end, self.left, self.right = start, end, left, right
        self.per_day = (right - left) / (end - start).days

    def x(self, date):
        return round(self.left + (date - self.start).days * self.per_day, 2)

    def after(self, date):
        """The x where the day ``date`` ends."""
        return self.x(date + datetime.timedelta(days=1))


def _is_dated(date):
    return date is not None and date.is_set and date.date is not None


def _precise(date):
    return date.precision == Precision.DAY


def _span_dates(entries):
    """Every day the strip must show: the first and last possible day of each dated fact."""
    for entry in entries:
        if entry.kind in LANE_OF_BAR and entry.is_period:
            start = entry.period_start
            if not _is_dated(start):
                continue  # not drawn, so it does not stretch the axis either
            yield start.earliest
            yield start.latest
            if _is_dated(entry.end):
                yield entry.end.earliest
                yield entry.end.latest
        elif entry.kind in LANE_OF_MARKER and _is_dated(entry.date):
            yield entry.date.earliest
            yield entry.date.latest


def _mark_title(entry):
    return f"{entry.kind_label}: {entry.title} ({entry.date_display})"


def _bar_title(entry):
    if entry.kind == "status":
        return f"{entry.kind_label}: {entry.title} ({entry.validity_display})"
    return _mark_title(entry)


def _replacements(entries):
    """For each status with no expiry: where the next decision in force takes over."""
    decisions = [
        entry
        for entry in entries
        if entry.kind == "status" and entry.outcome != "refused" and _is_dated(entry.period_start)
    ]
    replaced = {}
    for index, entry in enumerate(decisions):
        later = [
            other.period_start.earliest
            for other in decisions[index + 1 :]
            if other.period_start.earliest > entry.period_start.latest
        ]
        if later:
            replaced[entry.anchor] = min(later)
    return replaced


def _bar(entry, scale, replaced):
    start = entry.period_start
    x = scale.x(start.earliest)
    soft_start = 0 if _precise(start) else scale.after(start.latest) - x
    soft_end = fade = 0
    open_ended = not _is_dated(entry.end)
    if not open_ended:
        right = scale.after(entry.end.latest)
        if not _precise(entry.end):
            soft_end = right - scale.x(entry.end.earliest)
    elif entry.anchor in replaced:
        right = scale.x(replaced[entry.anchor])
    else:
        right = scale.right
    width = max(right - x, MIN_BAR_WIDTH)
    if x + width > scale.right:
        x = scale.right - width
    if open_ended:
        fade = min(FADE_WIDTH, width * 0.6)
    # Soft edges never take more than half a bar: its middle stays solid.
    soft_start = min(soft_start, width / 2)
    soft_end = min(soft_end, width / 2)
    return Bar(
        lane=LANE_OF_BAR[entry.kind],
        kind=entry.kind,
        variant=entry.variant,
        href=entry.html_id,
        title=_bar_title(entry),
        x=round(x, 2),
        width=round(width, 2),
        soft_start=round(soft_start, 2),
        soft_end=round(soft_end, 2),
        fade=round(fade, 2),
        open_ended=open_ended,
        approximate_start=not _precise(start),
    )


def _marker(entry, scale):
    date = entry.date
    marker = Marker(
        lane=LANE_OF_MARKER[entry.kind],
        kind=entry.kind,
        variant=entry.variant or entry.outcome,
        href=entry.html_id,
        title=_mark_title(entry),
        x=scale.x(date.earliest),
    )
    if not _precise(date):
        marker.range_start = scale.x(date.earliest)
        marker.range_end = scale.after(date.latest)
        marker.x = round((marker.range_start + marker.range_end) / 2, 2)
    return marker


def _assign_rows(bars):
    """Put each bar on the first row of its lane where it overlaps nothing."""
    rows_end = []
    for bar in sorted(bars, key=lambda bar: (bar.x, -bar.width)):
        for row, end in enumerate(rows_end):
            if bar.x >= end + ROW_SPACING:
                bar.row = row
                rows_end[row] = bar.right
                break
        else:
            bar.row = len(rows_end)
            rows_end.append(bar.right)
    return max(len(rows_end), 1)


def _ticks(start_year, end_year, scale):
    years = end_year - start_year
    step = 1 if years <= 12 else 2 if years <= 24 else 5
    ticks = []
    for year in range(start_year, end_year + 1):
        x = scale.x(datetime.date(year, 1, 1))
        label_x = round(x + scale.per_day * 182, 2)  # the middle of the year
        labelled = year < end_year and (year - start_year) % step == 0
        ticks.append(Tick(year, x, label_x, labelled))
    return ticks


def _legend(bars, markers):
    names = {
        **{f"detention-{value}": label for value, label in Detention.Kind.choices},
        **{f"status-{value}": status_name(value) for value in StatusDecision.Status.values},
    }
    items, seen = [], set()
    for bar in bars:
        key = f"{bar.kind}-{bar.variant}" if bar.kind != "proceeding" else "proceeding"
        if key not in seen:
            seen.add(key)
            label = names.get(key) or _("proceeding")
            items.append(LegendItem("bar", f"bar-{bar.kind} v-{bar.variant}", str(label)))
    marker_labels = {
        "crossing": _("border crossing"),
        "ruling": _("ruling"),
        "status": _("status decision with no period (applied, refused, revoked)"),
    }
    for marker in markers:
        if marker.kind not in seen:
            seen.add(marker.kind)
            items.append(
                LegendItem(marker.shape, f"marker-{marker.kind}", marker_labels[marker.kind])
            )
    return items


def build_strip(entries, today=None):
    """The strip of these timeline entries, or None if none of them is dated."""
    days = list(_span_dates(entries))
    if not days:
        return None
    start_year, end_year = min(days).year, max(days).year + 1
    scale = Scale(datetime.date(start_year, 1, 1), datetime.date(end_year, 1, 1))

    replaced = _replacements(entries)
    bars, markers, left_out = [], [], 0
    for entry in entries:
        if entry.kind in LANE_OF_BAR and entry.is_period:
            if _is_dated(entry.period_start):
                bars.append(_bar(entry, scale, replaced))
            else:
                left_out += 1
        elif entry.kind in LANE_OF_MARKER:
            if _is_dated(entry.date):
                markers.append(_marker(entry, scale))
            else:
                left_out += 1

    lanes, y = [], AXIS_HEIGHT
    bar_rows = {}  # proceeding anchor: row, for the rulings drawn on it
    for key, label in LANES:
        lane_bars = [bar for bar in bars if bar.lane == key]
        rows = _assign_rows(lane_bars)
        lane = Lane(key, str(label), y, rows * ROW_HEIGHT, rows)
        for bar in lane_bars:
            bar.y = round(y + bar.row * ROW_HEIGHT + (ROW_HEIGHT - BAR_HEIGHT) / 2, 2)
            bar_rows[bar.href] = bar.row
        lanes.append(lane)
        y = lane.bottom + LANE_GAP

    by_lane = {lane.key: lane for lane in lanes}
    parents = {entry.html_id: entry.part_of for entry in entries}
    for marker in markers:
        lane = by_lane[marker.lane]
        row = bar_rows.get(parents.get(marker.href), 0) if marker.kind == "ruling" else 0
        marker.y = round(lane.y + row * ROW_HEIGHT + ROW_HEIGHT / 2, 2)

    today = today or timezone.localdate()
    today_x = scale.x(today) if scale.start <= today < scale.end else None
    return Strip(
        start=scale.start,
        end=scale.end,
        lanes=lanes,
        bars=bars,
        markers=markers,
        ticks=_ticks(start_year, end_year, scale),
        today_x=today_x,
        legend=_legend(bars, markers),
        left_out=left_out,
    )
