"""The approximate-date form field: year, month and day, or 'date unknown'."""

import datetime

import pytest
from django import forms
from django.core.exceptions import ValidationError

from cases.forms import ApproximateDateField, BorderCrossingForm, DetentionForm
from cases.forms.dates import EMPTY
from cases.models import BorderCrossing, Detention
from casetracker.dates import ApproximateDate, Precision
from tests.factories import make_crossing, make_person

D = datetime.date


class DateForm(forms.Form):
    when = ApproximateDateField(label="When")
    until = ApproximateDateField(label="Until", required=False)


def parts(name="when", year="", month="", day="", unknown=False, bound=""):
    data = {f"{name}_year": year, f"{name}_month": month, f"{name}_day": day}
    if unknown:
        data[f"{name}_unknown"] = "on"
    data[f"{name}_not_later_than"] = bound
    return data


def clean(**typed):
    form = DateForm(parts(**typed))
    assert form.is_valid(), form.errors
    return form.cleaned_data["when"]


def errors(**typed):
    form = DateForm(parts(**typed))
    assert not form.is_valid()
    return form.errors["when"]


@pytest.mark.parametrize(
    ("typed", "expected", "shown"),
    [
        (
            {"year": "2019", "month": "12", "day": "23"},
            (D(2019, 12, 23), "day"),
            "23 December 2019",
        ),
        ({"year": "2018", "month": "5"}, (D(2018, 5, 1), "month"), "May 2018"),
        ({"year": "2017"}, (D(2017, 1, 1), "year"), "2017"),
        ({"unknown": True}, (None, "unknown"), "date unknown"),
    ],
)
def test_it_records_only_the_precision_typed(typed, expected, shown):
    value = clean(**typed)
    assert isinstance(value, ApproximateDate)
    assert (value.date, value.precision) == expected
    assert str(value) == shown


def test_an_unknown_date_keeps_its_bound():
    value = clean(unknown=True, bound="2019-10-29")
    assert value == ApproximateDate(None, Precision.UNKNOWN, D(2019, 10, 29))
    assert str(value) == "date unknown (before 29 October 2019)"


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ({}, "Enter at least the year, or tick 'date unknown'."),
        ({"year": "2018", "day": "12"}, "A day needs a month."),
        ({"month": "5"}, "A month or day needs a year."),
        ({"year": "2019", "month": "2", "day": "30"}, "There is no day 30 in February 2019."),
        ({"year": "19"}, "Enter the year as four digits, between 1900 and 2100."),
        ({"year": "twenty"}, "Enter the year as four digits, between 1900 and 2100."),
        ({"year": "2019", "month": "13"}, "Choose a month from the list."),
        ({"year": "2019", "month": "1", "day": "0"}, "Enter the day as a number from 1 to 31."),
        (
            {"year": "2019", "unknown": True},
            "Either enter the date or tick 'date unknown', not both.",
        ),
        (
            {"year": "2019", "bound": "2019-10-29"},
            "A 'not later than' date is only for an unknown date: tick 'date unknown' too.",
        ),
        (
            {"unknown": True, "bound": "29.10.2019"},
            "Enter the 'not later than' date as year-month-day, e.g. 2019-10-29.",
        ),
    ],
)
def test_it_says_in_plain_words_what_is_wrong(typed, message):
    assert errors(**typed) == [message]


def test_an_optional_date_may_stay_empty():
    form = DateForm({**parts(year="2019"), **parts("until")})
    assert form.is_valid()
    assert form.cleaned_data["until"] == EMPTY
    assert not form.cleaned_data["until"].is_set


def test_it_shows_the_parts_back_as_typed_after_an_error():
    form = DateForm(parts(year="2018", day="12"))
    assert not form.is_valid()
    html = str(form["when"])
    assert 'name="when_year" id="id_when_year" value="2018"' in html
    assert 'name="when_day" id="id_when_day" value="12"' in html
    assert 'aria-invalid="true"' in html


def test_it_labels_every_part_and_says_what_precision_it_records():
    form = DateForm(initial={"when": ApproximateDate(D(2018, 5, 1), Precision.MONTH)})
    html = str(form["when"])
    for part in ["year", "month", "day", "unknown", "not_later_than"]:
        assert f'<label for="id_when_{part}"' in html
    assert '<option value="5" selected>May</option>' in html
    assert 'name="when_day" id="id_when_day" value=""' in html
    assert "Recorded as: May 2018 (the month only)" in html
    group = form["when"].as_field_group()
    assert "<fieldset" in group and "<legend" in group and "When" in group


def test_an_unknown_date_shows_ticked_with_its_bound():
    value = ApproximateDate(None, Precision.UNKNOWN, D(2019, 10, 29))
    html = str(DateForm(initial={"when": value})["when"])
    assert 'name="when_unknown" id="id_when_unknown" checked' in html
    assert 'value="2019-10-29"' in html
    assert "Recorded as: date unknown (before 29 October 2019)" in html


def test_it_knows_whether_the_date_changed():
    field = DateForm.base_fields["when"]
    may = ApproximateDate(D(2018, 5, 1), Precision.MONTH)
    assert not field.has_changed(may, ["2018", "5", "", False, ""])
    assert field.has_changed(may, ["2018", "5", "14", False, ""])
    assert not DateForm.base_fields["until"].has_changed(None, ["", "", "", False, ""])


@pytest.mark.django_db
def test_it_writes_the_three_columns_of_the_model(lawyer):
    person = make_person(lawyers=[lawyer])
    form = BorderCrossingForm(
        {
            **parts("date", year="2018", month="5"),
            "from_country": "China",
            "to_country": "Kazakhstan",
            "method": "irregular",
        },
        person=person,
        user=lawyer,
    )
    assert form.is_valid(), form.errors
    crossing = form.save()
    stored = BorderCrossing.objects.values("date", "date_precision", "date_not_later_than").get(
        pk=crossing.pk
    )
    assert stored == {
        "date": D(2018, 5, 1),
        "date_precision": "month",
        "date_not_later_than": None,
    }


@pytest.mark.django_db
def test_it_reads_the_three_columns_of_the_model(lawyer):
    crossing = make_crossing(date=None, date_precision="unknown", date_not_later_than=D(2019, 1, 2))
    form = BorderCrossingForm(instance=crossing, person=crossing.person, user=lawyer)
    assert form["date"].value() == ApproximateDate(None, Precision.UNKNOWN, D(2019, 1, 2))
    html = str(form["date"])
    assert 'id="id_date_unknown" checked' in html and 'value="2019-01-02"' in html


@pytest.mark.django_db
def test_the_models_errors_land_next_to_the_date_they_concern(lawyer):
    person = make_person(lawyers=[lawyer])
    next_year = datetime.date.today().year + 1
    form = DetentionForm(
        {
            "kind": "pre_trial",
            **parts("start", year=str(next_year)),
            **parts("end", year="2019", month="9"),
        },
        person=person,
        user=lawyer,
    )
    assert not form.is_valid()
    assert form.errors["start"] == ["This date is in the future."]
    assert "end" not in form.errors
    form = DetentionForm(
        {
            "kind": "pre_trial",
            **parts("start", year="2019", month="10", day="14"),
            **parts("end", year="2019", month="9"),
        },
        person=person,
        user=lawyer,
    )
    assert not form.is_valid()
    assert form.errors == {"end": ["This cannot be before 14 October 2019."]}
    assert not Detention.objects.exists()


@pytest.mark.django_db
def test_a_date_that_did_not_parse_gets_one_message_not_two(lawyer):
    form = BorderCrossingForm(
        {**parts("date", year="2019", month="2", day="30"), "from_country": "A", "to_country": "B"},
        person=make_person(lawyers=[lawyer]),
        user=lawyer,
    )
    assert not form.is_valid()
    assert form.errors["date"] == ["There is no day 30 in February 2019."]


def test_the_field_cleans_a_value_it_is_given_as_is():
    value = ApproximateDate(D(2018, 5, 1), Precision.MONTH)
    assert ApproximateDateField().clean(value) is value
    with pytest.raises(ValidationError):
        ApproximateDateField().clean(["", "", "", False, ""])
