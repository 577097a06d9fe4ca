from django import forms
from django.contrib import admin
from django.contrib.contenttypes.admin import GenericTabularInline
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.forms.models import BaseInlineFormSet
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _

from casetracker.admin_access import (
    RecordAdmin,
    RecordInlineMixin,
    approximate_date,
    date_row,
)
from people.models import is_admin

from .models import (
    Authority,
    BorderCrossing,
    Citation,
    Detention,
    Event,
    Hearing,
    Participant,
    Proceeding,
    Ruling,
    Source,
    StatusDecision,
)
from .models.sources import cited_models

PERSON_SEARCH = ["person__name", "person__variants__name"]


@admin.display(description=_("persons concerned"))
def persons_column(obj):
    # Prefetched by RecordAdmin.get_queryset: only the persons the user may see.
    return ", ".join(str(person) for person in obj.visible_persons) or None


class ProceedingChoicesMixin:
    """A proceeding is offered among those the user manages, with its authority in one query.

    A hearing or participant changes the proceeding's shared content: it needs a proceeding
    whose every person the user manages. A ruling or status decision is one person's own:
    any proceeding that concerns a person the user manages will do.
    """

    changes_the_proceeding = True

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.related_model is Proceeding:
            proceedings = (
                Proceeding.objects.managed_by(request.user)
                if self.changes_the_proceeding
                else Proceeding.objects.with_person_managed_by(request.user)
            )
            kwargs["queryset"] = proceedings.select_related("authority")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


# Citations --------------------------------------------------------------------------------


class CitationInline(RecordInlineMixin, GenericTabularInline):
    model = Citation
    fields = ["source", "quote", "confidence"]
    autocomplete_fields = ["source"]
    extra = 1
    verbose_name_plural = _("sources cited")


class CitationForm(forms.ModelForm):
    class Meta:
        model = Citation
        fields = ["source", "content_type", "object_id", "quote", "confidence"]

    def clean(self):
        cleaned_data = super().clean()
        content_type = cleaned_data.get("content_type")
        object_id = cleaned_data.get("object_id")
        if content_type and object_id is not None:
            model = content_type.model_class()
            if not model._default_manager.managed_by(self.user).filter(pk=object_id).exists():
                self.add_error(
                    "object_id",
                    ValidationError(
                        _("There is no such %(kind)s among the records you manage."),
                        code="citation_record_unknown",
                        params={"kind": model._meta.verbose_name},
                    ),
                )
        return cleaned_data


@admin.register(Citation)
class CitationAdmin(RecordAdmin):
    """Citations are entered on the page of the fact they support; this list is for review."""

    form = CitationForm
    list_display = ["source", "record_column", "confidence", "quote_column"]
    list_filter = ["confidence", ("content_type", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["source", "content_type"]
    search_fields = ["source__title", "source__publisher", "quote"]
    autocomplete_fields = ["source"]
    fields = ["source", ("content_type", "object_id"), "quote", "confidence"]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("record")

    def has_add_permission(self, request):
        return super().has_add_permission(request) and is_admin(request.user)

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        form.user = request.user
        return form

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "content_type":
            kwargs["queryset"] = ContentType.objects.filter(
                pk__in=[ContentType.objects.get_for_model(model).pk for model in cited_models()]
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    @admin.display(description=_("fact cited"))
    def record_column(self, citation):
        return citation.record

    @admin.display(description=_("quote"))
    def quote_column(self, citation):
        return Truncator(citation.quote).chars(80)


# Sources and authorities: visible with the records that cite or name them ----------------


@admin.register(Source)
class SourceAdmin(RecordAdmin):
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = [
        "title",
        "publisher",
        "kind",
        approximate_date("published", _("publication date")),
        "language",
    ]
    list_filter = ["kind", "published_precision", "language", "publisher"]
    search_fields = ["title", "publisher", "url"]
    date_hierarchy = "published"
    fieldsets = [
        (None, {"fields": ["kind", "title", ("publisher", "language"), "url"]}),
        (_("Publication date"), {"fields": [date_row("published"), "date_note"]}),
    ]


@admin.register(Authority)
class AuthorityAdmin(RecordAdmin):
    list_display = ["name", "kind", "town", "country"]
    list_filter = ["kind", "country"]
    search_fields = ["name", "other_names", "town"]
    fields = ["name", "kind", ("town", "country"), "other_names"]


# A person's records -----------------------------------------------------------------------


@admin.register(BorderCrossing)
class BorderCrossingAdmin(RecordAdmin):
    list_display = [
        "person",
        approximate_date("date", _("date of crossing")),
        "from_country",
        "to_country",
        "method",
        "place",
    ]
    list_filter = ["method", "date_precision", "person__visibility", "from_country", "to_country"]
    list_select_related = ["person"]
    search_fields = [*PERSON_SEARCH, "place", "reason"]
    date_hierarchy = "date"
    autocomplete_fields = ["person"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["person", date_row("date")]}),
        (_("Where and how"), {"fields": [("from_country", "to_country"), "place", "method"]}),
        (None, {"fields": ["reason"]}),
    ]


class OngoingFilter(admin.SimpleListFilter):
    title = _("ongoing")
    parameter_name = "ongoing"

    def lookups(self, request, model_admin):
        return [("yes", _("ongoing")), ("no", _("ended"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(end_precision="")
        if self.value() == "no":
            return queryset.exclude(end_precision="")
        return queryset


@admin.register(Detention)
class DetentionAdmin(RecordAdmin):
    list_display = [
        "person",
        "kind",
        approximate_date("start", _("from")),
        approximate_date("end", _("until")),
        "authority",
        "place",
    ]
    list_filter = [
        "kind",
        OngoingFilter,
        "start_precision",
        "person__visibility",
        ("authority", admin.RelatedOnlyFieldListFilter),
    ]
    list_select_related = ["person", "authority"]
    search_fields = [*PERSON_SEARCH, "place", "description", "authority__name"]
    date_hierarchy = "start"
    autocomplete_fields = ["person", "authority"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["person", "kind"]}),
        (_("Period"), {"fields": [date_row("start"), date_row("end")]}),
        (None, {"fields": ["place", "authority", "description"]}),
    ]


@admin.register(StatusDecision)
class StatusDecisionAdmin(ProceedingChoicesMixin, RecordAdmin):
    changes_the_proceeding = False
    list_display = [
        "person",
        "status",
        "outcome",
        approximate_date("decided", _("date of decision")),
        approximate_date("valid_from", _("valid from")),
        approximate_date("valid_until", _("valid until")),
        "authority",
    ]
    list_filter = ["status", "outcome", "decided_precision", "person__visibility"]
    list_select_related = ["person", "authority"]
    search_fields = [*PERSON_SEARCH, "note", "authority__name"]
    date_hierarchy = "decided"
    autocomplete_fields = ["person", "authority"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["person", ("status", "outcome"), "authority", "proceeding"]}),
        (
            _("Dates"),
            {"fields": [date_row("decided"), date_row("valid_from"), date_row("valid_until")]},
        ),
        (None, {"fields": ["note"]}),
    ]


@admin.register(Ruling)
class RulingAdmin(ProceedingChoicesMixin, RecordAdmin):
    changes_the_proceeding = False
    list_display = [
        "person",
        "proceeding",
        approximate_date("date", _("date of ruling")),
        "outcome",
        "sentence_kind",
        "sentence_months",
        "removal",
    ]
    list_filter = ["outcome", "sentence_kind", "removal", "date_precision", "person__visibility"]
    list_select_related = ["person", "proceeding__authority"]
    search_fields = [*PERSON_SEARCH, "proceeding__case_number", "summary"]
    date_hierarchy = "date"
    autocomplete_fields = ["person"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["proceeding", "person", date_row("date")]}),
        (
            _("Decision"),
            {
                "fields": [
                    ("outcome", "removal"),
                    ("sentence_kind", "sentence_months"),
                    "pre_trial_credit",
                    "summary",
                ]
            },
        ),
    ]


# Proceedings ------------------------------------------------------------------------------


class ParticipantInline(RecordInlineMixin, admin.TabularInline):
    model = Participant
    fields = ["name", "role", "note"]
    extra = 1


class HearingInline(RecordInlineMixin, admin.StackedInline):
    model = Hearing
    fieldsets = [(None, {"fields": [date_row("date"), ("title", "place"), "summary"]})]
    extra = 0


class RulingFormSet(BaseInlineFormSet):
    def clean(self):
        super().clean()
        # The proceeding's persons as just submitted: the model's own check reads the
        # database, which does not hold them yet when the proceeding is being added.
        submitted = getattr(self.instance, "_submitted_persons", None)
        if submitted is None:
            return
        party_ids = {person.pk for person in submitted}
        for form in self.forms:
            if not form.has_changed() and form.instance.pk is None:
                continue
            if self.can_delete and self._should_delete_form(form):
                continue
            person = form.cleaned_data.get("person")
            if person is not None and person.pk not in party_ids and "person" not in form.errors:
                form.add_error(
                    "person",
                    ValidationError(
                        _("%(person)s is not a party to this proceeding."),
                        code="not_a_party",
                        params={"person": person},
                    ),
                )


class RulingInline(RecordInlineMixin, admin.StackedInline):
    """The rulings of the persons the user manages, editable."""

    model = Ruling
    formset = RulingFormSet
    autocomplete_fields = ["person"]
    extra = 0
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("person", "outcome"),
                    date_row("date"),
                    ("sentence_kind", "sentence_months", "removal"),
                    "pre_trial_credit",
                    "summary",
                ]
            },
        )
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).managed_by(request.user)


class OtherRulingInline(RecordInlineMixin, admin.StackedInline):
    """The rulings of the other persons the user may see, to read only."""

    model = Ruling
    verbose_name_plural = _("rulings of other persons")
    extra = 0
    fieldsets = RulingInline.fieldsets

    def get_queryset(self, request):
        managed = Ruling.objects.managed_by(request.user).values("pk")
        return super().get_queryset(request).exclude(pk__in=managed)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Proceeding)
class ProceedingAdmin(RecordAdmin):
    list_display = ["__str__", "kind", "authority", "case_number", "charge", persons_column]
    list_filter = ["kind", ("authority", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["authority"]
    search_fields = ["case_number", "charge", "authority__name", "description"]
    person_search_path = "persons"
    autocomplete_fields = ["authority", "persons"]
    inlines = [ParticipantInline, HearingInline, RulingInline, OtherRulingInline, CitationInline]
    fieldsets = [
        (None, {"fields": ["kind", "authority", ("case_number", "charge"), "persons"]}),
        (None, {"fields": ["description"]}),
    ]

    def get_inline_instances(self, request, obj=None):
        instances = []
        for inline in super().get_inline_instances(request, obj):
            if isinstance(inline, RulingInline) and not self.is_managed(request, obj):
                continue
            if isinstance(inline, OtherRulingInline) and (
                obj is None or not inline.get_queryset(request).filter(proceeding=obj).exists()
            ):
                continue
            instances.append(inline)
        return instances


@admin.register(Participant)
class ParticipantAdmin(ProceedingChoicesMixin, RecordAdmin):
    list_display = ["name", "role", "proceeding", "note"]
    list_filter = ["role"]
    list_select_related = ["proceeding__authority"]
    search_fields = ["name", "note", "proceeding__case_number"]
    person_search_path = "proceeding__persons"
    inlines = [CitationInline]
    fields = ["proceeding", ("name", "role"), "note"]


@admin.register(Hearing)
class HearingAdmin(ProceedingChoicesMixin, RecordAdmin):
    list_display = ["proceeding", approximate_date("date", _("date")), "title", "place"]
    list_filter = ["date_precision"]
    list_select_related = ["proceeding__authority"]
    search_fields = ["title", "place", "summary", "proceeding__case_number"]
    person_search_path = "proceeding__persons"
    date_hierarchy = "date"
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": ["proceeding", date_row("date"), ("title", "place"), "summary"]}),
    ]


# Events -----------------------------------------------------------------------------------


@admin.register(Event)
class EventAdmin(RecordAdmin):
    list_display = [approximate_date("date", _("date")), "title", "kind", persons_column, "place"]
    list_filter = ["kind", "date_precision", ("authority", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["authority"]
    search_fields = ["title", "place", "description", "authority__name"]
    person_search_path = "persons"
    date_hierarchy = "date"
    autocomplete_fields = ["authority", "persons"]
    inlines = [CitationInline]
    fieldsets = [
        (None, {"fields": [("kind", "title"), date_row("date"), ("place", "authority")]}),
        (None, {"fields": ["persons", "description"]}),
    ]
