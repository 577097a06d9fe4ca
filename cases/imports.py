"""Imports: the JSON that ``cases.exports`` writes, and the CSV template of persons and events.

An import is all or nothing. Everything runs in one transaction; each record is checked with
``full_clean()``, so the rules of the admin apply; errors are collected (each names the record
and the field: "person 12, crossing 2: date '2020-13-01' is not a date") and if there is any,
nothing is written. ``dry_run`` runs the same import, reports what would change, and rolls it
back.

Records are matched, not duplicated, when a file is imported again:

- persons by reference; authorities by name and country; participants by name and role;
  name variants by name; citations by source;
- sources and case records by the ``key`` the export gives them, and failing that by their
  natural fields (see ``cases.exports``): a record whose key names a record that no longer has
  those fields (edited since the export) is still found by its new fields.

An import adds and updates; it never deletes, and never removes a person, a lawyer or a
citation from a record: a file from a narrower export must not undo what it does not show.
A field absent from a record is left as it is. Rows that do not change are not saved again,
so re-importing the same file writes nothing, not even history.

Imports that keep what they write run one at a time (``import_lock``): two at once of one
file would each find no such person and both add them.

Hostile files get a message, never a crash: a NUL byte or half a surrogate pair in any text
(which PostgreSQL cannot store) names its record and field; a JSON file nested deeper than
any export is refused before it is parsed; a value of the wrong type is reported. Text is
taken as typed: a cell the CSV exports wrote as ``'=…`` (so that a spreadsheet shows it as
text) keeps its apostrophe if such a file is typed back into the template, as a spreadsheet
program saves a cell it shows as ``=…`` without one.

Lookups are batched (``find_persons``, ``find_events``, ``find_sources``): the CSV import
runs a fixed number of queries to find what exists, then those of the saves themselves.
"""

import csv
import datetime
import io
import json
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, OperationalError, connection, models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casetracker.dates import ApproximateDate
from people.models import REFERENCE_ALPHABET, REFERENCE_LENGTH, NameVariant, Person

from . import exports
from .exports import (
    AUTHORITY,
    CROSSING,
    DETENTION,
    EVENT,
    HEARING,
    PARTICIPANT,
    PERSON,
    PERSON_MANAGER_COLUMNS,
    PROCEEDING,
    RULING,
    SOURCE,
    STATUS,
    VARIANT,
    key_base,
    plain,
)
from .models import (
    Authority,
    Citation,
    Event,
    Participant,
    Proceeding,
    Source,
)

MAX_ERRORS = 100
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
REFERENCE = re.compile(rf"^[{REFERENCE_ALPHABET}]{{{REFERENCE_LENGTH}}}$")


class ImportFailed(Exception):
    """The file could not be imported; ``errors`` says why, one line per problem."""

    def __init__(self, errors):
        super().__init__("\n".join(errors))
        self.errors = list(errors)


class _TooManyErrors(Exception):
    pass


class _SaveRefused(Exception):
    """The database refused a save that ``full_clean`` passed; the import ends."""

    def __init__(self, location, message):
        super().__init__(message)
        self.location = location
        self.message = message


# Any number will do, as long as nothing else takes this advisory lock.
IMPORT_LOCK_KEY = 0x43415345  # "CASE"
IMPORT_LOCK_TIMEOUT = "60s"


def import_lock():
    """Wait for any other import to finish (PostgreSQL: an advisory lock for the transaction).

    Without it, two imports of one file running at once each find no person of that name and
    both add them. SQLite runs one writing transaction at a time anyway. A lock that cannot be
    had within a minute ends the import with a message, instead of holding a worker.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{IMPORT_LOCK_TIMEOUT}'")
        try:
            with transaction.atomic():
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [IMPORT_LOCK_KEY])
        except OperationalError as error:
            raise ImportFailed(
                [_("Another import is still running: try again when it has finished.")]
            ) from error
        cursor.execute("SET LOCAL lock_timeout = DEFAULT")


@dataclass
class Change:
    action: str  # "created" or "updated"
    location: str  # where in the file: "person 3, crossing 1"
    record: str  # the record as the admin names it
    fields: list = field(default_factory=list)  # the columns an update changes


@dataclass
class ImportResult:
    dry_run: bool = False
    counts: Counter = field(default_factory=Counter)  # (model, action) -> records
    links: int = 0  # persons added to shared records, lawyers assigned
    changes: list = field(default_factory=list)

    def count(self, action):
        return sum(n for (_model, kind), n in self.counts.items() if kind == action)

    def _phrase(self, action):
        parts = [
            f"{n} {model._meta.verbose_name if n == 1 else model._meta.verbose_name_plural}"
            for (model, kind), n in sorted(
                self.counts.items(), key=lambda item: str(item[0][0]._meta.verbose_name)
            )
            if kind == action
        ]
        return ", ".join(parts)

    def summary(self):
        created, updated = self._phrase("created"), self._phrase("updated")
        unchanged = self.count("unchanged")
        if self.dry_run:
            line = _(
                "Dry run, nothing was saved: would create %(created)s; would update %(updated)s"
            )
        else:
            line = _("Imported: created %(created)s; updated %(updated)s")
        line = line % {"created": created or _("nothing"), "updated": updated or _("nothing")}
        if self.links:
            line += "; " + ngettext(
                "%(count)d person or lawyer linked to a record",
                "%(count)d persons or lawyers linked to records",
                self.links,
            ) % {"count": self.links}
        return (
            line
            + "; "
            + ngettext("%(count)d record unchanged.", "%(count)d records unchanged.", unchanged)
            % {"count": unchanged}
        )


def _label(instance):
    if isinstance(instance, Person):
        return f"{instance} ({instance.ref})"
    return str(instance)


def _describe(value):
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 60 else text[:57] + "…"


class _Matcher:
    """Finds the existing record a file record stands for: by key, else by natural fields."""

    def __init__(self, kind, keyed=()):
        self.kind = kind
        self.by_key = {}
        self.by_base = defaultdict(list)
        self.claimed = set()
        for key, _data, instance in keyed:
            self.add(key, instance)

    def add(self, key, instance):
        self.by_key[key] = instance
        self.by_base["-".join(key.split("-")[:2])].append(instance)

    def find(self, key, natural):
        instance = self.by_key.get(key) if isinstance(key, str) else None
        if instance is not None and instance.pk not in self.claimed:
            self.claimed.add(instance.pk)
            return instance
        for instance in self.by_base.get(key_base(self.kind, natural), []):
            if instance.pk not in self.claimed:
                self.claimed.add(instance.pk)
                return instance
        return None

    def claim(self, instance):
        self.claimed.add(instance.pk)


class _Importer:
    """What JSON and CSV imports share: converting, saving, counting and collecting errors."""

    def __init__(self, dry_run=False, progress=None, user=None):
        self.result = ImportResult(dry_run=dry_run)
        self.errors = []
        self.progress = progress
        self.user = user
        self._content_types = {}
        self.created = set()  # (model, pk) of the rows this import created
        self.members = {}  # (model, pk, relation) -> pks of its many-to-many members
        self.citations = {}  # (model, pk, source pk) -> the citation this import holds

    # Errors ---------------------------------------------------------------------------

    def error(self, location, message):
        self.errors.append(f"{location}: {message}" if location else message)
        if len(self.errors) >= MAX_ERRORS:
            raise _TooManyErrors

    def validation_error(self, location, error, labels=None):
        """Report a ValidationError, each message under the field it is about.

        ``labels`` renames model fields as the file names them (CSV columns).
        """
        if not hasattr(error, "error_dict"):
            for message in error.messages:
                self.error(location, message)
            return
        for name, errors in error.message_dict.items():
            for message in errors:
                if name == "__all__":
                    self.error(location, message)
                else:
                    self.error(location, f"{(labels or {}).get(name, name)}: {message}")

    def run(self, work):
        """Run ``work`` in one transaction; roll back on errors or for a dry run.

        An import that keeps what it writes holds the import lock (``import_lock``) for its
        whole transaction: a second import of the same file waits, then finds the records
        the first one made instead of adding them again.
        """
        try:
            with transaction.atomic():
                if not self.result.dry_run:
                    import_lock()
                try:
                    work()
                except _TooManyErrors:
                    self.errors.append(
                        _("… stopped after %(count)d errors.") % {"count": MAX_ERRORS}
                    )
                if self.errors or self.result.dry_run:
                    transaction.set_rollback(True)
        except _SaveRefused as refused:  # a rule the checks above missed; nothing was kept
            self.errors.append(f"{refused.location}: {refused.message}")
        except IntegrityError as error:
            self.errors.append(str(error).strip())
        if self.errors:
            raise ImportFailed(self.errors)
        return self.result

    # Values ---------------------------------------------------------------------------

    def convert(self, model, name, value, location):
        """A JSON value as the model column wants it; raises ValueError after reporting."""
        model_field = model._meta.get_field(name)
        if isinstance(value, dict | list):
            self.error(
                location,
                _("%(field)s must be a single value, not %(value)s")
                % {"field": name, "value": _describe(value)},
            )
            raise ValueError
        if isinstance(model_field, models.DateField):
            if value is None or value == "":
                return None
            if not isinstance(value, str) or not ISO_DATE.match(value):
                self.error(
                    location,
                    _("%(field)s '%(value)s' is not a date (YYYY-MM-DD)")
                    % {"field": name, "value": _describe(value)},
                )
                raise ValueError
            try:
                return datetime.date.fromisoformat(value)
            except ValueError:
                self.error(
                    location,
                    _("%(field)s '%(value)s' is not a date") % {"field": name, "value": value},
                )
                raise
        if isinstance(model_field, models.CharField | models.TextField) and value is None:
            value = ""
        try:
            return model_field.to_python(value)
        except ValidationError as error:
            for message in error.messages:
                self.error(location, f"{name} '{_describe(value)}': {message}")
            raise ValueError from error

    def values(self, kind, data, location, allowed=()):
        """Model values for the columns ``data`` holds, or None after reporting errors."""
        if not isinstance(data, dict):
            self.error(location, _("expected an object with the record's fields"))
            return None
        known = set(kind.column_names()) | set(kind.references) | {"key", "citations", *allowed}
        failed = False
        for name in data:
            if name not in known:
                self.error(location, _("unknown field '%(field)s'") % {"field": name})
                failed = True
        values = {}
        for name in kind.column_names():
            if name in data:
                try:
                    values[name] = self.convert(kind.model, name, data[name], location)
                except ValueError:
                    failed = True
        return None if failed else values

    def items(self, data, name, location):
        """The list under ``name`` in a record (empty if absent), or None after reporting."""
        items = data.get(name, [])
        if not isinstance(items, list):
            self.error(location, _("%(field)s must be a list") % {"field": name})
            return None
        return items

    # Saving ---------------------------------------------------------------------------

    @staticmethod
    def differs(instance, name, value):
        model_field = instance._meta.get_field(name)
        if model_field.is_relation:
            return getattr(instance, model_field.attname) != (value.pk if value else None)
        return getattr(instance, name) != value

    @staticmethod
    def held_relations(instance):
        """Foreign keys set to a row this import holds: their values need no check that the
        row exists (a query each); the database's foreign key still guards them."""
        return {
            model_field.name
            for model_field in instance._meta.concrete_fields
            if model_field.many_to_one
            and model_field.is_cached(instance)
            and getattr(model_field.get_cached_value(instance), "pk", None) is not None
        }

    def save(self, instance, values, location, labels=None):
        """Create or update one record if anything changed; None after reporting errors."""
        created = instance.pk is None
        changed = [name for name, value in values.items() if self.differs(instance, name, value)]
        if not created and not changed:
            self.result.counts[type(instance), "unchanged"] += 1
            return instance
        for name in changed:
            setattr(instance, name, values[name])
        try:
            instance.full_clean(
                exclude=self.held_relations(instance),
                validate_unique=False,
                validate_constraints=False,
            )
            # Unique checks and constraints as full_clean makes them, held relations included.
            instance.validate_unique()
            instance.validate_constraints()
        except ValidationError as error:
            self.validation_error(location, error, labels)
            return None
        if self.user is not None:
            instance._history_user = self.user
        # No savepoint per row (two queries each): a save the checks above let through and the
        # database refuses ends the import, and everything is rolled back.
        try:
            instance.save()
        except IntegrityError as error:
            raise _SaveRefused(location, str(error).strip()) from error
        if created:
            self.created.add((type(instance), instance.pk))
        action = "created" if created else "updated"
        self.result.counts[type(instance), action] += 1
        self.result.changes.append(
            Change(action, location, _label(instance), [] if created else changed)
        )
        return instance

    def is_new(self, instance):
        """Whether this import created ``instance``: nothing else can point at it yet."""
        return (type(instance), instance.pk) in self.created

    def link(self, instance, name, objects, location):
        """Add the missing members of a many-to-many relation; never remove one."""
        manager = getattr(instance, name)
        members = self.members.get((type(instance), instance.pk, name))
        if members is None:
            members = set() if self.is_new(instance) else set(manager.values_list("pk", flat=True))
            self.members[type(instance), instance.pk, name] = members
        missing = [obj for obj in objects if obj.pk not in members]
        if missing:
            manager.add(*missing)
            members.update(obj.pk for obj in missing)
            self.result.links += len(missing)
            added = ", ".join(_label(obj) for obj in missing)
            self.result.changes.append(
                Change("linked", location, _label(instance), [f"{name} + {added}"])
            )

    def content_type(self, model):
        if model not in self._content_types:
            self._content_types[model] = ContentType.objects.get_for_model(model)
        return self._content_types[model]

    def cite(self, record, source, quote, confidence, location, labels=None):
        held = (type(record), record.pk, source.pk)
        citation = self.citations.get(held)
        if citation is None and not self.is_new(record):
            citation = Citation.objects.filter(
                source=source, content_type=self.content_type(type(record)), object_id=record.pk
            ).first()
        if citation is None:
            citation = Citation(
                source=source, content_type=self.content_type(type(record)), object_id=record.pk
            )
        values = {}
        if quote is not None:
            values["quote"] = quote
        if confidence is not None:
            values["confidence"] = confidence
        if self.save(citation, values, location, labels) is not None:
            self.citations[held] = citation


# --- JSON -----------------------------------------------------------------------------------


class _JsonImporter(_Importer):
    def import_data(self, document):
        if not isinstance(document, dict):
            self.error("", _("the file must hold one JSON object, as the export writes it"))
            return
        if document.get("format") != exports.FORMAT or document.get("version") != exports.VERSION:
            self.error(
                "",
                _("this is not a Casetracker export (format '%(format)s', version %(version)s)")
                % {"format": exports.FORMAT, "version": exports.VERSION},
            )
            return
        sections = ["authorities", "sources", "persons", "proceedings", "events"]
        for name in document:
            if name not in {"format", "version", *sections}:
                self.error("", _("unknown section '%(name)s'") % {"name": name})
        lists = {}
        for name in sections:
            lists[name] = self.items(document, name, "")
            if lists[name] is None:
                return
        self.prepare()
        for index, data in enumerate(lists["authorities"], 1):
            self.import_authority(index, data)
        for index, data in enumerate(lists["sources"], 1):
            self.import_source(index, data)
        self.deferred_statuses = []
        for index, data in enumerate(lists["persons"], 1):
            self.import_person(index, data)
            if self.progress:
                self.progress(index)
        for index, data in enumerate(lists["proceedings"], 1):
            self.import_proceeding(index, data)
        for person, location, statuses in self.deferred_statuses:
            self.import_statuses(person, location, statuses)
        for index, data in enumerate(lists["events"], 1):
            self.import_event(index, data)

    def prepare(self):
        """Keys of what the database holds before the import, to match records against."""
        everything = Person.objects.values("pk")
        existing = exports.keyed_sources(Source.objects.all())
        self.source_keys = {source.pk: key for key, _data, source in existing}
        self.sources = _Matcher(SOURCE, existing)
        self.source_by_key = {key: source for key, _data, source in existing}
        proceedings = exports.keyed_proceedings(
            Proceeding.objects.all(), everything, self.source_keys
        )
        self.proceeding_keys = {p.pk: key for key, _data, p in proceedings}
        self.proceedings = _Matcher(PROCEEDING, proceedings)
        self.proceeding_by_key = {key: p for key, _data, p in proceedings}
        self.events = _Matcher(
            EVENT, exports.keyed_events(Event.objects.all(), everything, self.source_keys)
        )
        self.seen = defaultdict(dict)  # kind -> key or natural key -> index in the file
        self.users = {}

    def file_key(self, data, location):
        """The key a record carries in the file (None if it has none); ValueError if not text."""
        key = data.get("key")
        if key is not None and not isinstance(key, str):
            self.error(location, _("key must be text, as the export writes it"))
            raise ValueError
        return key

    def once(self, scope, key, location, name="key"):
        """False (after reporting) if the file already holds a record with this key."""
        if key in self.seen[scope]:
            self.error(
                location,
                _("%(field)s '%(value)s' appears twice in the file (also %(other)s)")
                % {"field": name, "value": key, "other": self.seen[scope][key]},
            )
            return False
        self.seen[scope][key] = location
        return True

    # References -----------------------------------------------------------------------

    def authority(self, reference, location, required=False):
        """The authority a record names as {"name", "country"}; raises ValueError if unknown."""
        if reference is None:
            if required:
                self.error(location, _("authority: this field is required"))
                raise ValueError
            return None
        if (
            not isinstance(reference, dict)
            or set(reference) != {"name", "country"}
            or not all(isinstance(value, str) for value in reference.values())
        ):
            self.error(location, _('authority must be {"name": …, "country": …}'))
            raise ValueError
        authority = Authority.objects.filter(
            name=reference["name"], country=reference["country"]
        ).first()
        if authority is None:
            self.error(
                location,
                _(
                    "authority '%(name)s' (%(country)s) is neither in the file's authorities nor "
                    "in the database"
                )
                % reference,
            )
            raise ValueError
        return authority

    def person_by_ref(self, ref, location, name="person"):
        person = Person.objects.filter(ref=ref).first() if isinstance(ref, str) else None
        if person is None:
            self.error(
                location,
                _("%(field)s '%(ref)s': no person with this reference in the file or the database")
                % {"field": name, "ref": _describe(ref)},
            )
            raise ValueError
        return person

    def persons(self, refs, location):
        if not isinstance(refs, list) or not refs:
            self.error(location, _("persons must be a list of one or more person references"))
            raise ValueError
        found, failed = [], False
        for ref in refs:
            try:
                found.append(self.person_by_ref(ref, location, "persons"))
            except ValueError:
                failed = True
        if failed:
            raise ValueError
        return found

    def source(self, key, location):
        source = self.source_by_key.get(key) if isinstance(key, str) else None
        if source is None:
            self.error(
                location,
                _("source '%(key)s' is neither in the file's sources nor in the database")
                % {"key": _describe(key)},
            )
            raise ValueError
        return source

    def lawyer(self, username, location):
        if not isinstance(username, str):
            self.error(location, _("lawyers: a lawyer is given by their user name"))
            raise ValueError
        if username not in self.users:
            self.users[username] = (
                get_user_model().objects.filter(username=username).first()
                if isinstance(username, str)
                else None
            )
        if self.users[username] is None:
            self.error(
                location,
                _("lawyers: no user named '%(username)s'") % {"username": _describe(username)},
            )
            raise ValueError
        return self.users[username]

    # Reference data -------------------------------------------------------------------

    def import_authority(self, index, data):
        location = _("authority %(index)s") % {"index": index}
        values = self.values(AUTHORITY, data, location)
        if values is None:
            return
        if not values.get("name") or "country" not in values:
            self.error(location, _("an authority needs a name and a country"))
            return
        natural = f"{values['name']} ({values['country']})"
        if not self.once("authority", natural, location, _("name and country")):
            return
        authority = (
            Authority.objects.filter(name=values["name"], country=values["country"]).first()
            or Authority()
        )
        self.save(authority, values, location)

    def import_source(self, index, data):
        location = _("source %(index)s") % {"index": index}
        values = self.values(SOURCE, data, location)
        if values is None:
            return
        natural = {name: plain(value) for name, value in values.items()}
        try:
            key = self.file_key(data, location) or key_base(SOURCE, natural)
        except ValueError:
            return
        if not self.once("source", key, location):
            return
        source = self.sources.find(key, natural) or Source()
        source = self.save(source, values, location)
        if source is not None:
            self.source_by_key[key] = source
            self.source_keys[source.pk] = key

    # Persons --------------------------------------------------------------------------

    def import_person(self, index, data):
        location = _("person %(index)s") % {"index": index}
        nested = ["variants", "lawyers", "crossings", "detentions", "statuses"]
        values = self.values(PERSON, data, location, allowed=[*PERSON_MANAGER_COLUMNS, *nested])
        if values is None:
            return
        for name in PERSON_MANAGER_COLUMNS:
            if name in data:
                try:
                    values[name] = self.convert(Person, name, data[name], location)
                except ValueError:
                    return
        ref = values.get("ref")
        if not ref or not REFERENCE.match(ref):
            self.error(
                location,
                _(
                    "ref '%(ref)s' is not a person reference (%(length)d characters from "
                    "%(alphabet)s)"
                )
                % {"ref": ref or "", "length": REFERENCE_LENGTH, "alphabet": REFERENCE_ALPHABET},
            )
            return
        if not self.once("person", ref, location, "ref"):
            return
        lists = {name: self.items(data, name, location) for name in nested}
        if any(items is None for items in lists.values()):
            return
        person = Person.objects.filter(ref=ref).first() or Person()
        person = self.save(person, values, location)
        if person is None:
            return
        try:
            lawyers = [self.lawyer(username, location) for username in lists["lawyers"]]
        except ValueError:
            lawyers = None
        if lawyers:
            self.link(person, "lawyers", lawyers, location)
        for number, variant in enumerate(lists["variants"], 1):
            self.import_variant(person, variant, f"{location}, {_('name variant')} {number}")
        own_records = (
            (CROSSING, exports.crossing_data, person.crossings.all(), "crossings", _("crossing")),
            (
                DETENTION,
                exports.detention_data,
                person.detentions.all(),
                "detentions",
                _("detention"),
            ),
        )
        for spec, to_data, existing, key, label in own_records:
            matcher = _Matcher(
                spec,
                exports.assign_keys(spec, [(to_data(r, self.source_keys), r) for r in existing]),
            )
            for number, data in enumerate(lists[key], 1):
                self.import_record(
                    spec, data, matcher, {"person": person}, f"{location}, {label} {number}"
                )
        self.deferred_statuses.append((person, location, lists["statuses"]))

    def import_variant(self, person, data, location):
        values = self.values(VARIANT, data, location)
        if values is None:
            return
        if not values.get("name"):
            self.error(location, _("name: this field is required"))
            return
        variant = NameVariant.objects.filter(person=person, name=values["name"]).first()
        self.save(variant or NameVariant(person=person), values, location)

    def import_statuses(self, person, location, statuses):
        matcher = _Matcher(
            STATUS,
            exports.assign_keys(
                STATUS,
                [
                    (exports.status_data(s, self.source_keys, self.proceeding_keys), s)
                    for s in person.statuses.all()
                ],
            ),
        )
        for number, status in enumerate(statuses, 1):
            self.import_record(
                STATUS,
                status,
                matcher,
                {"person": person},
                f"{location}, {_('status decision')} {number}",
            )

    # Records --------------------------------------------------------------------------

    def references(self, kind, data, location):
        """The record's references resolved to rows, and as they enter its natural key."""
        resolved, natural = {}, {}
        if "authority" in kind.references and "authority" in data:
            resolved["authority"] = self.authority(
                data["authority"], location, required=kind is PROCEEDING
            )
            natural["authority"] = exports.authority_reference(resolved["authority"])
        elif kind is PROCEEDING:
            self.authority(None, location, required=True)
        if "proceeding" in kind.references and data.get("proceeding") is not None:
            key = data["proceeding"]
            proceeding = self.proceeding_by_key.get(key) if isinstance(key, str) else None
            if proceeding is None:
                self.error(
                    location,
                    _("proceeding '%(key)s' is neither in the file nor in the database")
                    % {"key": _describe(data["proceeding"])},
                )
                raise ValueError
            resolved["proceeding"] = proceeding
        elif "proceeding" in data:
            resolved["proceeding"] = None
        if "person" in kind.references:
            resolved["person"] = self.person_by_ref(data.get("person"), location)
            natural["person"] = resolved["person"].ref
        if "persons" in kind.references:
            resolved["persons"] = self.persons(data.get("persons"), location)
            natural["persons"] = sorted({person.ref for person in resolved["persons"]})
        return resolved, natural

    def import_record(self, kind, data, matcher, parent, location, allowed=()):
        """Create or update one case record and its citations; the record, or None."""
        values = self.values(kind, data, location, allowed=allowed)
        citations = self.items(data, "citations", location) if isinstance(data, dict) else None
        if values is None or citations is None:
            return None
        try:
            resolved, natural = self.references(kind, data, location)
        except ValueError:
            return None
        persons = resolved.pop("persons", None)
        values.update(resolved)
        values.update(parent)
        natural.update(
            {name: plain(values.get(name)) for name in kind.natural_names() if name not in natural}
        )
        try:
            key = self.file_key(data, location) or key_base(kind, natural)
        except ValueError:
            return None
        scope = (kind.name, *(obj.pk for obj in parent.values()))
        if not self.once(scope, key, location):
            return None
        instance = matcher.find(key, natural) or kind.model()
        record = self.save(instance, values, location)
        if record is None:
            return None
        matcher.claim(record)
        if persons is not None:
            self.link(record, "persons", persons, location)
        for number, citation in enumerate(citations, 1):
            self.import_citation(record, citation, f"{location}, {_('citation')} {number}")
        return record, key

    def import_citation(self, record, data, location):
        if not isinstance(data, dict):
            self.error(location, _("expected an object with the record's fields"))
            return
        for name in data:
            if name not in {"source", "quote", "confidence"}:
                self.error(location, _("unknown field '%(field)s'") % {"field": name})
                return
        try:
            source = self.source(data.get("source"), location)
            quote = (
                self.convert(Citation, "quote", data["quote"], location)
                if "quote" in data
                else None
            )
            confidence = (
                self.convert(Citation, "confidence", data["confidence"], location)
                if "confidence" in data
                else None
            )
        except ValueError:
            return
        self.cite(record, source, quote, confidence, location)

    def import_proceeding(self, index, data):
        location = _("proceeding %(index)s") % {"index": index}
        parts = ["participants", "hearings", "rulings"]
        lists = (
            {name: self.items(data, name, location) for name in parts}
            if isinstance(data, dict)
            else None
        )
        if lists is None or any(items is None for items in lists.values()):
            if lists is None:
                self.error(location, _("expected an object with the record's fields"))
            return
        saved = self.import_record(PROCEEDING, data, self.proceedings, {}, location, allowed=parts)
        if saved is None:
            return
        proceeding, key = saved
        self.proceeding_by_key[key] = proceeding
        self.proceeding_keys[proceeding.pk] = key
        for number, participant in enumerate(lists["participants"], 1):
            self.import_participant(
                proceeding, participant, f"{location}, {_('participant')} {number}"
            )
        hearings = _Matcher(
            HEARING,
            exports.assign_keys(
                HEARING,
                [(exports.hearing_data(h, self.source_keys), h) for h in proceeding.hearings.all()],
            ),
        )
        for number, hearing in enumerate(lists["hearings"], 1):
            self.import_record(
                HEARING,
                hearing,
                hearings,
                {"proceeding": proceeding},
                f"{location}, {_('hearing')} {number}",
            )
        rulings = _Matcher(
            RULING,
            exports.assign_keys(
                RULING,
                [
                    (exports.ruling_data(r, self.source_keys), r)
                    for r in proceeding.rulings.select_related("person")
                ],
            ),
        )
        for number, ruling in enumerate(lists["rulings"], 1):
            self.import_record(
                RULING,
                ruling,
                rulings,
                {"proceeding": proceeding},
                f"{location}, {_('ruling')} {number}",
            )

    def import_participant(self, proceeding, data, location):
        values = self.values(PARTICIPANT, data, location)
        citations = self.items(data, "citations", location) if isinstance(data, dict) else None
        if values is None or citations is None:
            return
        participant = Participant.objects.filter(
            proceeding=proceeding, name=values.get("name"), role=values.get("role")
        ).first() or Participant(proceeding=proceeding)
        participant = self.save(participant, values, location)
        if participant is None:
            return
        for number, citation in enumerate(citations, 1):
            self.import_citation(participant, citation, f"{location}, {_('citation')} {number}")

    def import_event(self, index, data):
        location = _("event %(index)s") % {"index": index}
        self.import_record(EVENT, data, self.events, {}, location)


# Deeper than any export (document, persons, a person, their crossings, a crossing, its
# citations, a citation: seven); a file nested deeper is refused before it is parsed, since the
# JSON parser recurses once per level and a hostile file could exhaust the stack.
MAX_JSON_NESTING = 32
_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKETS = re.compile(r"[\[\]{}]")
# Labels of the lists a file holds, for error locations ("person 3, crossing 1").
_LIST_LABELS = {
    "authorities": "authority",
    "sources": "source",
    "persons": "person",
    "proceedings": "proceeding",
    "events": "event",
    "variants": "name variant",
    "crossings": "crossing",
    "detentions": "detention",
    "statuses": "status decision",
    "participants": "participant",
    "hearings": "hearing",
    "rulings": "ruling",
    "citations": "citation",
    "lawyers": "lawyer",
}


def nesting_depth(text):
    """How deeply the arrays and objects of a JSON text nest, counted without recursion."""
    brackets = _JSON_BRACKETS.findall(_JSON_STRING.sub("", text))
    depth = deepest = 0
    for bracket in brackets:
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def unreadable_text(value):
    """Why a string cannot be stored (a NUL byte, half a surrogate pair), or None."""
    if "\x00" in value:
        return _("contains a NUL character (\\u0000), which text cannot hold")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return _("contains an invalid character (an unpaired \\ud800–\\udfff escape)")
    return None


def unreadable_strings(document):
    """Errors for every string in the document that no database can store; no recursion."""
    errors = []
    stack = [(document, "", "")]
    while stack and len(errors) < MAX_ERRORS:
        value, location, name = stack.pop()
        if isinstance(value, str):
            problem = unreadable_text(value)
            if problem:
                where = f"{location}: " if location else ""
                errors.append(f"{where}{name or _('value')} {problem}")
        elif isinstance(value, dict):
            for key, item in value.items():
                problem = unreadable_text(key)
                if problem:
                    where = f"{location}: " if location else ""
                    errors.append(f"{where}{_('field name')} {problem}")
                    continue
                stack.append((item, location, key))
        elif isinstance(value, list):
            label = _LIST_LABELS.get(name)
            for index, item in reversed(list(enumerate(value, 1))):
                if label is not None and isinstance(item, dict):
                    inner = f"{label} {index}"
                    stack.append((item, f"{location}, {inner}" if location else inner, ""))
                else:
                    stack.append((item, location, f"{name} {index}" if name else str(index)))
    return errors


def parse_json(content):
    """The JSON document in ``content`` (bytes or text); ImportFailed if it is not JSON."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFailed([_encoding_error(error)]) from error
    if nesting_depth(content) > MAX_JSON_NESTING:
        raise ImportFailed(
            [
                _(
                    "The file is nested too deeply: arrays and objects more than %(depth)d "
                    "levels deep. An export of Casetracker is never that deep."
                )
                % {"depth": MAX_JSON_NESTING}
            ]
        )
    try:
        document = json.loads(content)
    except json.JSONDecodeError as error:
        raise ImportFailed(
            [
                _("The file is not valid JSON: %(message)s at line %(line)d, column %(column)d.")
                % {"message": error.msg, "line": error.lineno, "column": error.colno}
            ]
        ) from error
    except RecursionError as error:  # a nesting the count above missed; never a crash
        raise ImportFailed([_("The file is nested too deeply.")]) from error
    errors = unreadable_strings(document)
    if errors:
        raise ImportFailed(errors)
    return document


def import_json(content, dry_run=False, progress=None, user=None):
    """Import an export of ``cases.exports.iter_json``; ImportFailed lists every problem."""
    document = parse_json(content)
    importer = _JsonImporter(dry_run=dry_run, progress=progress, user=user)
    return importer.run(lambda: importer.import_data(document))


# --- CSV template ---------------------------------------------------------------------------

# The columns of docs/import-template.csv, in order; docs/import-template.md explains them.
CSV_COLUMNS = [
    "person_ref",
    "person_name",
    "other_names",
    "sex",
    "birth_year",
    "ethnicity",
    "citizenship",
    "place_of_origin",
    "visibility",
    "public_summary",
    "event_date",
    "event_not_later_than",
    "event_kind",
    "event_title",
    "event_place",
    "event_description",
    "source_title",
    "source_publisher",
    "source_url",
    "source_published",
    "source_quote",
]
CSV_REQUIRED = ["person_ref", "person_name", "event_date", "event_title"]
PERSON_CSV_FIELDS = {
    "person_name": "name",
    "sex": "sex",
    "birth_year": "birth_year",
    "ethnicity": "ethnicity",
    "citizenship": "citizenship",
    "place_of_origin": "place_of_origin",
    "visibility": "visibility",
    "public_summary": "public_summary",
}
EVENT_CSV_FIELDS = [
    "event_date",
    "event_not_later_than",
    "event_kind",
    "event_title",
    "event_place",
    "event_description",
]
SOURCE_CSV_FIELDS = [
    "source_title",
    "source_publisher",
    "source_url",
    "source_published",
    "source_quote",
]
# Model fields as the template's columns name them, for error messages.
PERSON_LABELS = {name: column for column, name in PERSON_CSV_FIELDS.items()}
EVENT_LABELS = {
    "kind": "event_kind",
    "title": "event_title",
    "date": "event_date",
    "date_precision": "event_date",
    "date_not_later_than": "event_not_later_than",
    "place": "event_place",
    "description": "event_description",
}
SOURCE_LABELS = {
    "title": "source_title",
    "publisher": "source_publisher",
    "url": "source_url",
    "published": "source_published",
    "published_precision": "source_published",
    "quote": "source_quote",
}
APPROXIMATE = re.compile(r"^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$")


def _encoding_error(error):
    return _(
        "The file is not UTF-8 text: byte 0x%(byte)02x at position %(position)d cannot be read. "
        'Save it from the spreadsheet program as "CSV UTF-8".'
    ) % {"byte": error.object[error.start], "position": error.start}


def _script(name):
    """The script a name is written in, from its letters."""
    for char in name:
        code = ord(char)
        if 0x0400 <= code <= 0x052F:
            return NameVariant.Script.CYRILLIC
        if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
            return NameVariant.Script.CHINESE
        if 0x0600 <= code <= 0x06FF:
            return NameVariant.Script.ARABIC
    return NameVariant.Script.LATIN


class _CsvImporter(_Importer):
    def import_rows(self, rows):
        """``rows``: (line number, {column: text}) after the header."""
        rows = list(rows)
        persons = self.collect_persons(rows)
        if self.errors:
            return
        self.find_persons(persons)
        for identity, spec in persons.items():
            spec["person"] = self.save_person(identity, spec)
        self.events = {}
        self.find_events([spec["person"] for spec in persons.values()])
        self.find_sources(rows)
        for count, (line, row) in enumerate(rows, 1):
            person = persons[self.identity(row)]["person"]
            if person is not None:
                self.import_event_row(line, row, person)
            if self.progress:
                self.progress(count)

    @staticmethod
    def identity(row):
        ref = row["person_ref"].strip()
        return ("ref", ref) if ref else ("name", row["person_name"].strip())

    def choice(self, model, name, text, location, column):
        """A choice given by its value or its label, in any case."""
        model_field = model._meta.get_field(name)
        wanted = text.strip().lower()
        for value, label in model_field.choices:
            if wanted in {str(value).lower(), str(label).lower(), str(value).replace("_", " ")}:
                return value
        self.error(
            location,
            _("%(column)s '%(value)s' is not one of: %(choices)s")
            % {
                "column": column,
                "value": text,
                "choices": ", ".join(str(value) for value, _label in model_field.choices if value),
            },
        )
        raise ValueError

    def collect_persons(self, rows):
        """The persons the rows name, each with the values its rows give; conflicts are errors."""
        persons = {}
        for line, row in rows:
            location = _("row %(line)d") % {"line": line}
            identity = self.identity(row)
            if not identity[1]:
                self.error(location, _("person_ref or person_name: give one of them"))
                continue
            spec = persons.setdefault(
                identity, {"values": {}, "from": {}, "variants": [], "line": line}
            )
            for column, name in PERSON_CSV_FIELDS.items():
                text = row.get(column, "").strip()
                if not text:
                    continue
                try:
                    if name in {"sex", "visibility"}:
                        value = self.choice(Person, name, text, location, column)
                    elif name == "birth_year":
                        if not re.fullmatch(r"[0-9]{1,5}", text):
                            self.error(
                                location,
                                _("birth_year '%(value)s' is not a year") % {"value": text},
                            )
                            continue
                        value = int(text)
                    else:
                        value = text
                except ValueError:
                    continue
                if name in spec["values"] and spec["values"][name] != value:
                    self.error(
                        location,
                        _("%(column)s '%(value)s' differs from row %(other)d for the same person")
                        % {"column": column, "value": text, "other": spec["from"][name]},
                    )
                    continue
                spec["values"][name] = value
                spec["from"][name] = line
            for name in row.get("other_names", "").split(";"):
                if name.strip() and name.strip() not in spec["variants"]:
                    spec["variants"].append(name.strip())
        return persons

    def find_persons(self, persons):
        """The persons the file names that exist, and their name variants: three queries."""
        refs = [value for kind, value in persons if kind == "ref"]
        names = [value for kind, value in persons if kind == "name"]
        self.persons_by_ref = {person.ref: person for person in Person.objects.filter(ref__in=refs)}
        self.persons_by_name = defaultdict(list)
        for person in Person.objects.filter(name__in=names).order_by("pk"):
            self.persons_by_name[person.name].append(person)
        found = [*self.persons_by_ref.values(), *self.persons_by_name.values()]
        self.variant_names = (
            set(
                NameVariant.objects.filter(
                    person__in=[p.pk for p in self.persons_by_ref.values()]
                    + [p.pk for matches in self.persons_by_name.values() for p in matches]
                ).values_list("person_id", "name")
            )
            if found
            else set()
        )

    def save_person(self, identity, spec):
        location = _("row %(line)d") % {"line": spec["line"]}
        kind, value = identity
        if kind == "ref":
            person = self.persons_by_ref.get(value)
            if person is None:
                self.error(
                    location,
                    _(
                        "person_ref '%(ref)s': no person has this reference (leave it empty to add "
                        "a new person)"
                    )
                    % {"ref": value},
                )
                return None
        else:
            matches = self.persons_by_name.get(value, [])
            if len(matches) > 1:
                self.error(
                    location,
                    _("person_name '%(name)s' matches several persons: give the person_ref")
                    % {"name": value},
                )
                return None
            person = matches[0] if matches else Person(name=value)
        person = self.save(person, spec["values"], location, PERSON_LABELS)
        if person is None:
            return None
        for name in spec["variants"]:
            if (person.pk, name) not in self.variant_names:
                variant = NameVariant(person=person, name=name, script=_script(name))
                if self.save(variant, {}, location, {"name": "other_names"}) is not None:
                    self.variant_names.add((person.pk, name))
        return person

    def find_events(self, persons):
        """The events already linked to the file's persons, by what a row identifies them by:
        one query, instead of one per row."""
        self.events_found = defaultdict(list)
        existing = [p.pk for p in persons if p is not None and not self.is_new(p)]
        if not existing:
            return
        events = (
            Event.objects.filter(persons__in=existing)
            .annotate(person_pk=models.F("persons"))
            .order_by("pk")
        )
        for event in events:
            self.events_found[
                event.person_pk,
                event.kind,
                event.title,
                event.date,
                event.date_precision,
                event.date_not_later_than,
            ].append(event)

    def find_sources(self, rows):
        """The sources the rows cite that exist, by title: one query."""
        titles = {row.get("source_title", "").strip() for _line, row in rows} - {""}
        self.sources = {}
        self.sources_found = defaultdict(list)
        for source in Source.objects.filter(title__in=titles).order_by("pk"):
            self.sources_found[
                source.title,
                source.publisher,
                source.published,
                source.published_precision,
                source.published_not_later_than,
            ].append(source)

    def approximate(self, text, location, column, bound_text="", bound_column=""):
        """An ApproximateDate from "2019", "2019-05" or "2019-05-23"; empty means unknown."""
        bound = None
        if bound_text.strip():
            try:
                bound = datetime.date.fromisoformat(bound_text.strip())
            except ValueError:
                self.error(
                    location,
                    _("%(column)s '%(value)s' is not a date (YYYY-MM-DD)")
                    % {"column": bound_column, "value": bound_text},
                )
                raise
        text = text.strip()
        if not text:
            return ApproximateDate.from_parts(not_later_than=bound)
        match = APPROXIMATE.match(text)
        if not match:
            self.error(
                location,
                _("%(column)s '%(value)s' is not a date (YYYY, YYYY-MM or YYYY-MM-DD)")
                % {"column": column, "value": text},
            )
            raise ValueError
        parts = [int(part) if part else None for part in match.groups()]
        try:
            date = ApproximateDate.from_parts(*parts)
        except ValueError as error:
            self.error(
                location,
                _("%(column)s '%(value)s' is not a date") % {"column": column, "value": text},
            )
            raise ValueError from error
        if bound is not None:
            self.error(
                location,
                _("%(column)s: only an unknown date takes a 'not later than' date")
                % {"column": bound_column},
            )
            raise ValueError
        return date

    def import_event_row(self, line, row, person):
        location = _("row %(line)d") % {"line": line}
        given = {name: row.get(name, "").strip() for name in EVENT_CSV_FIELDS + SOURCE_CSV_FIELDS}
        if not any(given[name] for name in EVENT_CSV_FIELDS):
            return  # a row about the person alone
        if not given["event_title"]:
            self.error(location, _("event_title: an event needs a title"))
            return
        try:
            date = self.approximate(
                given["event_date"],
                location,
                "event_date",
                given["event_not_later_than"],
                "event_not_later_than",
            )
            kind = (
                self.choice(Event, "kind", given["event_kind"], location, "event_kind")
                if given["event_kind"]
                else Event.Kind.OTHER
            )
        except ValueError:
            return
        identity = (kind, given["event_title"], date)
        event = self.events.get(identity)
        if event is None:
            found = self.events_found.get(
                (
                    person.pk,
                    kind,
                    given["event_title"],
                    date.date,
                    date.precision,
                    date.not_later_than,
                ),
                [],
            )
            event = found[0] if found else Event(kind=kind, title=given["event_title"])
            values = {
                "date": date.date,
                "date_precision": date.precision,
                "date_not_later_than": date.not_later_than,
            }
            for column in ["place", "description"]:
                if given[f"event_{column}"]:
                    values[column] = given[f"event_{column}"]
            event = self.save(event, values, location, EVENT_LABELS)
            if event is None:
                return
            self.events[identity] = event
        self.link(event, "persons", [person], location)
        if any(given[name] for name in SOURCE_CSV_FIELDS):
            self.import_source_columns(event, given, location)

    def import_source_columns(self, event, given, location):
        if not given["source_title"]:
            self.error(location, _("source_title: a source needs a title"))
            return
        try:
            published = self.approximate(given["source_published"], location, "source_published")
        except ValueError:
            return
        identity = (given["source_title"], given["source_publisher"], published)
        source = self.sources.get(identity)
        if source is None:
            found = self.sources_found.get(
                (
                    given["source_title"],
                    given["source_publisher"],
                    published.date,
                    published.precision,
                    published.not_later_than,
                ),
                [],
            )
            source = (
                found[0]
                if found
                else Source(
                    title=given["source_title"],
                    publisher=given["source_publisher"],
                    published=published.date,
                    published_precision=published.precision,
                )
            )
            values = {"url": given["source_url"]} if given["source_url"] else {}
            source = self.save(source, values, location, SOURCE_LABELS)
            if source is None:
                return
            self.sources[identity] = source
        self.cite(event, source, given["source_quote"] or None, None, location, SOURCE_LABELS)


def read_csv(content):
    """(line, row) pairs of a CSV file in the template's columns; ImportFailed if unreadable."""
    if isinstance(content, bytes):
        try:
            content = content.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise ImportFailed([_encoding_error(error)]) from error
    content = content.removeprefix("\ufeff")
    reader = csv.reader(io.StringIO(content, newline=""))
    try:
        header = next(reader, None)
        if header is None:
            raise ImportFailed([_("The file is empty: it needs at least the header row.")])
        header = [name.strip() for name in header]
        missing = [name for name in CSV_REQUIRED if name not in header]
        unknown = [name for name in header if name not in CSV_COLUMNS]
        errors = []
        if missing:
            errors.append(
                _("row 1: missing columns: %(columns)s") % {"columns": ", ".join(missing)}
            )
        if unknown:
            errors.append(
                _("row 1: unknown columns: %(columns)s (the template's columns are: %(known)s)")
                % {"columns": ", ".join(unknown), "known": ", ".join(CSV_COLUMNS)}
            )
        duplicated = sorted({name for name in header if header.count(name) > 1})
        if duplicated:
            errors.append(
                _("row 1: columns given twice: %(columns)s") % {"columns": ", ".join(duplicated)}
            )
        if errors:
            raise ImportFailed(errors)
        rows = []
        for row in reader:
            if not any(cell.strip() for cell in row):
                continue
            line = reader.line_num
            if len(row) > len(header):
                raise ImportFailed(
                    [
                        _("row %(line)d: %(count)d cells, but the header has %(columns)d columns")
                        % {"line": line, "count": len(row), "columns": len(header)}
                    ]
                )
            values = dict.fromkeys(CSV_COLUMNS, "")
            values.update(zip(header, row, strict=False))
            errors += [
                _("row %(line)d: %(column)s %(problem)s")
                % {"line": line, "column": column, "problem": problem}
                for column, value in values.items()
                if (problem := unreadable_text(value))
            ]
            if len(errors) >= MAX_ERRORS:
                break
            rows.append((line, values))
        if errors:
            raise ImportFailed(errors)
        return rows
    except csv.Error as error:
        raise ImportFailed(
            [_("row %(line)d: %(message)s") % {"line": reader.line_num, "message": error}]
        ) from error


def import_csv(content, dry_run=False, progress=None, user=None):
    """Import a CSV file in the template of docs/import-template.md."""
    rows = read_csv(content)
    importer = _CsvImporter(dry_run=dry_run, progress=progress, user=user)
    return importer.run(lambda: importer.import_rows(rows))


def detect_format(name, content):
    """ "json" or "csv", from the file name, else from the first character."""
    lowered = (name or "").lower()
    if lowered.endswith(".json"):
        return "json"
    if lowered.endswith(".csv"):
        return "csv"
    if isinstance(content, bytes):
        head = content[:64].removeprefix(b"\xef\xbb\xbf").lstrip()
        return "json" if head.startswith((b"{", b"[")) else "csv"
    return "json" if content[:64].removeprefix("\ufeff").lstrip().startswith(("{", "[")) else "csv"


def import_file(name, content, dry_run=False, progress=None, user=None, file_format=None):
    """Import ``content`` (bytes) as JSON or CSV; ``file_format`` overrides the detection."""
    file_format = file_format or detect_format(name, content)
    importer = import_json if file_format == "json" else import_csv
    return importer(content, dry_run=dry_run, progress=progress, user=user)
