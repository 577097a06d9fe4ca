"""How many rows a posted formset says it holds: never fewer than none.

Django reads the counts of its management form as any integer: a count of -5 builds no rows
at all, so a save went through with every row posted ignored (and a negative count of
existing rows turned them into new ones). Such a count is refused with the formset's own
message; the form around it then saves nothing. The upper bound is ``row_limits()``.
"""

from django.core.exceptions import ValidationError
from django.forms.formsets import INITIAL_FORM_COUNT, TOTAL_FORM_COUNT
from django.utils.translation import gettext_lazy as _


class RowCountMixin:
    """For a formset: refuse a negative count of rows."""

    def clean(self):
        counts = self.management_form.cleaned_data
        if min(counts.get(TOTAL_FORM_COUNT, 0), counts.get(INITIAL_FORM_COUNT, 0)) < 0:
            raise ValidationError(
                _(
                    "The list of rows arrived damaged (a negative number of rows), so nothing "
                    "was saved. Reload the page and enter your changes again."
                ),
                code="negative_row_count",
            )
        super().clean()
