"""On the embedded SQLite, writers that meet wait for each other instead of failing.

A transaction that reads and then writes (every import, every save with a version check)
fails at once with "database is locked" when another holds the write lock, unless it takes
the lock when it begins. Run in a subprocess on a database file: the test database is in
memory and has one connection.
"""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite's locking; PostgreSQL locks rows"
)

WRITERS = textwrap.dedent(
    """
    import threading, time
    import django
    django.setup()
    from django.db import connection, transaction

    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE entry (n INTEGER)")
    connection.close()
    failures = []

    def write():
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SELECT COUNT(*) FROM entry")
                    time.sleep(0.2)
                    cursor.execute("INSERT INTO entry VALUES (1)")
        except Exception as error:
            failures.append(repr(error))
        finally:
            connection.close()

    threads = [threading.Thread(target=write) for _ in range(5)]
    [thread.start() for thread in threads]
    [thread.join() for thread in threads]
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM entry")
        print(cursor.fetchone()[0], failures)
    """
)


def test_five_writers_at_once_all_succeed(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "casetracker.settings",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'writers.sqlite3'}",
    }
    result = subprocess.run(
        [sys.executable, "-c", WRITERS],
        env=env,
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "5 []"
