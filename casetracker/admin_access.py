"""The visibility rules, applied to every page of the admin.

Every ModelAdmin and inline of Casetracker is built on ``RecordAdmin`` / ``RecordInlineMixin``
so that a new admin cannot forget the rules:

- its queryset is ``visible_to(request.user)``: what a user may not see does not exist for
  them (changelist, change view, history, autocomplete, inline rows, delete confirmations);
- change and delete need the model permission *and* ``managed_by(request.user)`` to contain
  the object; otherwise the object is view-only;
- foreign keys and many-to-many fields to a person offer only the persons the user manages,
  so a lawyer attaches records to their own persons only;
- a record shared by several persons never shows the name of one the user may not see;
- every change form carries the version of the record it was opened on, and a save of an
  older version is refused (``casetracker.versions``), as on the lawyer's pages;
- a revert from the history is a change like any other: the same form, the same read-only
  and withheld fields (which keep their current value), the same version check;
- the history of a record never shows the content of a version that belonged to persons the
  user may not see;
- typed text never shows the name of a person the user may not see (``cases.masking``): every
  page is masked, a text field whose value names such a person is locked for the user (shown
  masked, saved as it was), and a search matches only what the user may read.

A model whose manager has no ``visible_to``/``managed_by`` must override ``visible_queryset``
and ``managed_queryset``; anything else is refused when the admin is registered. Sources and
authorities have both: they take their visibility from the records that cite or name them.
"""

import dataclasses
import re
from collections import defaultdict
from collections.abc import Callable
from typing import NamedTuple
from urllib.parse import urlencode

from django import forms
from django.contrib import admin
from django.contrib.admin import helpers
from django.contrib.admin.utils import NestedObjects, flatten_fieldsets, quote, unquote
from django.contrib.admin.views.autocomplete import AutocompleteJsonView
from django.contrib.admin.views.main import SEARCH_VAR
from django.contrib.admin.widgets import AdminTextInputWidget
from django.core.exceptions import (
    FieldDoesNotExist,
    ImproperlyConfigured,
    PermissionDenied,
    ValidationError,
)
from django.db import models, router, transaction
from django.db.models import Prefetch, Q
from django.db.models.constants import LOOKUP_SEP
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst, smart_split, unescape_string_literal
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from casetracker.dates import approximate_attributes
from casetracker.formsets import row_limits
from casetracker.versions import StaleEdit, check_version, version_token
from people.access_log_admin import ReadLoggingAdminMixin
from people.models import NameVariant, Person, is_admin
from people.record_persons import (
    parent_fields,
    person_fields,
    person_m2m_fields,
    request_memo,
    visible_person_ids,
)

HIDDEN_PERSON = _("(a person you may not see)")
HIDDEN_RECORD = _("(a record you may not see)")
HIDDEN_VERSION = _("(a version you may not see)")
HIDDEN_VALUE = _("(withheld)")
LOCKED_HELP = _("This text names a person you may not see; an admin or their lawyer can change it.")
STALE_MESSAGE = _(
    "Someone else saved this record after you opened it, so your changes were not saved. "
    "What you typed is below; reload the page to see their version, or save again to "
    "replace it with yours."
)
DELETED_MESSAGE = _("Someone else deleted this record after you opened it; nothing was saved.")


def matching_persons(user, search_term):
    """Persons the user may see whose name or a name variant contains every word searched."""
    persons = Person.objects.visible_to(user)
    for bit in search_bits(search_term):
        persons = persons.filter(Q(name__icontains=bit) | Q(variants__name__icontains=bit))
    return persons.values("pk")


def as_id(text):
    """A primary key typed in a URL, or None if it cannot be one (a 404, not a 500)."""
    text = str(text)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


def versioned_form(form_class):
    """The change form of a saved record, carrying the version it was opened on.

    Its ``clean`` locks the record's row and refuses the save if someone else saved it since
    (``casetracker.versions.check_version``), inside the transaction the admin saves in: the
    form is then shown again with what was typed, and nothing is written.
    """

    class VersionedForm(form_class):
        version = forms.CharField(widget=forms.HiddenInput, required=False)

        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            if self.instance.pk is not None:
                self.initial.setdefault("version", version_token(self.instance))

        def clean(self):
            cleaned_data = super().clean()
            if self.instance.pk is None:
                return cleaned_data
            try:
                check_version(self.instance, cleaned_data.get("version") or "")
            except StaleEdit as stale:
                if stale.current is None:
                    raise ValidationError(DELETED_MESSAGE, code="deleted") from None
                # Saving again after reading the message keeps this user's version.
                self.data = self.data.copy()
                self.data[self.add_prefix("version")] = version_token(stale.current)
                raise ValidationError(STALE_MESSAGE, code="stale") from None
            return cleaned_data

    VersionedForm.__name__ = form_class.__name__
    return VersionedForm


# Names in typed text ---------------------------------------------------------------------


def request_masker(request):
    """The masker of the names of every person the user may not see (``RecordAdmin.
    reader_masker``), built once per request; None for an admin, who sees everyone, and
    when no one is hidden."""
    build = RecordAdmin.reader_masker
    if build is None or is_admin(request.user):
        return None
    return request_memo(request, "masker", lambda: build(request.user)) or None


def typed_text(field):
    """What withholding names treats a model field as: "address" (a URL), "text" (other
    typed text) or None: choices, a person's own name or reference (the persons an admin
    page reaches through a record are persons the user may see), anything else."""
    if not isinstance(field, models.CharField | models.TextField) or field.choices:
        return None
    if field.model in (Person, NameVariant) and field.name in ("name", "ref"):
        return None
    return "address" if isinstance(field, models.URLField) else "text"


def names_someone(masker, kind, value):
    if kind == "address" and masker.names_someone_in_address(value):
        return True
    return masker.names_someone(value)


def withheld(masker, kind, value):
    """``value`` as the reader may read it: an address that spells a name is withheld whole
    (its words run together in lower case, where a masker of typed text cannot see them)."""
    if kind == "address" and masker.names_someone_in_address(value):
        return str(HIDDEN_VALUE)
    return masker(value)


class WithheldTextField(forms.CharField):
    """A text that names a person the user may not see: shown with the names withheld, not
    editable, and saved exactly as it was: Django ignores what is posted for a disabled field,
    and the saved text is not cleaned again (stripped, or normalised as an address)."""

    def __init__(self, saved, **kwargs):
        super().__init__(disabled=True, required=False, strip=False, **kwargs)
        self.saved = saved

    def clean(self, value):
        return self.saved


def withhold_names(form, masker, shown=None):
    """Lock each text field of a record's form whose value names a person the user may not see.

    ``shown`` is the record whose values the form shows (a revert shows an older version than
    the record it saves); the form's own record by default. A locked field shows the value with
    the names withheld and saves the form's record's value unchanged. A new record has nothing
    saved to lock: what the user types is theirs.
    """
    record = form.instance
    shown = record if shown is None else shown
    if record.pk is None or not masker:
        return
    for name, field in list(form.fields.items()):
        if isinstance(field, WithheldTextField):
            continue
        try:
            kind = typed_text(form._meta.model._meta.get_field(name))
        except FieldDoesNotExist:
            continue
        value = getattr(shown, name, None)
        if kind is None or not names_someone(masker, kind, value):
            continue
        locked = WithheldTextField(
            getattr(record, name),
            label=field.label,
            help_text=LOCKED_HELP,
            # A plain text box: an address widget would link to the withheld address.
            widget=AdminTextInputWidget if kind == "address" else field.widget,
        )
        # A table row of an inline shows no help text: the box says it when pointed at.
        locked.widget.attrs["title"] = LOCKED_HELP
        form.fields[name] = locked
        form.initial[name] = withheld(masker, kind, value)


def withholding_form(form_class, masker):
    """``form_class`` with the fields that name a hidden person locked (``withhold_names``)."""

    class WithholdingForm(form_class):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            withhold_names(self, masker)

    WithholdingForm.__name__ = form_class.__name__
    return WithholdingForm


INPUT_TAG = re.compile(r"<input\b[^>]*>", re.IGNORECASE)
TEXTAREA = re.compile(r"(<textarea\b[^>]*>)(.*?)</textarea>", re.IGNORECASE | re.DOTALL)
# Django renders attributes as name="escaped value" or a bare name (disabled).
ATTRIBUTE = re.compile(r'\s([^\s=>"]+)(?:="([^"]*)")?')
# A URL field shown read-only is a link to its address.
EXTERNAL_LINK = re.compile(r'<a href="(https?://[^"]*)">(.*?)</a>', re.IGNORECASE | re.DOTALL)


def _attributes(tag):
    return {match.group(1).lower(): match for match in ATTRIBUTE.finditer(tag)}


def _kept_as_typed(html, request):
    """Where a page holds what the user typed, or a text checked to name no one: the values of
    enabled inputs and text areas (a text that names someone is locked: disabled, shown
    masked) and the search in the list's links. Masking those would save "[name withheld]"
    over the user's text, and tell them that a word they typed is the name of someone hidden.
    """
    spans = []
    for match in INPUT_TAG.finditer(html):
        attributes = _attributes(match.group())
        value = attributes.get("value")
        if value is not None and value.group(2) is not None and "disabled" not in attributes:
            spans.append((match.start() + value.start(2), match.start() + value.end(2)))
    for match in TEXTAREA.finditer(html):
        if "disabled" not in _attributes(match.group(1)):
            spans.append(match.span(2))
    term = request.GET.get(SEARCH_VAR)
    if term:
        searched = re.escape(urlencode({SEARCH_VAR: term}))
        spans += [m.span() for m in re.finditer(rf'(?<=[?;&]){searched}(?=[&"#]|$)', html)]
    return sorted(spans)


def mask_html(html, masker, request):
    """A rendered admin page with the names withheld, except where the user's own text is."""
    html = EXTERNAL_LINK.sub(
        lambda link: (
            str(HIDDEN_VALUE) if masker.names_someone_in_address(link.group(1)) else link.group()
        ),
        html,
    )
    parts, position = [], 0
    for start, end in _kept_as_typed(html, request):
        if start < position:
            continue
        parts += [masker(html[position:start]), html[start:end]]
        position = end
    parts.append(masker(html[position:]))
    return "".join(parts)


def mask_page(request, response):
    """Withhold from a page of the admin the names of persons the reader may not see.

    What the page shows of a text that names one is masked; a form's text that names one is
    locked (``withhold_names``), so a save never writes "[name withheld]". The values of the
    other fields, and the search, are what the user typed: kept as they are.
    """
    if response.status_code != 200:
        return response
    masker = request_masker(request)
    if masker is None:
        return response

    def mask(rendered):
        charset = rendered.charset
        html = rendered.content.decode(charset)
        rendered.content = mask_html(html, masker, request).encode(charset)

    if hasattr(response, "add_post_render_callback"):
        response.add_post_render_callback(mask)
    else:
        mask(response)
    return response


class WithholdingAutocompleteJsonView(AutocompleteJsonView):
    """The choices a foreign-key box offers as the user types (a citation's source), labelled
    without the names of persons the user may not see."""

    def serialize_result(self, obj, to_field_name):
        result = super().serialize_result(obj, to_field_name)
        masker = request_masker(self.request)
        if masker is not None:
            result["text"] = masker(result["text"])
        return result


def withhold_names_on_site(site):
    """The admin site's own pages withhold names too: its index lists the user's recent
    actions by the records' names (a source's title), and its autocomplete labels the choices
    a foreign-key box offers as the user types (``WithholdingAutocompleteJsonView``)."""
    index = site.index

    def index_view(request, extra_context=None):
        return mask_page(request, index(request, extra_context))

    def autocomplete_view(request):
        return WithholdingAutocompleteJsonView.as_view(admin_site=site)(request)

    site.index = index_view
    site.autocomplete_view = autocomplete_view


def search_bits(search_term):
    """The words of a search as Django's admin matches them, each on its own."""
    for bit in smart_split(search_term):
        if bit.startswith(('"', "'")) and bit[0] == bit[-1]:
            bit = unescape_string_literal(bit)
        yield bit


def _contains(word, value):
    return word.casefold() in value.casefold()


def _starts_with(word, value):
    return value.casefold().startswith(word.casefold())


def _equals(word, value):
    return value.casefold() == word.casefold()


# What a hidden name leaves in a text a search reads: a character no search word holds.
CUT = "\x00"
# Django's prefixes of search_fields; a full-text search ("@") is taken as "contains".
SEARCH_MATCHES = {"^": _starts_with, "=": _equals}


class SearchSpec(NamedTuple):
    """One of ``search_fields``: the path of the value searched, how Django's admin matches a
    word to it, and what the value is (``typed_text``)."""

    path: str
    match: Callable[[str, str], bool]
    kind: str | None

    @classmethod
    def of(cls, model, spec):
        spec = str(spec)
        path = spec.lstrip("^=@")
        field = None
        try:
            for part in path.split(LOOKUP_SEP):
                model = field.related_model if field is not None else model
                field = model._meta.get_field(part)
        except FieldDoesNotExist as missing:
            raise ImproperlyConfigured(
                f"search_fields: {spec} is not a field path (a lookup at its end is not supported)."
            ) from missing
        return cls(path, SEARCH_MATCHES.get(spec[0], _contains), typed_text(field))

    def readable(self, value, masker):
        """The value as a search may match it: each name of a hidden person cut out, not
        replaced by "[name withheld]" (a placeholder is not text: "held" would find it only
        where a hidden name holds "held")."""
        if self.kind == "address" and masker.address_regex:
            value = masker.address_regex.sub(CUT, value)
        if self.kind and masker.regex:
            value = masker.regex.sub(CUT, value)
        return value


class PrivateHistoryHelper(HistoricalRecordContextHelper):
    """Shows the changes of a record without what the reader may not see.

    Fields only managers may read (internal notes) are left out for others. A person the
    reader may not see is left out of a list of persons (a change that only concerned them
    is not listed), and replaced by a placeholder where a record moved away from them.
    """

    def __init__(self, model, historical_record, *, request, hidden_fields=()):
        super().__init__(model, historical_record)
        self.request = request
        self.hidden_fields = set(hidden_fields)

    def context_for_delta_changes(self, delta):
        changes = []
        for change in delta.changes:
            if change.field in self.hidden_fields:
                continue
            field = self.model._meta.get_field(change.field)
            if field.many_to_many and field.related_model is Person:
                key = get_m2m_reverse_field_name(field)
                old, new = self._visible_rows(change.old, key), self._visible_rows(change.new, key)
                if [row[key].pk for row in old] == [row[key].pk for row in new]:
                    continue
                change = dataclasses.replace(change, old=old, new=new)
            changes.append(change)
        return super().context_for_delta_changes(dataclasses.replace(delta, changes=changes))

    def _visible_rows(self, rows, key):
        visible = visible_person_ids(self.request, {row[key].pk for row in rows})
        return [row for row in rows if row[key].pk in visible]

    def prepare_delta_change_value(self, change, value):
        value = super().prepare_delta_change_value(change, value)
        field = self.model._meta.get_field(change.field)
        if not (field.many_to_one and field.related_model is Person) or value is None:
            return value
        pk = getattr(value, "pk", None)
        return value if pk in visible_person_ids(self.request, {pk}) else HIDDEN_PERSON


class RecordAdmin(ReadLoggingAdminMixin, SimpleHistoryAdmin):
    """The one ModelAdmin base of Casetracker: visibility, management and history rules."""

    # Fields shown only to those who manage the object (e.g. a person's internal notes).
    manager_only_fields = ()
    # Shared records: the path from this model to the persons a search may match by name.
    person_search_path = None
    # Builds, for a reader, the masker of the names of persons they may not see that typed
    # text may hold (cases.masking); set by the cases app, which casetracker may not import.
    reader_masker = None

    def __init__(self, model, admin_site):
        super().__init__(model, admin_site)
        manager = model._default_manager
        overridden = type(self).visible_queryset is not RecordAdmin.visible_queryset
        if not (overridden or (hasattr(manager, "visible_to") and hasattr(manager, "managed_by"))):
            raise ImproperlyConfigured(
                f"{type(self).__name__}: {model.__name__} has no visible_to/managed_by; "
                "override visible_queryset and managed_queryset."
            )

    # The rules, per model -------------------------------------------------------------

    def visible_queryset(self, request, queryset):
        return queryset.visible_to(request.user)

    def managed_queryset(self, request, queryset):
        return queryset.managed_by(request.user)

    def is_visible(self, request, obj):
        key = ("visible", self.model._meta.label, obj.pk)
        return request_memo(
            request,
            key,
            lambda: (
                self.visible_queryset(request, self.model._default_manager.all())
                .filter(pk=obj.pk)
                .exists()
            ),
        )

    def is_managed(self, request, obj):
        """Whether the user may change the object; True for a new one (obj is None)."""
        if obj is None or obj.pk is None:
            return True
        return self.is_managed_pk(request, obj.pk)

    def is_managed_pk(self, request, pk):
        key = ("managed", self.model._meta.label, pk)
        return request_memo(
            request,
            key,
            lambda: (
                self.managed_queryset(request, self.model._default_manager.all())
                .filter(pk=pk)
                .exists()
            ),
        )

    # Querysets ------------------------------------------------------------------------

    def get_queryset(self, request):
        queryset = self.visible_queryset(request, super().get_queryset(request))
        for name in person_m2m_fields(self.model):
            # Only the persons the reader may see, for the list and the change form.
            queryset = queryset.prefetch_related(
                Prefetch(
                    name,
                    queryset=Person.objects.visible_to(request.user),
                    to_attr=f"visible_{name}",
                )
            )
        return queryset

    def get_search_results(self, request, queryset, search_term):
        if self._is_autocomplete(request):
            queryset = self.autocomplete_queryset(request, queryset)
        results, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        results = self.drop_hidden_matches(request, results, search_term)
        if self.person_search_path and search_term.strip():
            # Searching a shared record by name matches only the persons the user may see:
            # otherwise a search would confirm who else a record concerns.
            persons = matching_persons(request.user, search_term)
            results = queryset.filter(
                Q(pk__in=results.values("pk")) | Q(**{f"{self.person_search_path}__in": persons})
            )
            may_have_duplicates = True
        return results, may_have_duplicates

    def drop_hidden_matches(self, request, results, search_term):
        """The rows of a search that match it in what the user may read.

        The database matches the typed text as saved, names of hidden persons included: a row
        whose only match lies inside such a name would confirm the name. The searched values
        of the rows found are read in one query and matched again with those names cut out:
        a search for a word of a hidden name then finds what a word found nowhere finds.
        """
        masker = request_masker(request)
        bits = list(search_bits(search_term))
        if masker is None or not bits:
            return results
        specs = [SearchSpec.of(self.model, spec) for spec in self.get_search_fields(request)]
        if not any(spec.kind for spec in specs):
            return results
        readable = defaultdict(set)  # per row: (spec, a value of it as the user may read it)
        for pk, *row in results.order_by().values_list("pk", *(spec.path for spec in specs)):
            for spec, value in zip(specs, row, strict=True):
                if isinstance(value, str):
                    readable[pk].add((spec, spec.readable(value, masker)))
        dropped = [
            pk
            for pk, found in readable.items()
            if not all(any(spec.match(bit, text) for spec, text in found) for bit in bits)
        ]
        return results.exclude(pk__in=dropped) if dropped else results

    def autocomplete_queryset(self, request, queryset):
        """What a foreign-key search offers: for persons, only those the user manages."""
        return queryset

    @staticmethod
    def _is_autocomplete(request):
        match = getattr(request, "resolver_match", None)
        return match is not None and match.url_name == "autocomplete"

    def lookup_allowed(self, lookup, value, request=None):
        # Filtering a shared record by a person id would tell who else it concerns.
        if lookup.split("__")[0] in person_m2m_fields(self.model):
            return False
        return super().lookup_allowed(lookup, value, request)

    # Permissions ----------------------------------------------------------------------

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and (
            obj is None or self.is_visible(request, obj)
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.is_managed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.is_managed(request, obj)

    def delete_queryset(self, request, queryset):
        self.refuse_unmanaged(request, queryset)
        super().delete_queryset(request, queryset)

    def refuse_unmanaged(self, request, queryset):
        # The "delete selected" action already refuses objects the user does not manage
        # (see get_deleted_objects); this is the last line should that ever change.
        managed = self.managed_queryset(request, queryset).values("pk")
        if queryset.exclude(pk__in=managed).exists():
            raise PermissionDenied

    # Forms ----------------------------------------------------------------------------

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return short_date_label(db_field, formfield)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_form(self, request, obj=None, change=False, **kwargs):
        fields = kwargs.get("fields", ())
        if "fields" not in kwargs:
            fields = flatten_fieldsets(self.get_fieldsets(request, obj))
        if fields is not None:
            # The version is the form's own field (versioned_form), not the model's.
            kwargs["fields"] = [name for name in fields if name != "version"]
        form = super().get_form(request, obj, change, **kwargs)
        if obj is not None and obj.pk is not None:
            form = versioned_form(form)
        masker = request_masker(request)
        if masker is not None:
            form = withholding_form(form, masker)
        names = [name for name in person_m2m_fields(self.model) if name in form.base_fields]
        if not names:
            return form

        class OwnPersonsForm(form):
            """Starts with only the persons the user may choose; save_form keeps the others."""

            def __init__(self, *args, **kwargs):
                super().__init__(*args, **kwargs)
                for name in names:
                    initial = [getattr(p, "pk", p) for p in self.initial.get(name) or []]
                    self.initial[name] = list(
                        self.fields[name]
                        .queryset.filter(pk__in=initial)
                        .values_list("pk", flat=True)
                    )

        OwnPersonsForm.__name__ = form.__name__
        return OwnPersonsForm

    def get_fieldsets(self, request, obj=None):
        self.prepare_object(request, obj)
        can_change = self.has_change_permission(request, obj)
        hidden = set() if self.is_managed(request, obj) else set(self.manager_only_fields)
        shared = person_m2m_fields(self.model)

        def row(fields):
            if isinstance(fields, list | tuple):
                kept = [name for field in fields for name in row(field)]
                return [tuple(kept)] if len(kept) > 1 else kept
            if fields in hidden or fields == "version":
                return []
            if fields in shared:
                # Readers see the persons they may see; editors also see who else it concerns.
                return [f"visible_{fields}"] if not can_change else [fields, f"other_{fields}"]
            return [fields]

        fieldsets = []
        for title, options in super().get_fieldsets(request, obj):
            fields = [name for field in options["fields"] for name in row(field)]
            if fields:
                fieldsets.append((title, {**options, "fields": fields}))
        if obj is not None and obj.pk is not None and can_change and fieldsets:
            # A hidden field on a line of its own: Django's admin hides the whole line.
            fieldsets[0][1]["fields"].append("version")
        return fieldsets

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        for name in person_m2m_fields(self.model):
            readonly += [f"visible_{name}", f"other_{name}"]
        return readonly

    def get_exclude(self, request, obj=None):
        exclude = list(super().get_exclude(request, obj) or [])
        if not self.is_managed(request, obj):
            exclude += list(self.manager_only_fields)
        return exclude

    def prepare_object(self, request, obj):
        """Attach the persons of a shared record the user may see, for the read-only displays."""
        if obj is None:
            return
        for name in person_m2m_fields(self.model):
            if not hasattr(obj, f"visible_{name}"):
                setattr(
                    obj,
                    f"visible_{name}",
                    list(
                        Person.objects.visible_to(request.user).filter(
                            pk__in=getattr(obj, name).values("pk")
                        )
                    ),
                )
            managed = set(
                Person.objects.managed_by(request.user)
                .filter(pk__in=[person.pk for person in getattr(obj, f"visible_{name}")])
                .values_list("pk", flat=True)
            )
            setattr(
                obj,
                f"other_{name}",
                [person for person in getattr(obj, f"visible_{name}") if person.pk not in managed],
            )

    @admin.display(description=_("persons concerned"))
    def visible_persons(self, obj):
        return ", ".join(str(person) for person in getattr(obj, "visible_persons", [])) or None

    @admin.display(description=_("also concerns"))
    def other_persons(self, obj):
        return ", ".join(str(person) for person in getattr(obj, "other_persons", [])) or None

    def save_form(self, request, form, change):
        obj = super().save_form(request, form, change)
        # Keep the persons the user may not change: the form offers only their own persons,
        # and saving it must not drop the others from a shared record.
        for name in person_m2m_fields(self.model):
            if name in form.cleaned_data and change:
                kept = getattr(obj, name).exclude(
                    pk__in=Person.objects.managed_by(request.user).values("pk")
                )
                form.cleaned_data[name] = [*form.cleaned_data[name], *kept]
            obj._submitted_persons = list(form.cleaned_data.get(name, []))
        return obj

    # Deletion -------------------------------------------------------------------------

    def get_deleted_objects(self, objs, request):
        """Django's list of what a deletion takes along, without what the user may not see.

        An object the user may not delete (because they do not manage it) blocks the
        deletion, as Django does for missing model permissions.
        """
        objs = list(objs)
        if not objs:
            return [], {}, set(), []
        collector = NestedObjects(using=router.db_for_write(self.model), origin=objs)
        by_kind = {}
        for obj in objs:  # a person's deletion lists the shared records that go with them
            by_kind.setdefault(type(obj), []).append(obj)
        for same_kind in by_kind.values():
            collector.collect(same_kind)
        by_model = {}
        for model, instances in collector.model_objs.items():
            by_model.setdefault(model, set()).update(instance.pk for instance in instances)
        for instance in collector.protected:
            by_model.setdefault(type(instance), set()).add(instance.pk)
        visible = {}
        for model, pks in by_model.items():
            if self.admin_site.is_registered(model):
                model_admin = self.admin_site.get_model_admin(model)
                queryset = model_admin.visible_queryset(
                    request, model._default_manager.filter(pk__in=pks)
                )
                visible[model] = set(queryset.values_list("pk", flat=True))
        perms_needed = set()

        def format_callback(obj, deleted=True):
            model = type(obj)
            opts = obj._meta
            if not self.admin_site.is_registered(model):
                return f"{capfirst(opts.verbose_name)}: {obj}"
            # A protected object blocks the deletion anyway: list it rather than its kind.
            if obj.pk not in visible.get(model, ()):
                if deleted:
                    perms_needed.add(opts.verbose_name)
                return f"{capfirst(opts.verbose_name)}: {HIDDEN_RECORD}"
            model_admin = self.admin_site.get_model_admin(model)
            if deleted and not model_admin.has_delete_permission(request, obj):
                perms_needed.add(opts.verbose_name)
            try:
                url = reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=(quote(obj.pk),),
                )
            except NoReverseMatch:
                return f"{capfirst(opts.verbose_name)}: {obj}"
            return format_html('{}: <a href="{}">{}</a>', capfirst(opts.verbose_name), url, obj)

        to_delete = collector.nested(format_callback)
        protected = [format_callback(obj, deleted=False) for obj in collector.protected]
        model_count = {
            model._meta.verbose_name_plural: len(instances)
            for model, instances in collector.model_objs.items()
        }
        return to_delete, model_count, perms_needed, protected

    # History --------------------------------------------------------------------------

    object_history_list_template = "admin/casetracker/object_history_list.html"

    # Names in typed text ---------------------------------------------------------------

    def mask_names(self, request, response):
        """Withhold from a page the names of persons the reader may not see (``mask_page``)."""
        return mask_page(request, response)

    def changelist_view(self, request, extra_context=None):
        # The confirmation of a bulk action (delete selected) is the list's response too.
        response = super().changelist_view(request, extra_context)
        return self.mask_names(request, response)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Add and change, editable or not, and a form shown again after a failed save.
        response = super().changeform_view(request, object_id, form_url, extra_context)
        return self.mask_names(request, response)

    def delete_view(self, request, object_id, extra_context=None):
        response = super().delete_view(request, object_id, extra_context)
        return self.mask_names(request, response)

    def history_view(self, request, object_id, extra_context=None):
        response = self._history_view(request, object_id, extra_context)
        return self.mask_names(request, response)

    def _history_view(self, request, object_id, extra_context=None):
        # simple_history falls back to the last historical version when the queryset does
        # not hold the object, which would show hidden persons; only admins may see the
        # history of a deleted object, and a mistyped id is no object at all.
        if self.get_object(request, unquote(object_id)) is None and not (
            is_admin(request.user) and as_id(unquote(object_id)) is not None
        ):
            raise Http404
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        """One version of a record, and its revert: a change through the same form as any.

        simple_history's own revert saves every field of the old version, including those
        the user's change form withholds or shows read-only (a lawyer's ``visibility``); here
        the form is bound to the current record, so those keep their current value, and the
        save passes the same permission, shared-record and version checks as a change.
        The form opens with the old version's values of the fields the user may change.
        Inline rows (citations, name variants) are records of their own, with their own
        history: a revert does not touch them.
        """
        request.current_app = self.admin_site.name
        current = self.get_object(request, unquote(object_id))
        history_id = as_id(version_id)
        if current is None or history_id is None:
            raise Http404
        version = (
            self.history_manager()
            .filter(**{self.model._meta.pk.attname: current.pk, "history_id": history_id})
            .first()
        )
        if version is None or self.version_is_hidden(request, version):
            raise Http404
        if not self.has_view_or_change_permission(request, current):
            raise PermissionDenied
        if request.method == "POST" and not self.has_change_permission(request, current):
            raise PermissionDenied
        with transaction.atomic(using=router.db_for_write(self.model)):
            response = self._revert_view(request, current, version, extra_context)
        return self.mask_names(request, response)

    def _revert_view(self, request, current, version, extra_context):
        form_class = self.get_form(request, current, change=True)
        if request.method == "POST":
            form = form_class(request.POST, request.FILES, instance=current)
            # The version's texts the user was shown withheld stay as they are now.
            withhold_names(form, request_masker(request), shown=version.instance)
            if form.is_valid():
                obj = self.save_form(request, form, change=True)
                self.save_model(request, obj, form, change=True)
                self.save_related(request, form, [], change=True)
                self.log_change(request, obj, self.construct_change_message(request, form, []))
                return self.response_change(request, obj)
            shown = current
        else:
            shown = self.version_instance(request, version)
            form = form_class(instance=shown, initial=self.version_initial(version, current))
        fieldsets = list(self.get_fieldsets(request, current))
        revert_disabled = self.revert_disabled(request, current)
        readonly = self.get_readonly_fields(request, current)
        if revert_disabled:
            # As Django's change view does for a user who may only view.
            readonly = flatten_fieldsets(fieldsets)
        admin_form = helpers.AdminForm(
            form,
            fieldsets,
            self.get_prepopulated_fields(request, current),
            readonly,
            model_admin=self,
        )
        opts = self.model._meta
        prefix = f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}"
        context = {
            **self.admin_site.each_context(request),
            "title": (_("View %s") if revert_disabled else _("Revert %s")) % shown,
            "adminform": admin_form,
            "object_id": current.pk,
            "original": shown,
            "is_popup": False,
            "media": self.media + admin_form.media,
            "errors": helpers.AdminErrorList(form, []),
            "inline_admin_formsets": [],
            "app_label": opts.app_label,
            "original_opts": opts,
            "changelist_url": reverse(f"{prefix}_changelist"),
            "change_url": reverse(f"{prefix}_change", args=(quote(current.pk),)),
            "history_url": reverse(f"{prefix}_history", args=(quote(current.pk),)),
            "change_history": False,
            "revert_disabled": revert_disabled,
            "add": False,
            "change": True,
            "has_add_permission": self.has_add_permission(request),
            "has_view_permission": self.has_view_permission(request, current),
            "has_change_permission": not revert_disabled,
            "has_delete_permission": self.has_delete_permission(request, current),
            "has_file_field": True,
            "has_absolute_url": False,
            "form_url": "",
            "opts": opts,
            "content_type_id": self.content_type_model_cls.objects.get_for_model(self.model).id,
            "save_as": False,
            "save_on_top": self.save_on_top,
            **(extra_context or {}),
        }
        # simple-history's renderer, which the read log hooks (people.access_log_admin).
        return self.render_history_view(request, self.object_history_form_template, context)

    def history_manager(self):
        return getattr(self.model, self.model._meta.simple_history_manager_attribute)

    def version_instance(self, request, version):
        """The record as it was at ``version``, with the persons it then concerned."""
        shown = version.instance
        shown._state.adding = False
        for name in person_m2m_fields(self.model):
            visible = visible_person_ids(request, self.version_m2m_ids(version, name))
            setattr(shown, f"visible_{name}", list(Person.objects.filter(pk__in=visible)))
        self.prepare_object(request, shown)
        return shown

    def version_initial(self, version, current):
        """The form's starting values for a revert: the version's many-to-many choices and
        the *current* version token (a revert changes the record as it is now)."""
        initial = {"version": version_token(current)}
        for field in self.model._meta.many_to_many:
            if hasattr(version, field.name):
                initial[field.name] = sorted(self.version_m2m_ids(version, field.name))
        return initial

    @staticmethod
    def version_m2m_ids(version, name):
        key = get_m2m_reverse_field_name(version.instance_type._meta.get_field(name))
        return {getattr(row, f"{key}_id") for row in getattr(version, name).all()}

    def version_is_hidden(self, request, version):
        """Whether a version belonged only to what the reader may not see.

        A version of a person's record is hidden if its person (for a hearing or participant,
        its proceeding) is one the reader may not see; a version of a shared record if none
        of the persons it concerned then is one they may see. A version that concerned
        nobody (a shared record is saved before its persons are added) is hidden if the
        version before or after it that names persons is.
        """
        if is_admin(request.user):
            return False
        ids = {getattr(version, f"{name}_id") for name in person_fields(self.model)} - {None}
        if visible_person_ids(request, ids) != ids:
            return True
        for field in parent_fields(self.model):
            pk = getattr(version, field.attname)
            if pk is not None and not self._parent_visible(request, field.related_model, pk):
                return True
        for name in person_m2m_fields(self.model):
            if self._m2m_version_hidden(request, version, name):
                return True
        return False

    @staticmethod
    def _parent_visible(request, model, pk):
        return request_memo(
            request,
            ("visible", model._meta.label, pk),
            lambda: model._default_manager.visible_to(request.user).filter(pk=pk).exists(),
        )

    def _m2m_version_hidden(self, request, version, name):
        ids = self.version_m2m_ids(version, name)
        if ids:
            return not visible_person_ids(request, ids)
        versions = self.history_manager().filter(
            **{self.model._meta.pk.attname: getattr(version, self.model._meta.pk.attname)}
        )
        neighbours = [
            versions.filter(history_id__lt=version.history_id).order_by("-history_id"),
            versions.filter(history_id__gt=version.history_id).order_by("history_id"),
        ]
        found = False
        for candidates in neighbours:
            for candidate in candidates.iterator():
                ids = self.version_m2m_ids(candidate, name)
                if ids:
                    found = True
                    if not visible_person_ids(request, ids):
                        return True
                    break
        return not found

    def get_historical_record_context_helper(self, request, historical_record):
        object_pk = getattr(historical_record, self.model._meta.pk.attname)
        hidden = () if self.is_managed_pk(request, object_pk) else self.manager_only_fields
        return PrivateHistoryHelper(
            self.model, historical_record, request=request, hidden_fields=hidden
        )

    def set_history_delta_changes(self, request, historical_records, **kwargs):
        super().set_history_delta_changes(request, historical_records, **kwargs)
        # A version that belonged to persons the user may not see is listed as such, with
        # neither its title (which names them) nor its values; the change that followed it
        # shows its new values only.
        records = list(historical_records)
        hidden = [self.version_is_hidden(request, record) for record in records]
        for index, record in enumerate(records):
            if hidden[index]:
                record.history_object = HIDDEN_VERSION
                record.history_delta_changes = []
                record.is_hidden_version = True
            elif index + 1 < len(records) and hidden[index + 1]:
                record.history_delta_changes = [
                    {**change, "old": HIDDEN_VALUE}
                    for change in getattr(record, "history_delta_changes", [])
                ]


def short_date_label(db_field, formfield):
    """Precision and bound sit next to their date in one row: "precision", not "Date: precision"."""
    if formfield is None:
        return formfield
    for name in approximate_attributes(db_field.model):
        if db_field.name == f"{name}_precision":
            # Day, month, year, unknown: plain enough without help, and the row stays narrow.
            formfield.label = capfirst(_("precision"))
            formfield.help_text = ""
        elif db_field.name == f"{name}_not_later_than":
            formfield.label = capfirst(_("not later than"))
            formfield.help_text = _("For an unknown date only.")
    return formfield


def limit_choices(db_field, request, kwargs):
    """Foreign keys and many-to-many fields offer only what the user manages.

    Sources and authorities say what may be chosen (``choosable_by``): any the user may see.
    """
    if "queryset" in kwargs:
        return
    related = db_field.related_model
    if related is None:
        return
    manager = related._default_manager
    if hasattr(manager, "choosable_by"):
        kwargs["queryset"] = manager.choosable_by(request.user)
    elif hasattr(manager, "managed_by"):
        kwargs["queryset"] = manager.managed_by(request.user)


class RecordInlineMixin:
    """Inline rows follow the same rules: visible rows only, editable if the parent is managed."""

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        model_admin = (
            self.admin_site.get_model_admin(self.model)
            if self.admin_site.is_registered(self.model)
            else None
        )
        if model_admin is None:
            raise ImproperlyConfigured(f"{self.model.__name__} needs a RecordAdmin for its rules.")
        return model_admin.visible_queryset(request, queryset)

    def parent_is_managed(self, request, obj):
        return self.admin_site.get_model_admin(self.parent_model).is_managed(request, obj)

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and self.parent_is_managed(request, obj)

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.parent_is_managed(request, obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.parent_is_managed(request, obj)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        formfield = super().formfield_for_dbfield(db_field, request, **kwargs)
        return short_date_label(db_field, formfield)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        limit_choices(db_field, request, kwargs)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def get_formset(self, request, obj=None, **kwargs):
        masker = request_masker(request)
        if masker is not None:
            # Each row locks its own texts that name a person the user may not see.
            kwargs["form"] = withholding_form(kwargs.get("form", self.form), masker)
        # A posted TOTAL_FORMS of 10^20 must not build a thousand empty forms.
        return super().get_formset(request, obj, **{**row_limits(), **kwargs})


def approximate_date(name, description):
    """A list_display column that shows one approximate date as a lawyer reads it."""

    @admin.display(description=description, ordering=name)
    def column(obj):
        return str(getattr(obj, f"approx_{name}")) or None

    column.__name__ = f"{name}_display"
    return column


def date_row(name):
    """The three columns of one approximate date, side by side in a fieldset."""
    return (name, f"{name}_precision", f"{name}_not_later_than")
