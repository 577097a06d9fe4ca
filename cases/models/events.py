from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.dates import (
    ApproximateDateAttribute,
    approximate_date_constraints,
    approximate_date_fields,
)
from people.models import Person

from .authorities import Authority
from .base import CaseRecord, SharedRecordQuerySet


class Event(CaseRecord):
    """Anything else with a date that belongs on a timeline; it can concern several persons."""

    class Kind(models.TextChoices):
        PRESS_CONFERENCE = "press_conference", _("press conference")
        STATEMENT = "statement", _("official statement")
        ARREST = "arrest", _("arrest")
        RELEASE = "release", _("release")
        FAMILY = "family", _("family event")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.OTHER)
    title = models.CharField(_("what happened"), max_length=300)
    date, date_precision, date_not_later_than = approximate_date_fields(_("date"))
    approx_date = ApproximateDateAttribute()
    place = models.CharField(_("place"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        help_text=_("The authority that acted or spoke, if any."),
    )
    persons = models.ManyToManyField(Person, verbose_name=_("persons"), related_name="events")

    history = HistoricalRecords(m2m_fields=[persons])
    objects = SharedRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("event")
        verbose_name_plural = _("events")
        ordering = ["date", "pk"]
        constraints = approximate_date_constraints("date")

    def __str__(self):
        return f"{self.approx_date}: {self.title}"
