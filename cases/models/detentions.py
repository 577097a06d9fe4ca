from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.dates import (
    ApproximateDateAttribute,
    approximate_date_constraints,
    approximate_date_fields,
    period_order_constraint,
)
from people.models import Person

from .authorities import Authority
from .base import CaseRecord, PersonRecordQuerySet


class Detention(CaseRecord):
    class Kind(models.TextChoices):
        PRE_TRIAL = "pre_trial", _("pre-trial detention")
        SENTENCE = "sentence", _("prison sentence")
        IMMIGRATION = "immigration", _("immigration detention")
        CAMP = "camp", _("internment camp")
        QUESTIONING = "questioning", _("held for questioning")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="detentions"
    )
    kind = models.CharField(_("kind"), max_length=11, choices=Kind.choices)
    start, start_precision, start_not_later_than = approximate_date_fields(_("from"))
    approx_start = ApproximateDateAttribute()
    end, end_precision, end_not_later_than = approximate_date_fields(
        _("until"), optional=True, help_text=_("Leave empty while the detention goes on.")
    )
    approx_end = ApproximateDateAttribute()
    place = models.CharField(_("place"), max_length=200, blank=True)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("by authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="detentions",
    )
    description = models.TextField(
        _("description"), blank=True, help_text=_("What is known, e.g. 'five years in a camp'.")
    )

    periods = [("start", "end")]
    history = HistoricalRecords()
    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("detention")
        verbose_name_plural = _("detentions")
        ordering = ["start", "pk"]
        constraints = [
            *approximate_date_constraints("start"),
            *approximate_date_constraints("end", optional=True),
            period_order_constraint("start", "end"),
        ]

    def __str__(self):
        return _("%(person)s: %(kind)s from %(start)s") % {
            "person": self.person,
            "kind": self.get_kind_display(),
            "start": self.approx_start,
        }

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    @property
    def is_ongoing(self):
        return not self.approx_end.is_set
