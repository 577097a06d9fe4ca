"""The read log: who read a non-public person, when, what and from which address.

Every page, JSON response, history, document, export and report that shows a non-public
person calls ``record_read`` (or ``record_command_read`` for a command run by an operator).
Reads of public persons are not logged: anyone may read them. A view that serves a person's
document calls ``record_read(request, person, AccessLogEntry.What.DOCUMENT)``.

Append-only, for everyone including admins:

- in Python, an entry cannot be saved twice or deleted, nor a queryset of them updated or
  deleted;
- the admin has no add, change or delete permission for anyone, superusers included;
- in the database, triggers (migration ``people.0005_access_log``) refuse every UPDATE and
  DELETE, except the deletions of ``purge_older_than`` (``manage.py purge_access_log``), which
  removes the entries older than ``settings.ACCESS_LOG_DAYS`` and nothing else. On PostgreSQL
  the purge sets ``casetracker.purging`` for its own transaction only; on SQLite it marks a
  one-row control table inside its transaction. Whoever can run SQL as the database owner can
  still do both (or drop the trigger): the guarantee is against the application and its users,
  not against the database's administrator.

A log entry never points at a person or user through a foreign key: deleting a person or a
user must leave the log as it was. It keeps their ids and the person's reference and the
username as plain values.

A read of one non-public person is one INSERT (``person_ref`` on the entry). A read of several
(a directory page, an export) is one entry with their number and one ``AccessLogPerson`` row
per person, written with one bulk INSERT per 2,000. Reports show counts, never a person's
data: their entry keeps how many non-public persons they counted, not who (an admin's report
over 10,000 persons would otherwise write 10,000 rows per page view).
"""

from datetime import timedelta

from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casetracker.addresses import client_address

USER_AGENT_LENGTH = 300
PATH_LENGTH = 1000
BATCH_SIZE = 2000
PURGING_SETTING = "casetracker.purging"  # PostgreSQL: lets the purge's DELETE through
SQLITE_PURGE_TABLE = "people_accesslog_purging"  # SQLite: the same, as a control table


class AppendOnlyError(Exception):
    """A change to the read log was attempted; it is append-only."""


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError(_("The read log is append-only."))

    def delete(self):
        raise AppendOnlyError(_("The read log is append-only."))

    def bulk_update(self, objs, fields, batch_size=None):
        raise AppendOnlyError(_("The read log is append-only."))

    def _purge(self):
        """Delete these rows in one statement: only ``purge_older_than`` calls this."""
        return self._raw_delete(self.db)


class AppendOnlyModel(models.Model):
    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError(_("The read log is append-only."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError(_("The read log is append-only."))


class AccessLogEntry(AppendOnlyModel):
    class What(models.TextChoices):
        PAGE = "page", _("person page")
        TIMELINE_JSON = "timeline_json", _("timeline JSON")
        HISTORY = "history", _("history")
        EDIT_FORM = "edit_form", _("edit form")
        DOCUMENT = "document", _("document")
        ADMIN = "admin", _("admin form")
        ADMIN_HISTORY = "admin_history", _("admin history")
        DIRECTORY = "directory", _("directory")
        EXPORT = "export", _("export")
        REPORT = "report", _("report")
        ACCESS_LOG = "access_log", _("access log")

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    user_id = models.IntegerField(_("user id"), null=True, blank=True)
    username = models.CharField(
        _("who"),
        max_length=150,
        blank=True,
        help_text=_("The username at the time of the read; empty for an anonymous reader."),
    )
    what = models.CharField(_("what"), max_length=16, choices=What.choices)
    person_ref = models.CharField(
        _("person"),
        max_length=10,
        blank=True,
        db_index=True,
        help_text=_("The reference of the person read, when a single person was read."),
    )
    person_id = models.BigIntegerField(_("person id"), null=True, blank=True)
    person_count = models.PositiveIntegerField(
        _("non-public persons"), default=1, help_text=_("How many non-public persons it showed.")
    )
    path = models.CharField(_("path"), max_length=PATH_LENGTH, blank=True)
    method = models.CharField(_("method"), max_length=10, blank=True)
    address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=USER_AGENT_LENGTH, blank=True)

    class Meta:
        verbose_name = _("read log entry")
        verbose_name_plural = _("read log")
        ordering = ["-at", "-pk"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username or '-'} {self.what}"


class AccessLogPerson(AppendOnlyModel):
    """One of the persons a read of several showed (a directory page, an export)."""

    entry = models.ForeignKey(
        AccessLogEntry, verbose_name=_("read"), on_delete=models.CASCADE, related_name="persons"
    )
    person_ref = models.CharField(_("person"), max_length=10, db_index=True)
    person_id = models.BigIntegerField(_("person id"), null=True)

    class Meta:
        verbose_name = _("person read")
        verbose_name_plural = _("persons read")
        ordering = ["entry", "person_ref"]

    def __str__(self):
        return self.person_ref


def entries_for(ref):
    """Every entry that read the person with this reference, newest first."""
    several = AccessLogPerson.objects.filter(person_ref=ref).values("entry_id")
    return AccessLogEntry.objects.filter(
        models.Q(person_ref=ref) | models.Q(pk__in=several)
    ).order_by("-at", "-pk")


# Recording ------------------------------------------------------------------------------


def _non_public(persons):
    """[(pk, ref)] of the non-public persons among a Person, an iterable or a queryset."""
    from .models import Person

    if isinstance(persons, Person):
        persons = [persons]
    if isinstance(persons, models.QuerySet) and not persons.query.is_sliced:
        return list(
            persons.exclude(visibility=Person.Visibility.PUBLIC)
            .order_by()
            .values_list("pk", "ref")
            .distinct()
        )
    return [(p.pk, p.ref) for p in persons if p.visibility != Person.Visibility.PUBLIC]


def _write(entry, persons):
    if len(persons) == 1:
        entry.person_id, entry.person_ref = persons[0]
        entry.save()
        return entry
    with transaction.atomic(savepoint=False):  # the entry and its persons, or neither
        entry.save()
        AccessLogPerson.objects.bulk_create(
            (AccessLogPerson(entry=entry, person_id=pk, person_ref=ref) for pk, ref in persons),
            batch_size=BATCH_SIZE,
        )
    return entry


def record_read(request, persons, what, *, count_only=False):
    """Log that ``request`` read ``persons`` (a Person, an iterable or a queryset of them).

    Only the non-public ones are logged; nothing is written when there are none. With
    ``count_only`` (reports) the entry keeps their number, not who they were.
    """
    user = getattr(request, "user", None)
    authenticated = user is not None and user.is_authenticated
    entry = AccessLogEntry(
        user_id=user.pk if authenticated else None,
        username=user.get_username() if authenticated else "",
        what=what,
        path=request.get_full_path()[:PATH_LENGTH],
        method=request.method or "",
        address=client_address(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:USER_AGENT_LENGTH],
    )
    return _record(entry, persons, count_only)


def record_command_read(command, persons, what, *, user=None):
    """Log a read made by an operator's command (``export_cases``); ``user`` for --as-user."""
    username = f"{command} ({user.get_username()})" if user is not None else command
    entry = AccessLogEntry(
        user_id=user.pk if user is not None else None,
        username=username[:150],
        what=what,
        path=command[:PATH_LENGTH],
        method="command",
    )
    return _record(entry, persons, False)


def _record(entry, persons, count_only):
    if count_only:
        from .models import Person

        entry.person_count = persons.exclude(visibility=Person.Visibility.PUBLIC).count()
        if entry.person_count:
            entry.save()
            return entry
        return None
    found = _non_public(persons)
    if not found:
        return None
    entry.person_count = len(found)
    return _write(entry, found)


# Retention ------------------------------------------------------------------------------


def _let_the_purge_through(allowed):
    """Open or close, for the current transaction only, the one door the triggers leave."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT set_config(%s, %s, true)", [PURGING_SETTING, "on" if allowed else "off"]
            )
        elif connection.vendor == "sqlite" and allowed:
            cursor.execute(f"INSERT INTO {SQLITE_PURGE_TABLE} (id) VALUES (1)")
        elif connection.vendor == "sqlite":
            cursor.execute(f"DELETE FROM {SQLITE_PURGE_TABLE}")


def purge_older_than(days):
    """Delete the entries older than ``days`` days: the only deletion the log allows."""
    cutoff = timezone.now() - timedelta(days=days)
    with transaction.atomic():
        _let_the_purge_through(True)
        old = AccessLogEntry.objects.filter(at__lt=cutoff)
        AccessLogPerson.objects.filter(entry__in=old.values("pk"))._purge()
        count = old._purge()
        # Closed again at once: a purge called inside a longer transaction (a test's) must
        # not leave the door open for what follows.
        _let_the_purge_through(False)
    return count
