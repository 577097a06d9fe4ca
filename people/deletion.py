"""Deleting a person: an admin's act that takes the person's whole case with it."""

from django.db import transaction

from .models import Person


def shared_records(person):
    """The records of several persons (proceedings, events) that concern ``person``, each
    with its set of persons: ``(record, persons)``.

    Found through the many-to-many relations to Person, so that people need not know the
    record kinds of cases.
    """
    for relation in Person._meta.related_objects:
        if relation.many_to_many:
            name = relation.field.name
            for record in relation.related_model._default_manager.filter(**{name: person}):
                yield record, getattr(record, name)


def records_deleted_with(persons):
    """Shared records that concern none but ``persons``: they are deleted with them."""
    pks = {person.pk for person in persons}
    found = {}
    for person in persons:
        for record, record_persons in shared_records(person):
            if not record_persons.exclude(pk__in=pks).exists():
                found[(type(record), record.pk)] = record
    return list(found.values())


@transaction.atomic
def delete_person(person):
    """Delete ``person`` and their case, every step kept in the change history.

    Their own records (crossings, detentions, rulings, status decisions, name variants) go
    with them. A shared record that concerns only them is deleted; one that also concerns
    others stays on those cases and loses only this person, a change its history records
    (a cascade would drop the link without a trace).
    """
    doomed = {(type(record), record.pk) for record in records_deleted_with([person])}
    for record, record_persons in list(shared_records(person)):
        if (type(record), record.pk) in doomed:
            record.delete()
        else:
            record_persons.remove(person)
    person.delete()
