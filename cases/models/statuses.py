from django.db import models
from django.db.models import F, OuterRef, Subquery
from django.utils import timezone
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

EXPIRY_WARNING_DAYS = 90


class StatusDecisionQuerySet(PersonRecordQuerySet):
    def in_force(self):
        """Decisions that set a status: a refusal leaves the previous status as it was."""
        return self.exclude(outcome=StatusDecision.Outcome.REFUSED)

    def latest_first(self):
        return self.order_by(F("decided").desc(nulls_last=True), "-pk")


def annotate_current_status(persons):
    """Add each person's current status: what their latest decision in force says.

    Adds ``current_status`` (a Status value), ``current_status_outcome`` and
    ``current_status_id`` for fetching the decision itself; None where nothing is recorded.
    """
    latest = StatusDecision.objects.in_force().filter(person=OuterRef("pk")).latest_first()
    return persons.annotate(
        current_status_id=Subquery(latest.values("pk")[:1]),
        current_status=Subquery(latest.values("status")[:1]),
        current_status_outcome=Subquery(latest.values("outcome")[:1]),
    )


class StatusDecision(CaseRecord):
    class Status(models.TextChoices):
        ASYLUM_SEEKER = "asylum_seeker", _("asylum seeker")
        REFUGEE = "refugee", _("refugee")
        TEMPORARY_PROTECTION = "temporary_protection", _("temporary protection")
        RESIDENCE_PERMIT = "residence_permit", _("residence permit")
        CITIZENSHIP = "citizenship", _("citizenship")
        THIRD_COUNTRY_ASYLUM = "third_country_asylum", _("asylum in a third country")
        DEPORTATION_ORDER = "deportation_order", _("deportation order")
        EXTRADITION_ORDER = "extradition_order", _("extradition order")

    class Outcome(models.TextChoices):
        APPLIED = "applied", _("applied")
        GRANTED = "granted", _("granted")
        REFUSED = "refused", _("refused")
        EXTENDED = "extended", _("extended")
        REVOKED = "revoked", _("revoked")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="statuses"
    )
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("authority"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="status_decisions",
    )
    proceeding = models.ForeignKey(
        "cases.Proceeding",
        verbose_name=_("proceeding"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="status_decisions",
        help_text=_("The application or appeal this decision ends, if recorded."),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    outcome = models.CharField(_("outcome"), max_length=8, choices=Outcome.choices)
    decided, decided_precision, decided_not_later_than = approximate_date_fields(
        _("date of decision")
    )
    approx_decided = ApproximateDateAttribute()
    valid_from, valid_from_precision, valid_from_not_later_than = approximate_date_fields(
        _("valid from"), optional=True
    )
    approx_valid_from = ApproximateDateAttribute(allow_future=True)
    valid_until, valid_until_precision, valid_until_not_later_than = approximate_date_fields(
        _("valid until"), optional=True, help_text=_("Leave empty if it does not expire.")
    )
    approx_valid_until = ApproximateDateAttribute(allow_future=True)
    note = models.TextField(_("note"), blank=True)

    periods = [("valid_from", "valid_until")]
    history = HistoricalRecords()
    objects = StatusDecisionQuerySet.as_manager()

    class Meta:
        verbose_name = _("status decision")
        verbose_name_plural = _("status decisions")
        ordering = ["decided", "pk"]
        constraints = [
            *approximate_date_constraints("decided"),
            *approximate_date_constraints("valid_from", optional=True),
            *approximate_date_constraints("valid_until", optional=True),
            period_order_constraint("valid_from", "valid_until"),
        ]

    def __str__(self):
        return _("%(person)s: %(status)s %(outcome)s, %(date)s") % {
            "person": self.person,
            "status": self.get_status_display(),
            "outcome": self.get_outcome_display(),
            "date": self.approx_decided,
        }

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    def days_left(self, today=None):
        """Days until the status expires (negative once expired), or None if it does not."""
        last_day = self.approx_valid_until.latest
        if last_day is None:
            return None
        return (last_day - (today or timezone.localdate())).days

    def expiry_state(self, today=None):
        """'expired', 'expiring' (within EXPIRY_WARNING_DAYS), 'valid' or None."""
        days = self.days_left(today)
        if days is None:
            return None
        if days < 0:
            return "expired"
        return "expiring" if days <= EXPIRY_WARNING_DAYS else "valid"
