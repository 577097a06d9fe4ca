"""A changelist filters by its own sidebar filters and date hierarchy, and by nothing else.

Django's admin accepts a lookup on any of a model's own fields as a query parameter, even one
no filter offers: ``?public_summary__regex=…`` would count the rows whose typed text holds a
name shown as withheld, and ``?detentions=4`` would tie a record to one the reader may not
see. So a changelist takes only the parameters its ``list_filter`` entries and
``date_hierarchy`` read (each filter's ``expected_parameters()``), for every user alike;
anything else is Django's ``DisallowedModelAdminLookup`` (400), counted nowhere. A value with
a NUL byte is refused too: PostgreSQL cannot compare text holding one.

``OwnFiltersOnlyMixin`` is part of ``RecordAdmin``; ``enforce_on_site`` puts it on every other
ModelAdmin registered (the read log, users, groups, devices, sign-in attempts).
"""

from django.contrib import admin
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ChangeList


def has_nul(value):
    values = value if isinstance(value, list | tuple) else [value]
    return any("\x00" in str(item) for item in values)


class OwnFiltersChangeList(ChangeList):
    def get_filters(self, request):
        given = set(self.get_filters_params())
        try:
            filters = super().get_filters(request)
        except OverflowError as error:  # a date hierarchy's year of twenty digits
            raise IncorrectLookupParameters(error) from error
        # The filters and the date hierarchy took their own parameters out of the lookups;
        # what is left came from the address. The date hierarchy's year (month, day) become
        # a range of its own making.
        left = set(filters[2])
        if self.date_hierarchy and f"{self.date_hierarchy}__year" in given:
            left -= {f"{self.date_hierarchy}__gte", f"{self.date_hierarchy}__lt"}
        if left:
            raise DisallowedModelAdminLookup(f"Filtering by {sorted(left)[0]} not allowed")
        return filters


class OwnFiltersOnlyMixin:
    """Changelists filter by what their sidebar offers (see the module's docstring)."""

    def get_changelist(self, request, **kwargs):
        changelist = super().get_changelist(request, **kwargs)
        if issubclass(changelist, OwnFiltersChangeList):
            return changelist
        return type(changelist.__name__, (OwnFiltersChangeList, changelist), {})

    def lookup_allowed(self, lookup, value, request=None):
        if "\x00" in lookup or has_nul(value):
            return False
        return super().lookup_allowed(lookup, value, request)

    def get_search_results(self, request, queryset, search_term):
        if "\x00" in search_term:
            raise DisallowedModelAdminLookup("A search may not hold a NUL byte")
        return super().get_search_results(request, queryset, search_term)


def enforce_on_site(site=admin.site):
    """Give every registered ModelAdmin that lacks it the one rule for changelist lookups."""
    for model, model_admin in list(site._registry.items()):
        if isinstance(model_admin, OwnFiltersOnlyMixin):
            continue
        cls = type(model_admin)
        guarded = type(cls.__name__, (OwnFiltersOnlyMixin, cls), {"__module__": cls.__module__})
        site.unregister(model)
        site.register(model, guarded)
