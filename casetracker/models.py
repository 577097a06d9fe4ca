from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from casetracker.dates import approximate_date_errors


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class DatedModel(TimeStampedModel):
    """A model with approximate dates, validated the same way in the admin, forms and imports."""

    # (start, end) date columns whose end may not come before the start.
    periods = ()

    class Meta:
        abstract = True

    def clean(self):
        super().clean()
        errors = approximate_date_errors(self, self.periods)
        if errors:
            raise ValidationError(errors)
