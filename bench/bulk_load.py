"""Writing many model instances fast: COPY on PostgreSQL, large bulk_create batches elsewhere.

The benchmark data runs to millions of rows; PostgreSQL's own advice for a bulk load is what
this does: COPY instead of INSERT, secondary indexes dropped before and built once after (with
more maintenance memory), foreign keys checked once per table after the load rather than once
per row, and statistics gathered at the end. Everything happens in the caller's transaction, so
a failed load leaves the database as it was. Model ``save()``, signals and history are not run
(as with ``bulk_create``); database triggers are.
"""

import datetime
import io
from collections import Counter

from django.utils import timezone

# COPY's text format: a tab between columns, \N for NULL, these characters escaped.
COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
BULK_CREATE_BATCH = 5000


class Loader:
    """Gives instances their primary keys and writes them; counts the rows of each model."""

    def __init__(self, connection):
        self.connection = connection
        self.copy = connection.vendor == "postgresql"
        self.made = Counter()
        self._columns = {}

    def write(self, model, objects):
        """Insert ``objects`` (instances of ``model``, no primary key yet) and give them ids."""
        if not objects:
            return objects
        first = self._reserve_ids(model, len(objects))
        for offset, instance in enumerate(objects):
            instance.pk = first + offset
        if self.copy:
            self._copy(model, objects)
        else:
            model.objects.bulk_create(objects, batch_size=BULK_CREATE_BATCH)
        self.made[model.__name__] += len(objects)
        return objects

    def _reserve_ids(self, model, count):
        """A block of ``count`` unused ids: the sequence moves past it, so ids are never reused
        (the change history may still name ids of rows deleted earlier)."""
        table, pk = model._meta.db_table, model._meta.pk.column
        with self.connection.cursor() as cursor:
            if self.copy:
                cursor.execute(
                    "SELECT setval(seq::regclass, nextval(seq::regclass) + %s - 1) "
                    "FROM pg_get_serial_sequence(%s, %s) seq",
                    [count, table, pk],
                )
                return cursor.fetchone()[0] - count + 1
            quote = self.connection.ops.quote_name
            cursor.execute(f"SELECT MAX({quote(pk)}) FROM {quote(table)}")
            return (cursor.fetchone()[0] or 0) + 1

    def _copy(self, model, objects):
        fields = self._columns.get(model)
        if fields is None:
            fields = self._columns[model] = list(model._meta.concrete_fields)
        # One time stamp for the batch, as one INSERT statement would give.
        now = timezone.now().isoformat()
        columns = [
            (None, None)
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)
            else (field.attname, field)
            for field in fields
        ]
        buffer = io.StringIO()
        for instance in objects:
            values = vars(instance)
            buffer.write(
                "\t".join(
                    [
                        now if attname is None else self._text(values[attname], field)
                        for attname, field in columns
                    ]
                )
            )
            buffer.write("\n")
        buffer.seek(0)
        quote = self.connection.ops.quote_name
        sql = (
            f"COPY {quote(model._meta.db_table)} "
            f"({', '.join(quote(field.column) for field in fields)}) FROM STDIN"
        )
        with self.connection.cursor() as cursor:
            raw = cursor.cursor
            if hasattr(raw, "copy_expert"):  # psycopg2
                raw.copy_expert(sql, buffer)
            else:  # psycopg 3
                with raw.copy(sql) as copy:
                    copy.write(buffer.getvalue())

    def _text(self, value, field):
        if value is None:
            return "\\N"
        if value is True or value is False:
            return "t" if value else "f"
        if isinstance(value, str):
            return value.translate(COPY_ESCAPES)
        if isinstance(value, int):
            return str(value)
        if isinstance(value, datetime.date):  # datetimes too: aware, with their offset
            return value.isoformat()
        value = field.get_db_prep_save(value, self.connection)
        return str(value).translate(COPY_ESCAPES)


class DeferredIndexes:
    """On PostgreSQL, drops the secondary indexes and foreign keys of ``tables`` on entry and
    makes them again on exit, in the same transaction. Indexes that back a primary key or a
    unique constraint stay, so duplicates are still refused during the load."""

    def __init__(self, connection, tables):
        self.connection = connection
        self.tables = list(tables)
        self.indexes, self.foreign_keys = [], []

    def __enter__(self):
        if self.connection.vendor != "postgresql":
            return self
        with self.connection.cursor() as cursor:
            cursor.execute(
                """
                SELECT c.conrelid::regclass::text, c.conname, pg_get_constraintdef(c.oid)
                FROM pg_constraint c
                WHERE c.contype = 'f' AND c.conrelid::regclass::text = ANY(%s)
                ORDER BY c.oid
                """,
                [self.tables],
            )
            self.foreign_keys = cursor.fetchall()
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                WHERE i.indrelid::regclass::text = ANY(%s)
                  AND NOT EXISTS (
                    SELECT 1 FROM pg_constraint c
                    WHERE c.conindid = i.indexrelid AND c.conrelid = i.indrelid
                      AND c.contype IN ('p', 'u', 'x'))
                  AND NOT i.indisunique
                ORDER BY i.indexrelid
                """,
                [self.tables],
            )
            self.indexes = cursor.fetchall()
            for table, name, _definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
            for name, _definition in self.indexes:
                cursor.execute(f"DROP INDEX {name}")
        return self

    def __exit__(self, kind, error, traceback):
        if kind is not None or self.connection.vendor != "postgresql":
            return False  # the transaction rolls back, drops included
        with self.connection.cursor() as cursor:
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            for _name, definition in self.indexes:
                cursor.execute(definition)
            # Each is checked by one query over the whole table, not one per row.
            for table, name, definition in self.foreign_keys:
                cursor.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}')
        return False
