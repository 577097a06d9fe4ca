from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.dates import (
    ApproximateDateAttribute,
    approximate_date_constraints,
    approximate_date_fields,
)
from casetracker.models import DatedModel, TimeStampedModel


class Source(DatedModel):
    class Kind(models.TextChoices):
        ARTICLE = "article", _("news article")
        COURT_DOCUMENT = "court_document", _("court document")
        TESTIMONY = "testimony", _("testimony")
        OFFICIAL = "official", _("official document or statement")
        OTHER = "other", _("other")

    kind = models.CharField(_("kind"), max_length=14, choices=Kind.choices, default=Kind.ARTICLE)
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    published, published_precision, published_not_later_than = approximate_date_fields(
        _("publication date")
    )
    approx_published = ApproximateDateAttribute()
    date_note = models.CharField(
        _("note on the date"),
        max_length=300,
        blank=True,
        help_text=_("How the date was worked out when the source does not print it."),
    )
    language = models.CharField(
        _("language"), max_length=10, blank=True, help_text=_("Language code: en, ru, kk…")
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("source")
        verbose_name_plural = _("sources")
        ordering = ["published", "title"]
        constraints = approximate_date_constraints("published")

    def __str__(self):
        parts = [self.publisher, self.title, str(self.approx_published)]
        return " — ".join(part for part in parts if part)


class Citation(TimeStampedModel):
    """A source cited for one fact, with the quote that supports it."""

    class Confidence(models.TextChoices):
        HIGH = "high", _("high")
        MEDIUM = "medium", _("medium")
        LOW = "low", _("low")

    source = models.ForeignKey(
        Source, verbose_name=_("source"), on_delete=models.PROTECT, related_name="citations"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    record = GenericForeignKey("content_type", "object_id")
    quote = models.TextField(
        _("quote"),
        blank=True,
        help_text=_("The short passage of the source that supports the fact."),
    )
    confidence = models.CharField(
        _("confidence"), max_length=6, choices=Confidence.choices, default=Confidence.HIGH
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("citation")
        verbose_name_plural = _("citations")
        ordering = ["source__published", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "content_type", "object_id"], name="citation_once_per_fact"
            ),
        ]

    def __str__(self):
        return str(self.source)
