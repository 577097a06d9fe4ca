from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.models import TimeStampedModel
from people.models import is_admin

from .sources import created_by


class AuthorityQuerySet(models.QuerySet):
    """An authority takes its visibility from the records that name it, as sources do.

    The name of a court is no secret, but the link is: that a confidential case is before
    it, or an authority entered for one case ("Migration police, Zharkent (officer X)").
    An authority no record names yet is visible to admins and to the user who created it.
    """

    def visible_to(self, user):
        if user is not None and is_admin(user):
            return self.all()
        return self.filter(self._used_by(user, "visible_to") | self._unused_created_by(user))

    def managed_by(self, user):
        """Admins; or a user who manages every record naming it (its name shows in each)."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if is_admin(user):
            return self.all()
        foreign = Q(pk__in=[])
        for model, field in self._uses():
            others = model._default_manager.exclude(
                pk__in=model._default_manager.managed_by(user).values("pk")
            )
            foreign |= Q(Exists(others.filter(**{field: OuterRef("pk")})))
        return self.filter(~foreign & (self._used_by(user, "all") | self._unused_created_by(user)))

    def choosable_by(self, user):
        """What a form offers the user for a record: every authority they may see."""
        return self.visible_to(user)

    def _uses(self):
        """(record model, field name) of every record kind that names an authority."""
        return [
            (relation.related_model, relation.field.name)
            for relation in self.model._meta.related_objects
            if relation.one_to_many
        ]

    def _used_by(self, user, rule):
        """A condition: some record in ``<model>.objects.<rule>(user)`` names the authority."""
        condition = Q(pk__in=[])
        for model, field in self._uses():
            manager = model._default_manager
            records = manager.all() if rule == "all" else getattr(manager, rule)(user)
            condition |= Q(Exists(records.filter(**{field: OuterRef("pk")})))
        return condition

    def _unused_created_by(self, user):
        return ~self._used_by(user, "all") & created_by(self.model, user)


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

    objects = AuthorityQuerySet.as_manager()

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["country", "name"]
        constraints = [
            models.UniqueConstraint(fields=["name", "country"], name="authority_unique_name"),
        ]

    def __str__(self):
        return f"{self.name} ({self.country})" if self.country else self.name
