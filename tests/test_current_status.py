import datetime

import pytest

from cases.models import StatusDecision
from cases.models.statuses import annotate_current_status
from people.models import Person
from tests.factories import make_person, make_status

D = datetime.date
pytestmark = pytest.mark.django_db


def test_the_latest_decision_in_force_is_the_current_status():
    person = make_person()
    make_status(person, status="asylum_seeker", decided=D(2019, 10, 29))
    refugee = make_status(person, decided=D(2020, 10, 1), decided_precision="month")
    make_status(
        person,
        outcome=StatusDecision.Outcome.REFUSED,
        status="citizenship",
        decided=D(2021, 3, 1),
        valid_from=None,
        valid_from_precision="",
        valid_until=None,
        valid_until_precision="",
    )
    unknown = make_person()
    annotated = {p.pk: p for p in annotate_current_status(Person.objects.all())}
    assert annotated[person.pk].current_status == "refugee"
    assert annotated[person.pk].current_status_id == refugee.pk
    assert annotated[unknown.pk].current_status is None


def test_it_counts_the_days_until_a_status_expires():
    status = make_status(valid_until=D(2021, 10, 1), valid_until_precision="month")
    assert status.days_left(today=D(2021, 10, 1)) == 30
    assert status.expiry_state(today=D(2021, 10, 1)) == "expiring"
    assert status.expiry_state(today=D(2021, 6, 1)) == "valid"
    assert status.expiry_state(today=D(2021, 11, 1)) == "expired"
    status.valid_until, status.valid_until_precision = None, ""
    assert status.expiry_state() is None
