"""The version check every write of an existing record passes, from the admin or a lawyer's form.

A form carries the version of the record it was opened on; the save locks the row and refuses
to write if the record changed since (or was deleted). One rule for every path that writes.
"""

from django.db import transaction


def version_token(record):
    """The version of a saved record a form was opened on: its last save, to the microsecond."""
    return record.updated_at.isoformat() if record.updated_at else ""


class StaleEdit(Exception):
    """The record was saved by someone else after the form was opened (or deleted: None)."""

    def __init__(self, current):
        super().__init__("stale edit")
        self.current = current


def check_version(record, version):
    """Refuse the save if ``record`` changed since the form carrying ``version`` was opened.

    Must run inside the transaction of the save: it locks the row until that transaction
    ends, so two saves of one version cannot both pass the check. A new record (no pk) has
    no version to check.
    """
    if record.pk is None:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("check_version must run inside the transaction of the save.")
    current = type(record)._default_manager.select_for_update().filter(pk=record.pk).first()
    if current is None or version_token(current) != version:
        raise StaleEdit(current)
