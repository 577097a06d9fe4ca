from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.dates import (
    ApproximateDateAttribute,
    approximate_date_constraints,
    approximate_date_fields,
)
from people.models import Person

from .base import CaseRecord, PersonRecordQuerySet


class BorderCrossing(CaseRecord):
    class Method(models.TextChoices):
        IRREGULAR = "irregular", _("irregular")
        REGULAR = "regular", _("regular")
        UNKNOWN = "unknown", _("not known")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="crossings"
    )
    date, date_precision, date_not_later_than = approximate_date_fields(_("date of crossing"))
    approx_date = ApproximateDateAttribute()
    from_country = models.CharField(_("from country"), max_length=100)
    to_country = models.CharField(_("to country"), max_length=100)
    place = models.CharField(
        _("place"), max_length=200, blank=True, help_text=_("Border post or area, if known.")
    )
    method = models.CharField(
        _("how"), max_length=9, choices=Method.choices, default=Method.UNKNOWN
    )
    reason = models.TextField(_("why"), blank=True, help_text=_("The reason the person gave."))

    history = HistoricalRecords()
    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("border crossing")
        verbose_name_plural = _("border crossings")
        ordering = ["date", "pk"]
        constraints = approximate_date_constraints("date")

    def __str__(self):
        return _("%(person)s: %(origin)s → %(destination)s, %(date)s") % {
            "person": self.person,
            "origin": self.from_country,
            "destination": self.to_country,
            "date": self.approx_date,
        }

    def get_absolute_url(self):
        return self.person.get_absolute_url()
