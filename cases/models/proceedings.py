from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.dates import (
    ApproximateDateAttribute,
    approximate_date_constraints,
    approximate_date_fields,
)
from people.models import Person

from .authorities import Authority
from .base import CaseRecord, PersonRecordQuerySet, SharedRecordQuerySet


class ProceedingPartQuerySet(models.QuerySet):
    """Participants and hearings take the visibility of their proceeding, and are changed by
    whoever may change the proceeding (every person it concerns)."""

    def visible_to(self, user):
        return self.filter(proceeding__in=Proceeding.objects.visible_to(user).values("pk"))

    def managed_by(self, user):
        return self.filter(proceeding__in=Proceeding.objects.managed_by(user).values("pk"))


class Proceeding(CaseRecord):
    """A case before a court or authority; one case can concern several persons."""

    class Kind(models.TextChoices):
        CRIMINAL = "criminal", _("criminal")
        ADMINISTRATIVE = "administrative", _("administrative")
        EXTRADITION = "extradition", _("extradition")
        DEPORTATION = "deportation", _("deportation")
        ASYLUM = "asylum", _("asylum application")
        ASYLUM_APPEAL = "asylum_appeal", _("asylum appeal")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices)
    authority = models.ForeignKey(
        Authority,
        verbose_name=_("court or authority"),
        on_delete=models.PROTECT,
        related_name="proceedings",
    )
    case_number = models.CharField(_("case number"), max_length=100, blank=True)
    charge = models.CharField(
        _("charge"), max_length=300, blank=True, help_text=_("E.g. illegal border crossing.")
    )
    description = models.TextField(_("description"), blank=True)
    persons = models.ManyToManyField(
        Person,
        verbose_name=_("persons concerned"),
        related_name="proceedings",
        help_text=_("The defendants or applicants; each gets a ruling of their own."),
    )

    history = HistoricalRecords(m2m_fields=[persons])
    objects = SharedRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("proceeding")
        verbose_name_plural = _("proceedings")
        ordering = ["authority__name", "pk"]

    def __str__(self):
        label = f"{self.get_kind_display()} — {self.authority.name}"
        return f"{label} ({self.case_number})" if self.case_number else label


class Participant(CaseRecord):
    """Someone who takes part in a proceeding in a role: judge, prosecutor, lawyer…"""

    class Role(models.TextChoices):
        JUDGE = "judge", _("judge")
        PROSECUTOR = "prosecutor", _("prosecutor")
        DEFENCE = "defence", _("defence lawyer")
        REPRESENTATIVE = "representative", _("legal representative")
        WITNESS = "witness", _("witness")
        INTERPRETER = "interpreter", _("interpreter")
        OFFICIAL = "official", _("official")
        OTHER = "other", _("other")

    proceeding = models.ForeignKey(
        Proceeding,
        verbose_name=_("proceeding"),
        on_delete=models.CASCADE,
        related_name="participants",
    )
    name = models.CharField(_("name"), max_length=200)
    role = models.CharField(_("role"), max_length=14, choices=Role.choices)
    note = models.CharField(_("note"), max_length=300, blank=True)

    history = HistoricalRecords()
    objects = ProceedingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("participant")
        verbose_name_plural = _("participants")
        ordering = ["proceeding", "role", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["proceeding", "name", "role"], name="participant_once_per_role"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.get_role_display()})"


class Hearing(CaseRecord):
    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.CASCADE, related_name="hearings"
    )
    date, date_precision, date_not_later_than = approximate_date_fields(_("date"))
    # A hearing can be scheduled ahead: the lawyer's deadlines list upcoming ones.
    approx_date = ApproximateDateAttribute(allow_future=True)
    title = models.CharField(
        _("title"), max_length=200, blank=True, help_text=_("E.g. first session, final session.")
    )
    place = models.CharField(_("place"), max_length=200, blank=True)
    summary = models.TextField(_("what happened"), blank=True)

    history = HistoricalRecords()
    objects = ProceedingPartQuerySet.as_manager()

    class Meta:
        verbose_name = _("hearing")
        verbose_name_plural = _("hearings")
        ordering = ["date", "pk"]
        constraints = approximate_date_constraints("date")

    def __str__(self):
        return f"{self.proceeding.authority.name}: {self.title or _('hearing')}, {self.approx_date}"


class Ruling(CaseRecord):
    """The decision of a proceeding for one of the persons it concerns."""

    class Outcome(models.TextChoices):
        CONVICTED = "convicted", _("convicted")
        ACQUITTED = "acquitted", _("acquitted")
        CHARGES_DROPPED = "charges_dropped", _("charges dropped")
        GRANTED = "granted", _("application granted")
        REFUSED = "refused", _("application refused")
        NOT_REPORTED = "not_reported", _("not reported")

    class SentenceKind(models.TextChoices):
        NONE = "", _("no sentence")
        PRISON = "prison", _("prison")
        SUSPENDED = "suspended", _("suspended prison sentence")
        RESTRICTED_FREEDOM = "restricted", _("restricted freedom")
        FINE = "fine", _("fine")
        OTHER = "other", _("other")

    class Removal(models.TextChoices):
        NOT_DECIDED = "", _("not decided or not reported")
        ORDERED = "ordered", _("ordered")
        REFUSED = "refused", _("refused")

    proceeding = models.ForeignKey(
        Proceeding, verbose_name=_("proceeding"), on_delete=models.CASCADE, related_name="rulings"
    )
    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="rulings"
    )
    date, date_precision, date_not_later_than = approximate_date_fields(_("date of ruling"))
    approx_date = ApproximateDateAttribute()
    outcome = models.CharField(_("outcome"), max_length=15, choices=Outcome.choices)
    sentence_kind = models.CharField(
        _("sentence"), max_length=10, choices=SentenceKind.choices, blank=True, default=""
    )
    sentence_months = models.PositiveSmallIntegerField(
        _("sentence length in months"), null=True, blank=True
    )
    removal = models.CharField(
        _("deportation or extradition"),
        max_length=7,
        choices=Removal.choices,
        blank=True,
        default="",
        help_text=_("Whether the ruling ordered or refused sending the person back."),
    )
    pre_trial_credit = models.CharField(
        _("credit for pre-trial detention"),
        max_length=200,
        blank=True,
        help_text=_("E.g. each day in pre-trial detention counts as two days in prison."),
    )
    summary = models.TextField(_("summary"), blank=True)

    history = HistoricalRecords()
    objects = PersonRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("ruling")
        verbose_name_plural = _("rulings")
        ordering = ["date", "pk"]
        constraints = [
            *approximate_date_constraints("date"),
            models.CheckConstraint(
                condition=Q(sentence_kind="", sentence_months__isnull=True) | ~Q(sentence_kind=""),
                name="ruling_sentence_length_needs_kind",
            ),
        ]

    def __str__(self):
        return _("%(person)s: %(outcome)s, %(date)s") % {
            "person": self.person,
            "outcome": self.get_outcome_display(),
            "date": self.approx_date,
        }

    def get_absolute_url(self):
        return self.person.get_absolute_url()

    def clean(self):
        errors = {}
        try:
            super().clean()
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if (
            self.person_id
            and self.proceeding_id
            and not self.proceeding.persons.filter(pk=self.person_id).exists()
        ):
            errors.setdefault("person", []).append(
                ValidationError(
                    _("%(person)s is not a party to this proceeding."),
                    code="not_a_party",
                    params={"person": self.person},
                )
            )
        if self.sentence_months is not None and not self.sentence_kind:
            errors.setdefault("sentence_months", []).append(
                ValidationError(_("Choose the kind of sentence too."), code="sentence_no_kind")
            )
        if errors:
            raise ValidationError(errors)
