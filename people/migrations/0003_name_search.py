"""Name search on PostgreSQL: pg_trgm, unaccent, and GIN trigram indexes on every spelling.

Everything here is a no-op on other databases: on SQLite the search falls back to a
case-insensitive partial match (see people/search.py), which needs nothing from the schema.

unaccent() is only STABLE (it reads its dictionary through the search path), so it cannot
appear in an index expression. ``casetracker_unaccent`` is the usual IMMUTABLE wrapper with
the dictionary named in full; people/search.py calls it by the same name so that the planner
can use the indexes below.
"""

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import migrations


class PostgresOnlyExtensionMixin:
    """Create the extension on PostgreSQL; keep it on the way back (other code may use it)."""

    def database_backwards(self, app_label, schema_editor, from_state, to_state):
        pass


class CreateTrigramExtension(PostgresOnlyExtensionMixin, TrigramExtension):
    pass


class CreateUnaccentExtension(PostgresOnlyExtensionMixin, UnaccentExtension):
    pass


FORWARDS = [
    """
    CREATE OR REPLACE FUNCTION casetracker_unaccent(text) RETURNS text
    LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
    AS $$ SELECT public.unaccent('public.unaccent'::regdictionary, $1) $$
    """,
    """
    CREATE INDEX IF NOT EXISTS people_person_name_trgm
    ON people_person USING gin (casetracker_unaccent(name) gin_trgm_ops)
    """,
    """
    CREATE INDEX IF NOT EXISTS people_namevariant_name_trgm
    ON people_namevariant USING gin (casetracker_unaccent(name) gin_trgm_ops)
    """,
]

BACKWARDS = [
    "DROP INDEX IF EXISTS people_namevariant_name_trgm",
    "DROP INDEX IF EXISTS people_person_name_trgm",
    "DROP FUNCTION IF EXISTS casetracker_unaccent(text)",
]


def run_on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0002_roles"),
    ]

    operations = [
        CreateTrigramExtension(),
        CreateUnaccentExtension(),
        migrations.RunPython(run_on_postgresql(FORWARDS), run_on_postgresql(BACKWARDS)),
    ]
