"""Replay of the review's concurrent imports: ten imports of one CSV at once made ten persons.

Each import now holds the import lock for its transaction, so the others wait, then find the
persons the first one made. Real concurrent transactions need PostgreSQL: SQLite runs one
writing transaction at a time anyway.
"""

import threading

import pytest
from django.db import connection, connections

from cases.imports import ImportFailed, import_csv
from cases.models import Event, Source
from people.models import NameVariant, Person
from tests.test_import_csv import csv_text

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="concurrent transactions need PostgreSQL"
    ),
]

FILE = csv_text(
    ",Concurrent Person,Конкурент,1990,internal,2019-10,arrest,Detained in Almaty,"
    "An article,2019-10-29,detained",
    ",Concurrent Person,,,,2020-01,release,Released,An article,2019-10-29,",
    ",Second Person,,1985,internal,2019,other,Press conference,An article,2019-10-29,",
)


def run_at_once(count, work):
    """Run ``work`` in ``count`` threads that start together; their results and errors."""
    barrier = threading.Barrier(count)
    results, errors = [], []

    def run():
        try:
            barrier.wait()
            results.append(work())
        except Exception as error:  # noqa: BLE001 (reported by the test)
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results, errors


def test_ten_concurrent_imports_of_one_file_make_each_person_once():
    results, errors = run_at_once(10, lambda: import_csv(FILE))
    assert errors == []
    assert len(results) == 10
    assert sorted(Person.objects.values_list("name", flat=True)) == [
        "Concurrent Person",
        "Second Person",
    ]
    assert Event.objects.count() == 3
    assert Source.objects.count() == 1
    assert NameVariant.objects.count() == 1
    # One import created everything; the nine others found it all unchanged.
    assert sorted(result.count("created") for result in results)[:9] == [0] * 9


def test_a_previewed_import_never_waits_for_the_lock_nor_keeps_anything():
    results, errors = run_at_once(4, lambda: import_csv(FILE, dry_run=True))
    assert errors == []
    assert all(result.count("created") > 0 for result in results)
    assert Person.objects.count() == 0


def test_an_import_that_cannot_have_the_lock_is_refused_with_a_message(monkeypatch):
    from cases import imports

    monkeypatch.setattr(imports, "IMPORT_LOCK_TIMEOUT", "100ms")
    holding, release = threading.Event(), threading.Event()

    def hold_the_lock():
        from django.db import transaction

        with transaction.atomic():
            imports.import_lock()
            holding.set()
            release.wait(30)
        connections.close_all()

    holder = threading.Thread(target=hold_the_lock)
    holder.start()
    try:
        assert holding.wait(30)
        with pytest.raises(ImportFailed) as failure:
            import_csv(FILE)
        assert failure.value.errors == [
            "Another import is still running: try again when it has finished."
        ]
    finally:
        release.set()
        holder.join(30)
    assert Person.objects.count() == 0
