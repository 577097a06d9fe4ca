"""The read log in the admin: the whole log for admins, read-only for everyone; and the mixin
that logs the admin's own reads (a change form or history of a person or of their records)."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from casetracker.admin_lookups import OwnFiltersOnlyMixin

from .access_log import AccessLogEntry, record_read
from .models import Person, is_admin
from .record_persons import person_fields, person_m2m_fields

SHOWN_REFS = 100


def person_ids_of(obj, depth=0):
    """Ids of the persons an admin object belongs to: itself, its person(s), or its parent's
    (a hearing's proceeding, a citation's record). Sources and authorities belong to none."""
    if isinstance(obj, Person):
        return {obj.pk}
    model = type(obj)
    ids = {getattr(obj, model._meta.get_field(name).attname) for name in person_fields(model)}
    if obj.pk is not None:
        for name in person_m2m_fields(model):
            ids.update(getattr(obj, name).values_list("pk", flat=True))
    ids.discard(None)
    if not ids and depth < 2:
        for parent_name in ("proceeding", "record"):
            parent = getattr(obj, parent_name, None)
            if parent is not None:
                return person_ids_of(parent, depth + 1)
    return ids


class ReadLoggingAdminMixin:
    """Logs every change form, history and version of a non-public person's record that the
    admin shows (GET only: a POST is a write, and a failed one re-shows what was typed)."""

    def _log_admin_read(self, request, obj, what):
        if request.method not in ("GET", "HEAD") or obj is None:
            return
        ids = person_ids_of(obj)
        if ids:
            # Only the persons this reader was shown: a co-defendant they may not see was not.
            record_read(request, Person.objects.visible_to(request.user).filter(pk__in=ids), what)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if response.status_code == 200 and hasattr(response, "context_data"):
            obj = response.context_data.get("original")
            self._log_admin_read(request, obj, AccessLogEntry.What.ADMIN)
        return response

    def render_history_view(self, request, template, context, **kwargs):
        # simple-history's history list ("object") and one version's form ("original").
        obj = context.get("original", context.get("object"))
        self._log_admin_read(request, obj, AccessLogEntry.What.ADMIN_HISTORY)
        return super().render_history_view(request, template, context, **kwargs)


@admin.register(AccessLogEntry)
class AccessLogEntryAdmin(OwnFiltersOnlyMixin, admin.ModelAdmin):
    """The whole read log, for admins only, and for nobody to add, change or delete."""

    list_display = ["at", "username", "what", "person_column", "person_count", "address", "path"]
    list_filter = ["what", ("username", admin.AllValuesFieldListFilter)]
    date_hierarchy = "at"
    search_fields = ["=person_ref", "=persons__person_ref", "username", "=address"]
    fields = [
        "at",
        ("username", "user_id"),
        "what",
        ("person_ref", "person_id"),
        "person_count",
        "persons_column",
        ("method", "path"),
        "address",
        "user_agent",
    ]
    list_per_page = 100
    show_full_result_count = False  # a count of millions of rows on every page is slow

    def get_readonly_fields(self, request, obj=None):
        return [name for row in self.fields for name in (row if isinstance(row, tuple) else [row])]

    def has_module_permission(self, request):
        return is_admin(request.user)

    def has_view_permission(self, request, obj=None):
        return is_admin(request.user)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("person"), ordering="person_ref")
    def person_column(self, entry):
        if not entry.person_ref:
            return _("%(count)s persons") % {"count": entry.person_count}
        url = reverse("cases:person-access-log", kwargs={"ref": entry.person_ref})
        return format_html('<a href="{}">{}</a>', url, entry.person_ref)

    @admin.display(description=_("persons read"))
    def persons_column(self, entry):
        refs = list(entry.persons.values_list("person_ref", flat=True)[: SHOWN_REFS + 1])
        if not refs:
            return entry.person_ref or "-"
        shown = ", ".join(refs[:SHOWN_REFS])
        if len(refs) > SHOWN_REFS:
            more = entry.person_count - SHOWN_REFS
            return _("%(refs)s and %(count)s more") % {"refs": shown, "count": more}
        return shown
