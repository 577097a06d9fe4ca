"""Plain builder functions for tests: each makes one valid record, overridable by keyword."""

import datetime
import itertools

from django.contrib.auth.models import Group, User

from cases.models import (
    Authority,
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
from casetracker.dates import Precision
from people.models import NameVariant, Person

_counter = itertools.count(1)


def make_user(username=None, role=None, **overrides):
    username = username or f"user{next(_counter)}"
    user = User.objects.create_user(username=username, password="test-password", **overrides)
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_person(lawyers=(), variants=(), **overrides):
    fields = {"name": f"Person {next(_counter)}", "visibility": Person.Visibility.PUBLIC}
    fields.update(overrides)
    person = Person.objects.create(**fields)
    person.lawyers.add(*lawyers)
    for name in variants:
        NameVariant.objects.create(person=person, name=name)
    return person


def make_source(**overrides):
    fields = {
        "title": f"Article {next(_counter)}",
        "publisher": "RFE/RL",
        "url": "https://example.org/article",
        "published": datetime.date(2020, 10, 30),
        "published_precision": Precision.DAY,
    }
    fields.update(overrides)
    return Source.objects.create(**fields)


def cite(record, source=None, **overrides):
    return Citation.objects.create(record=record, source=source or make_source(), **overrides)


def make_authority(**overrides):
    fields = {
        "name": f"Court {next(_counter)}",
        "kind": Authority.Kind.COURT,
        "town": "Zharkent",
        "country": "Kazakhstan",
    }
    fields.update(overrides)
    return Authority.objects.create(**fields)


def make_crossing(person=None, **overrides):
    fields = {
        "person": person or make_person(),
        "date": datetime.date(2018, 5, 1),
        "date_precision": Precision.MONTH,
        "from_country": "China",
        "to_country": "Kazakhstan",
        "method": BorderCrossing.Method.IRREGULAR,
    }
    fields.update(overrides)
    return BorderCrossing.objects.create(**fields)


def make_detention(person=None, **overrides):
    fields = {
        "person": person or make_person(),
        "kind": Detention.Kind.PRE_TRIAL,
        "start": datetime.date(2019, 10, 1),
        "start_precision": Precision.MONTH,
    }
    fields.update(overrides)
    return Detention.objects.create(**fields)


def make_proceeding(persons=(), **overrides):
    fields = {"kind": Proceeding.Kind.CRIMINAL, "charge": "illegal border crossing"}
    fields.update(overrides)
    if "authority" not in fields:
        fields["authority"] = make_authority()
    proceeding = Proceeding.objects.create(**fields)
    proceeding.persons.add(*(persons or [make_person()]))
    return proceeding


def make_hearing(proceeding=None, **overrides):
    fields = {
        "proceeding": proceeding or make_proceeding(),
        "date": datetime.date(2020, 1, 6),
        "date_precision": Precision.DAY,
    }
    fields.update(overrides)
    return Hearing.objects.create(**fields)


def make_ruling(proceeding=None, person=None, **overrides):
    proceeding = proceeding or make_proceeding(persons=[person] if person else ())
    fields = {
        "proceeding": proceeding,
        "person": person or proceeding.persons.first(),
        "date": datetime.date(2019, 12, 23),
        "date_precision": Precision.DAY,
        "outcome": Ruling.Outcome.CONVICTED,
    }
    fields.update(overrides)
    return Ruling.objects.create(**fields)


def make_status(person=None, **overrides):
    fields = {
        "person": person or make_person(),
        "status": StatusDecision.Status.REFUGEE,
        "outcome": StatusDecision.Outcome.GRANTED,
        "decided": datetime.date(2020, 10, 29),
        "decided_precision": Precision.DAY,
        "valid_from": datetime.date(2020, 10, 29),
        "valid_from_precision": Precision.DAY,
        "valid_until": datetime.date(2021, 10, 28),
        "valid_until_precision": Precision.DAY,
    }
    fields.update(overrides)
    return StatusDecision.objects.create(**fields)


def make_event(persons=(), **overrides):
    fields = {
        "title": "Press conference in Almaty",
        "kind": Event.Kind.PRESS_CONFERENCE,
        "date": datetime.date(2019, 10, 14),
        "date_precision": Precision.DAY,
    }
    fields.update(overrides)
    event = Event.objects.create(**fields)
    event.persons.add(*(persons or [make_person()]))
    return event


def fill_case(person, copies):
    """``copies`` of every record kind, each cited twice, with participants and co-persons."""
    court = make_authority()
    for number in range(copies):
        source = make_source()
        other = make_person(visibility=Person.Visibility.CONFIDENTIAL)
        records = [
            make_crossing(person),
            make_detention(person),
            make_status(person),
            make_event(persons=[person, other]),
        ]
        proceeding = make_proceeding(persons=[person, other], authority=court)
        Participant.objects.create(proceeding=proceeding, name=f"Judge {number}", role="judge")
        records += [proceeding, make_hearing(proceeding), make_ruling(proceeding, person)]
        for record in records:
            cite(record, source)
            cite(record)


def grow_database_around(person, others):
    """``others`` more persons, each with a case of every record kind (``fill_case``) and a
    crossing citing a source ``person``'s case cites; every other one confidential. The
    database grows around ``person``'s page both where the page must not look (the others'
    cases) and where it must (the persons citing its sources, whose names it withholds)."""
    source = make_source()
    cite(make_crossing(person), source)
    for number in range(others):
        visibility = Person.Visibility.CONFIDENTIAL if number % 2 else Person.Visibility.PUBLIC
        other = make_person(visibility=visibility, variants=[f"Other {number}"])
        fill_case(other, 1)
        cite(make_crossing(other), source)
