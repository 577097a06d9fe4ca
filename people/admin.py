from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from casetracker.admin_access import RecordAdmin, RecordInlineMixin
from casetracker.admin_names import withhold_names_on_site

from .deletion import delete_person, records_deleted_with
from .forms import PersonAdminForm
from .models import NameVariant, Person, is_admin

admin.site.site_header = _("Casetracker")
admin.site.site_title = _("Casetracker")
admin.site.index_title = _("Casetracker administration")
# The index and the autocomplete withhold names like every page of a record.
withhold_names_on_site(admin.site)


class AssignedToMeFilter(admin.SimpleListFilter):
    title = _("assignment")
    parameter_name = "assigned"

    def lookups(self, request, model_admin):
        return [("me", _("assigned to me")), ("nobody", _("no lawyer assigned"))]

    def queryset(self, request, queryset):
        if self.value() == "me":
            return queryset.filter(lawyers=request.user)
        if self.value() == "nobody":
            return queryset.filter(lawyers__isnull=True)
        return queryset


class NameVariantInline(RecordInlineMixin, admin.TabularInline):
    model = NameVariant
    fields = ["name", "script", "note"]
    extra = 1


@admin.register(Person)
class PersonAdmin(RecordAdmin):
    list_display = [
        "name",
        "ref",
        "variant_names",
        "sex",
        "birth_year_column",
        "visibility",
        "lawyer_names",
    ]
    list_filter = ["visibility", "sex", AssignedToMeFilter, "citizenship"]
    search_fields = ["name", "variants__name", "=ref"]
    readonly_fields = ["ref", "created_at", "updated_at"]
    filter_horizontal = ["lawyers"]
    inlines = [NameVariantInline]
    form = PersonAdminForm  # lists the texts that name the person before narrowing
    manager_only_fields = ["internal_notes"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("name", "ref"),
                    ("sex", "birth_year", "birth_year_is_approximate"),
                    ("ethnicity", "citizenship"),
                    "place_of_origin",
                    "public_summary",
                ]
            },
        ),
        (_("Access"), {"fields": ["visibility", "names_reviewed", "reviewed_texts", "lawyers"]}),
        (_("Internal"), {"fields": ["internal_notes"]}),
        (_("Record"), {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("variants", "lawyers")

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        if not is_admin(request.user):
            # Who may see a person, and who works on their case, is for admins to decide.
            readonly += ["visibility", "lawyers"]
        return readonly

    def autocomplete_queryset(self, request, queryset):
        # A person offered in a record's form is one the user may attach records to.
        return queryset.managed_by(request.user)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change and not is_admin(request.user):
            # A lawyer who opens a case works on it; unassigned, they could not even see it.
            form.instance.lawyers.add(request.user)

    # Deletion: only admins hold delete_person (people.roles); see people.deletion.

    def get_deleted_objects(self, objs, request):
        # The confirmation lists the shared records that go with the person as well.
        objs = list(objs)
        return super().get_deleted_objects([*objs, *records_deleted_with(objs)], request)

    def delete_model(self, request, obj):
        delete_person(obj)

    def delete_queryset(self, request, queryset):
        self.refuse_unmanaged(request, queryset)
        for person in queryset:
            delete_person(person)

    @admin.display(description=_("name variants"))
    def variant_names(self, person):
        return ", ".join(variant.name for variant in person.variants.all())

    @admin.display(description=_("birth year"), ordering="birth_year")
    def birth_year_column(self, person):
        return person.birth_year_display or None

    @admin.display(description=_("assigned lawyers"))
    def lawyer_names(self, person):
        return ", ".join(lawyer.get_username() for lawyer in person.lawyers.all())


@admin.register(NameVariant)
class NameVariantAdmin(RecordAdmin):
    list_display = ["name", "person", "script", "note"]
    list_filter = ["script", "person__visibility"]
    list_select_related = ["person"]
    search_fields = ["name", "person__name", "person__variants__name"]
    autocomplete_fields = ["person"]
    fields = ["person", "name", "script", "note"]

    # Name variants have no queryset methods of their own: they follow their person.
    def visible_queryset(self, request, queryset):
        return queryset.filter(person__in=Person.objects.visible_to(request.user).values("pk"))

    def managed_queryset(self, request, queryset):
        return queryset.filter(person__in=Person.objects.managed_by(request.user).values("pk"))


# The read log: its admin lives with it (people/access_log_admin.py).
from .access_log_admin import AccessLogEntryAdmin  # noqa: E402, F401
