import datetime

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from casetracker.dates import ApproximateDate, Precision
from tests.factories import make_crossing

D = datetime.date


def test_it_displays_each_precision():
    with translation.override("en"):
        assert str(ApproximateDate(D(2019, 12, 23), Precision.DAY)) == "23 December 2019"
        assert str(ApproximateDate(D(2018, 5, 1), Precision.MONTH)) == "May 2018"
        assert str(ApproximateDate(D(2017, 1, 1), Precision.YEAR)) == "2017"
        assert str(ApproximateDate(None, Precision.UNKNOWN)) == "date unknown"
        bounded = ApproximateDate(None, Precision.UNKNOWN, D(2019, 10, 29))
        assert str(bounded) == "date unknown (before 29 October 2019)"
        assert str(ApproximateDate(None, "")) == ""


def test_it_builds_from_the_parts_a_person_knows():
    assert ApproximateDate.from_parts(2018, 5) == ApproximateDate(D(2018, 5, 1), Precision.MONTH)
    assert ApproximateDate.from_parts(2017) == ApproximateDate(D(2017, 1, 1), Precision.YEAR)
    assert ApproximateDate.from_parts(2019, 12, 23).precision == Precision.DAY
    assert ApproximateDate.from_parts(not_later_than=D(2020, 1, 31)).precision == "unknown"
    with pytest.raises(ValidationError):
        ApproximateDate.from_parts(day=3)
    with pytest.raises(ValidationError):
        ApproximateDate.from_parts(2019, day=3)


def test_it_knows_the_range_each_precision_covers():
    assert ApproximateDate(D(2020, 2, 1), Precision.MONTH).latest == D(2020, 2, 29)
    assert ApproximateDate(D(2017, 1, 1), Precision.YEAR).latest == D(2017, 12, 31)
    assert ApproximateDate(D(2017, 3, 4), Precision.DAY).latest == D(2017, 3, 4)
    assert ApproximateDate(None, Precision.UNKNOWN, D(2019, 1, 1)).latest == D(2019, 1, 1)
    assert ApproximateDate(None, Precision.UNKNOWN).latest is None


def test_it_orders_by_date_then_precision_with_undated_by_bound_else_last():
    day = ApproximateDate(D(2018, 5, 1), Precision.DAY)
    month = ApproximateDate(D(2018, 5, 1), Precision.MONTH)
    year = ApproximateDate(D(2018, 1, 1), Precision.YEAR)
    later_day = ApproximateDate(D(2018, 5, 2), Precision.DAY)
    bounded = ApproximateDate(None, Precision.UNKNOWN, D(2018, 3, 1))
    unknown = ApproximateDate(None, Precision.UNKNOWN)
    shuffled = [unknown, later_day, month, bounded, day, year]
    assert sorted(shuffled) == [year, bounded, day, month, later_day, unknown]


def test_it_refuses_inconsistent_dates():
    today = D(2026, 1, 15)

    def errors(value, **kwargs):
        return [str(message) for message in value.errors(today=today, **kwargs)]

    assert errors(ApproximateDate(D(2018, 5, 2), Precision.MONTH)) == [
        "A date known to the month is stored on the 1st of that month."
    ]
    assert errors(ApproximateDate(D(2018, 5, 1), Precision.YEAR)) == [
        "A date known to the year is stored on 1 January of that year."
    ]
    assert errors(ApproximateDate(D(2026, 1, 16), Precision.DAY)) == ["This date is in the future."]
    assert errors(ApproximateDate(D(2026, 1, 16), Precision.DAY), allow_future=True) == []
    assert errors(ApproximateDate(D(2026, 1, 1), Precision.MONTH)) == []
    assert errors(ApproximateDate(None, Precision.DAY)) == [
        "Enter a date, or set the precision to unknown."
    ]
    assert errors(ApproximateDate(D(2018, 1, 1), Precision.UNKNOWN)) != []
    assert errors(ApproximateDate(D(2018, 1, 1), Precision.DAY, D(2019, 1, 1))) != []


@pytest.mark.django_db
def test_it_stores_and_reads_back_the_three_columns():
    crossing = make_crossing(date=D(2018, 5, 1), date_precision=Precision.MONTH)
    crossing.refresh_from_db()
    assert crossing.approx_date == ApproximateDate(D(2018, 5, 1), Precision.MONTH)
    crossing.approx_date = ApproximateDate(None, Precision.UNKNOWN, D(2020, 1, 31))
    crossing.full_clean()
    crossing.save()
    crossing.refresh_from_db()
    assert (crossing.date, crossing.date_precision, crossing.date_not_later_than) == (
        None,
        "unknown",
        D(2020, 1, 31),
    )
