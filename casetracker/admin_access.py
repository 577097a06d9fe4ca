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
- the history and its revert follow the same rules (``casetracker.admin_history``);
- typed text never shows the name of a person the user may not see
  (``casetracker.admin_names``);
- a changelist filters only by its own sidebar filters (``casetracker.admin_lookups``).

A model whose manager has no ``visible_to``/``managed_by`` must override ``visible_queryset``
and ``managed_queryset``; anything else is refused when the admin is registered. Sources and
authorities have both: they take their visibility from the records that cite or name them.
"""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import NestedObjects, flatten_fieldsets, quote
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import router
from django.db.models import Prefetch, Q
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from casetracker.admin_history import RecordHistoryMixin
from casetracker.admin_lookups import OwnFiltersOnlyMixin
from casetracker.admin_names import LOCKED_HELP as LOCKED_HELP  # still imported from here
from casetracker.admin_names import (
    NameWithholdingMixin,
    request_masker,
    search_bits,
    withholding_form,
)
from casetracker.admin_names import withhold_names_on_site as withhold_names_on_site  # likewise
from casetracker.dates import approximate_attributes
from casetracker.formsets import row_limits
from casetracker.versions import StaleEdit, check_version, version_token
from people.access_log_admin import ReadLoggingAdminMixin
from people.models import Person
from people.record_persons import person_m2m_fields, request_memo

HIDDEN_RECORD = _("(a record you may not see)")
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


class RecordAdmin(
    OwnFiltersOnlyMixin,
    NameWithholdingMixin,
    RecordHistoryMixin,
    ReadLoggingAdminMixin,
    SimpleHistoryAdmin,
):
    """The one ModelAdmin base of Casetracker: visibility, management and history rules."""

    # Fields shown only to those who manage the object (e.g. a person's internal notes).
    manager_only_fields = ()
    # Shared records: the path from this model to the persons a search may match by name.
    person_search_path = None

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
