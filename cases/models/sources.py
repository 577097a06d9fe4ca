from django.apps import apps
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.dates import (
    ApproximateDateAttribute,
    approximate_date_constraints,
    approximate_date_fields,
)
from casetracker.models import DatedModel, TimeStampedModel
from people.models import is_admin


def created_by(model, user):
    """Whether the user created the object (its first version in the history): a condition."""
    if user is None or not user.is_authenticated:
        return Q(pk__in=[])
    first = model.history.model.objects.filter(
        id=OuterRef("pk"), history_type="+", history_user_id=user.pk
    )
    return Q(Exists(first))


def cited_models():
    """The record kinds a citation can point to: every case record."""
    from .base import CaseRecord

    models_of_cases = apps.get_app_config("cases").get_models()
    return [model for model in models_of_cases if issubclass(model, CaseRecord)]


class SourceQuerySet(models.QuerySet):
    """A source takes its visibility from the records that cite it.

    Its title often names the person of the case, so a source cited only for records a user
    may not see does not exist for them. A source nobody cites yet is visible to admins and
    to the user who created it.
    """

    def visible_to(self, user):
        if user is not None and is_admin(user):
            return self.all()
        cited = Citation.objects.visible_to(user).filter(source=OuterRef("pk"))
        return self.filter(Q(Exists(cited)) | self._uncited_created_by(user))

    def managed_by(self, user):
        """Admins; or a user who manages every record citing it (its text shows in each)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if is_admin(user):
            return self.all()
        foreign = Citation.objects.filter(source=OuterRef("pk")).exclude(
            Citation.objects.records_of(user, "managed_by")
        )
        cited = Citation.objects.filter(source=OuterRef("pk"))
        return self.filter(
            ~Q(Exists(foreign)) & (Q(Exists(cited)) | self._uncited_created_by(user))
        )

    def choosable_by(self, user):
        """What a form offers the user to cite: every source they may see."""
        return self.visible_to(user)

    def _uncited_created_by(self, user):
        return ~Q(Exists(Citation.objects.filter(source=OuterRef("pk")))) & created_by(
            self.model, user
        )


class CitationQuerySet(models.QuerySet):
    """A citation is visible with the record it supports: one subquery per record kind."""

    def records_of(self, user, rule):
        """A condition on citations: the record cited is in ``<model>.objects.<rule>(user)``."""
        condition = Q(pk__in=[])
        for model in cited_models():
            condition |= Q(
                content_type=ContentType.objects.get_for_model(model),
                object_id__in=getattr(model._default_manager, rule)(user).values("pk"),
            )
        return condition

    def visible_to(self, user):
        if user is not None and is_admin(user):
            return self.all()
        return self.filter(self.records_of(user, "visible_to"))

    def managed_by(self, user):
        return self.filter(self.records_of(user, "managed_by"))


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

    objects = SourceQuerySet.as_manager()

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

    objects = CitationQuerySet.as_manager()

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
