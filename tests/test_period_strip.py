"""The period strip's geometry: proportional positions, lanes and rows, open and soft ends."""

import datetime
import itertools

import pytest

from cases.strip import FADE_WIDTH, MIN_BAR_WIDTH, PLOT_LEFT, PLOT_RIGHT, Scale, build_strip
from cases.timeline import Entry
from casetracker.dates import ApproximateDate

D = datetime.date
TODAY = D(2030, 6, 1)  # after every fact below, so no "today" line unless a test asks
_pks = itertools.count(1)


def on(year, month=None, day=None):
    return ApproximateDate.from_parts(year, month, day)


UNKNOWN = ApproximateDate(None, "unknown")


def entry(kind, date, **fields):
    fields.setdefault("title", f"{kind} {date}")
    fields.setdefault("is_period", kind in {"detention", "proceeding"})
    return Entry(kind=kind, pk=next(_pks), date=date, **fields)


def bars_of(strip, kind):
    return [bar for bar in strip.bars if bar.kind == kind]


def test_it_spans_whole_years_from_the_first_to_the_last_dated_fact():
    strip = build_strip(
        [entry("crossing", on(2018, 5)), entry("ruling", on(2020, 1, 7))], today=TODAY
    )

    assert (strip.start, strip.end) == (D(2018, 1, 1), D(2021, 1, 1))
    assert [tick.year for tick in strip.ticks] == [2018, 2019, 2020, 2021]
    assert [tick.year for tick in strip.ticks if tick.labelled] == [2018, 2019, 2020]
    assert strip.ticks[0].x == PLOT_LEFT and strip.ticks[-1].x == PLOT_RIGHT


def test_it_places_dates_in_proportion_to_time():
    scale = Scale(D(2018, 1, 1), D(2021, 1, 1))
    total = (D(2021, 1, 1) - D(2018, 1, 1)).days
    width = PLOT_RIGHT - PLOT_LEFT

    for day in [D(2018, 1, 1), D(2019, 7, 2), D(2020, 12, 31)]:
        expected = PLOT_LEFT + (day - D(2018, 1, 1)).days / total * width
        assert scale.x(day) == pytest.approx(expected, abs=0.01)
    # Equal spans of time are equal lengths.
    first = scale.x(D(2019, 3, 1)) - scale.x(D(2019, 1, 1))
    second = scale.x(D(2020, 3, 1)) - scale.x(D(2020, 1, 1))
    assert first == pytest.approx(second * 59 / 60, abs=0.01)  # 2020 is a leap year


def test_it_draws_a_detention_from_its_start_to_the_end_of_its_last_day():
    detention = entry("detention", on(2019, 10, 1), end=on(2020, 1, 7), variant="pre_trial")
    strip = build_strip([detention, entry("crossing", on(2018, 5, 1))], today=TODAY)
    scale = Scale(strip.start, strip.end)

    (bar,) = strip.bars
    assert (bar.lane, bar.kind, bar.variant) == ("custody", "detention", "pre_trial")
    assert bar.x == scale.x(D(2019, 10, 1))
    assert bar.right == pytest.approx(scale.x(D(2020, 1, 8)), abs=0.02)
    assert bar.href == detention.html_id == f"entry-detention-{detention.pk}"
    assert not bar.open_ended and bar.fade == 0
    assert bar.soft_start == 0 and not bar.approximate_start


def test_an_open_ended_bar_runs_to_the_end_of_the_axis_and_fades():
    ongoing = entry("detention", on(2019, 10, 1), variant="camp")
    strip = build_strip([ongoing, entry("crossing", on(2021, 3, 1))], today=TODAY)

    (bar,) = strip.bars
    assert bar.open_ended
    assert bar.right == PLOT_RIGHT
    assert bar.fade == FADE_WIDTH
    assert bar.fade_x == pytest.approx(PLOT_RIGHT - FADE_WIDTH)
    assert strip.has_fades


def test_a_start_known_to_the_month_has_a_soft_edge_as_wide_as_the_month():
    detention = entry("detention", on(2019, 10), end=on(2020, 5, 1))
    yearly = entry("detention", on(2015), end=on(2019, 9, 1))
    strip = build_strip([detention, yearly], today=TODAY)
    scale = Scale(strip.start, strip.end)

    by_href = {bar.href: bar for bar in strip.bars}
    monthly = by_href[detention.html_id]
    assert monthly.approximate_start
    assert monthly.soft_start == pytest.approx(scale.x(D(2019, 11, 1)) - scale.x(D(2019, 10, 1)))
    assert by_href[yearly.html_id].soft_start == pytest.approx(
        scale.x(D(2016, 1, 1)) - scale.x(D(2015, 1, 1))
    )
    assert strip.has_soft_edges


def test_an_end_known_to_the_month_has_a_soft_edge_too():
    detention = entry("detention", on(2020, 1, 7), end=on(2020, 5))
    strip = build_strip([detention], today=TODAY)
    scale = Scale(strip.start, strip.end)

    (bar,) = strip.bars
    assert bar.right == pytest.approx(scale.x(D(2020, 6, 1)), abs=0.02)
    assert bar.soft_end == pytest.approx(scale.x(D(2020, 6, 1)) - scale.x(D(2020, 5, 1)), abs=0.02)
    assert not bar.open_ended


def test_it_gives_overlapping_bars_rows_of_their_own_and_lanes_room_for_them():
    first = entry("detention", on(2019, 10, 1), end=on(2020, 1, 7), variant="pre_trial")
    overlapping = entry("detention", on(2019, 12, 1), end=on(2020, 2, 1), variant="sentence")
    after = entry("detention", on(2020, 6, 1), end=on(2020, 7, 1))
    strip = build_strip([first, overlapping, after], today=TODAY)

    rows = {bar.href: bar.row for bar in strip.bars}
    assert rows == {first.html_id: 0, overlapping.html_id: 1, after.html_id: 0}
    lanes = {lane.key: lane for lane in strip.lanes}
    assert [lane.key for lane in strip.lanes] == [
        "crossings",
        "custody",
        "proceedings",
        "protection",
    ]
    assert lanes["custody"].rows == 2
    assert lanes["custody"].height == 2 * lanes["crossings"].height
    # Lanes stack downwards without overlapping; each bar lies inside its lane.
    for upper, lower in itertools.pairwise(strip.lanes):
        assert upper.bottom <= lower.y
    for bar in strip.bars:
        lane = lanes[bar.lane]
        assert lane.y <= bar.y and bar.y + bar.height <= lane.bottom
    assert strip.height >= strip.lanes[-1].bottom


def test_it_puts_crossings_and_rulings_as_markers_in_their_lanes():
    crossing = entry("crossing", on(2018, 5), variant="irregular")
    case = entry("proceeding", on(2019, 11), end=on(2019, 12, 23))
    ruling = entry("ruling", on(2019, 12, 23), part_of=case.html_id, variant="convicted")
    strip = build_strip([crossing, case, ruling], today=TODAY)
    scale = Scale(strip.start, strip.end)

    markers = {marker.kind: marker for marker in strip.markers}
    assert markers["crossing"].lane == "crossings" and markers["crossing"].shape == "diamond"
    # Known to the month: drawn in the middle of the month, with the month as its range.
    assert markers["crossing"].range_start == scale.x(D(2018, 5, 1))
    assert markers["crossing"].range_end == scale.x(D(2018, 6, 1))
    assert markers["ruling"].shape == "circle"
    assert markers["ruling"].range_start is None
    assert markers["ruling"].x == scale.x(D(2019, 12, 23))
    (bar,) = bars_of(strip, "proceeding")
    assert markers["ruling"].y == pytest.approx(bar.y + bar.height / 2)
    assert markers["ruling"].href == ruling.html_id


def test_it_ends_a_status_with_no_expiry_where_the_next_decision_takes_over():
    asylum = entry(
        "status", on(2019, 10, 29), is_period=True, outcome="granted", variant="asylum_seeker"
    )
    refused = entry("status", on(2020, 3, 1), outcome="refused", variant="refugee")
    refugee = entry(
        "status",
        on(2020, 10, 29),
        end=on(2021, 10, 28),
        is_period=True,
        outcome="granted",
        variant="refugee",
    )
    strip = build_strip([asylum, refused, refugee], today=TODAY)
    scale = Scale(strip.start, strip.end)

    bars = {bar.href: bar for bar in bars_of(strip, "status")}
    assert bars[asylum.html_id].open_ended
    assert bars[asylum.html_id].right == pytest.approx(scale.x(D(2020, 10, 29)))
    assert bars[asylum.html_id].fade > 0
    assert not bars[refugee.html_id].open_ended
    # The status that takes over continues on the same row.
    assert bars[asylum.html_id].row == bars[refugee.html_id].row == 0
    assert {bar.lane for bar in bars.values()} == {"protection"}
    # A refusal sets no period: a marker, not a bar.
    (marker,) = [marker for marker in strip.markers if marker.kind == "status"]
    assert marker.href == refused.html_id and marker.shape == "square"


def test_a_status_bar_runs_over_its_validity_not_its_decision_date():
    status = entry(
        "status",
        on(2020, 10, 20),
        start=on(2020, 11, 1),
        end=on(2021, 10, 31),
        is_period=True,
        outcome="granted",
    )
    strip = build_strip([status], today=TODAY)
    scale = Scale(strip.start, strip.end)

    (bar,) = strip.bars
    assert bar.x == scale.x(D(2020, 11, 1))


def test_it_leaves_out_undated_facts_and_says_so():
    undated = entry("detention", UNKNOWN, end=on(2019, 9, 30))
    bounded = entry("crossing", ApproximateDate(None, "unknown", D(2020, 1, 31)))
    dated = entry("crossing", on(2019, 10, 1))
    strip = build_strip([undated, bounded, dated, entry("event", on(2019, 10, 14))], today=TODAY)

    hrefs = {mark.href for mark in strip.bars + strip.markers}
    assert hrefs == {dated.html_id}
    assert strip.left_out == 2
    assert build_strip([undated, bounded], today=TODAY) is None
    assert build_strip([], today=TODAY) is None


def test_it_keeps_a_very_short_bar_visible():
    one_day = entry("proceeding", on(2020, 1, 7), end=on(2020, 1, 7))
    (bar,) = build_strip([one_day, entry("crossing", on(2015, 1, 1))], today=TODAY).bars
    assert bar.width == MIN_BAR_WIDTH


def test_it_marks_today_only_inside_the_axis():
    facts = [entry("crossing", on(2019, 10, 1)), entry("ruling", on(2021, 2, 1))]
    inside = build_strip(facts, today=D(2020, 7, 1))
    assert inside.today_x == Scale(inside.start, inside.end).x(D(2020, 7, 1))
    assert build_strip(facts, today=D(2025, 1, 1)).today_x is None


def test_it_summarises_itself_and_names_each_mark():
    crossing = entry("crossing", on(2019, 10, 1), title="Crossed irregularly")
    detention = entry("detention", on(2019, 10), end=on(2020, 1, 7), title="Held")
    strip = build_strip([crossing, detention], today=TODAY)

    assert strip.summary == (
        "The case at a glance, 2019–2020: 1 border crossing, 1 detention. "
        "Each mark links to its entry."
    )
    titles = {mark.href: mark.title for mark in strip.bars + strip.markers}
    assert titles[crossing.html_id] == "Border crossing: Crossed irregularly (1 October 2019)"
    assert titles[detention.html_id] == "Detention: Held (October 2019 – 7 January 2020)"
    assert [item.shape for item in strip.legend] == ["bar", "diamond"]
