"""The history of a record in the admin, and its revert, under the visibility rules.

simple-history's pages show every version of a record and revert it by saving the old
version whole. ``RecordHistoryMixin`` brings them under ``RecordAdmin``'s rules:

- the history of a record never shows the content of a version that belonged to persons the
  user may not see, nor a person they may not see in a version they may;
- a revert is a change like any other: the same form, the same read-only and withheld fields
  (which keep their current value), the same version check (``casetracker.versions``).
"""

import dataclasses

from django.contrib.admin import helpers
from django.contrib.admin.utils import flatten_fieldsets, quote, unquote
from django.core.exceptions import PermissionDenied
from django.db import router, transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from simple_history.template_utils import HistoricalRecordContextHelper
from simple_history.utils import get_m2m_reverse_field_name

from casetracker.admin_names import HIDDEN_VALUE, request_masker, withhold_names
from casetracker.versions import version_token
from people.models import Person, is_admin
from people.record_persons import (
    parent_fields,
    person_fields,
    person_m2m_fields,
    request_memo,
    visible_person_ids,
)

HIDDEN_PERSON = _("(a person you may not see)")
HIDDEN_VERSION = _("(a version you may not see)")


def as_id(text):
    """A primary key typed in a URL, or None if it cannot be one (a 404, not a 500)."""
    text = str(text)
    if not text.isascii() or not text.isdigit() or len(text) > 18:
        return None
    return int(text)


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


class RecordHistoryMixin:
    """A record's history list, its versions and their revert, for ``RecordAdmin``."""

    object_history_list_template = "admin/casetracker/object_history_list.html"

    def history_view(self, request, object_id, extra_context=None):
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
            return self._revert_view(request, current, version, extra_context)

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
