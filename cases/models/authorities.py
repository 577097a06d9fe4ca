from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.models import TimeStampedModel


class Authority(TimeStampedModel):
    class Kind(models.TextChoices):
        COURT = "court", _("court")
        MIGRATION = "migration", _("migration commission or service")
        POLICE = "police", _("police")
        BORDER = "border", _("border service")
        PROSECUTOR = "prosecutor", _("prosecutor's office")
        GOVERNMENT = "government", _("government")
        UN = "un", _("UN body")
        OTHER = "other", _("other")

    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    town = models.CharField(_("town"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=100)
    other_names = models.CharField(
        _("other names"),
        max_length=300,
        blank=True,
        help_text=_("Other spellings sources use, separated by commas."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="authority_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})" if self.country else self.name
