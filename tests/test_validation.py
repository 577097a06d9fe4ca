"""The rules every record obeys, whether it comes from the admin, a form or an import."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from cases.models import BorderCrossing, Detention, Ruling, StatusDecision
from casetracker.dates import Precision
from tests.factories import (
    make_crossing,
    make_detention,
    make_person,
    make_proceeding,
    make_ruling,
    make_status,
)

D = datetime.date
pytestmark = pytest.mark.django_db


def refusal(record):
    with pytest.raises(ValidationError) as caught:
        record.full_clean()
    return {
        field: [str(m) for m in messages] for field, messages in caught.value.message_dict.items()
    }


def test_it_saves_a_good_record_of_each_kind():
    person = make_person()
    records = [
        make_crossing(person),
        make_detention(
            person, end=D(2020, 5, 1), end_precision=Precision.MONTH, kind=Detention.Kind.SENTENCE
        ),
        make_status(person),
        make_ruling(person=person),
    ]
    for record in records:
        record.full_clean()
    assert BorderCrossing.objects.count() == 1
    assert StatusDecision.objects.count() == 1


def test_it_refuses_a_detention_that_ends_before_it_starts():
    detention = Detention(
        person=make_person(),
        kind=Detention.Kind.PRE_TRIAL,
        start=D(2019, 10, 14),
        start_precision=Precision.DAY,
        end=D(2019, 9, 1),
        end_precision=Precision.MONTH,
    )
    errors = refusal(detention)
    assert list(errors) == ["end"]
    assert errors["end"] == ["This cannot be before 14 October 2019."]


def test_it_accepts_an_end_known_to_the_month_of_its_start():
    detention = make_detention(start=D(2019, 10, 14), start_precision=Precision.DAY)
    detention.end, detention.end_precision = D(2019, 10, 1), Precision.MONTH
    detention.full_clean()
    detention.save()


def test_it_refuses_valid_until_before_valid_from():
    status = make_status()
    status.valid_until = D(2020, 10, 1)
    errors = refusal(status)
    assert list(errors) == ["valid_until"]
    assert "cannot be before 29 October 2020" in errors["valid_until"][0]


def test_it_refuses_a_date_in_the_future_but_not_a_future_expiry():
    next_year = datetime.date.today().year + 1
    crossing = make_crossing()
    crossing.date, crossing.date_precision = D(next_year, 1, 1), Precision.YEAR
    assert refusal(crossing) == {"date": ["This date is in the future."]}

    status = make_status()
    status.valid_until = D(next_year, 6, 1)
    status.full_clean()


def test_it_refuses_a_month_precision_date_not_on_the_first():
    crossing = make_crossing()
    crossing.date, crossing.date_precision = D(2018, 5, 17), Precision.MONTH
    assert refusal(crossing) == {
        "date": ["A date known to the month is stored on the 1st of that month."]
    }


def test_it_refuses_a_ruling_for_a_person_not_party_to_the_proceeding():
    proceeding = make_proceeding()
    outsider = make_person(name="Not A Party")
    ruling = Ruling(
        proceeding=proceeding,
        person=outsider,
        date=D(2020, 1, 1),
        date_precision=Precision.MONTH,
        outcome=Ruling.Outcome.CONVICTED,
    )
    assert refusal(ruling) == {"person": ["Not A Party is not a party to this proceeding."]}


def test_it_refuses_a_sentence_length_without_its_kind():
    ruling = make_ruling()
    ruling.sentence_months = 6
    assert refusal(ruling) == {"sentence_months": ["Choose the kind of sentence too."]}


def test_the_database_refuses_a_dated_precision_without_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_crossing(date=None, date_precision=Precision.MONTH)


def test_the_database_refuses_an_unknown_date_that_has_a_date():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_crossing(date=D(2018, 1, 1), date_precision=Precision.UNKNOWN)


def test_the_database_refuses_a_day_precision_end_before_the_start():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_detention(
            start=D(2019, 10, 14),
            start_precision=Precision.DAY,
            end=D(2019, 10, 1),
            end_precision=Precision.DAY,
        )


def test_the_database_refuses_valid_until_before_valid_from():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_status(valid_until=D(2020, 1, 1))
