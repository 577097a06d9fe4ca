import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.deconstruct import deconstructible
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from casetracker.models import TimeStampedModel

# No vowels or look-alike characters: a reference never spells a word or a name.
REFERENCE_ALPHABET = "23456789bcdfghjkmnpqrstvwxz"
REFERENCE_LENGTH = 10
EARLIEST_BIRTH_YEAR = 1900
# The database's own bound: the model's validator also refuses a year after the current one,
# which a constraint cannot say.
LATEST_BIRTH_YEAR_STORED = 2100


def new_reference():
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(REFERENCE_LENGTH))


@deconstructible
class BirthYearValidator:
    """A birth year from 1900 to the current year: the form, the admin and the import alike."""

    code = "birth_year_out_of_range"

    def __call__(self, value):
        latest = timezone.localdate().year
        if value is not None and not EARLIEST_BIRTH_YEAR <= value <= latest:
            raise ValidationError(
                _("Enter a year between %(low)s and %(high)s."),
                code=self.code,
                params={"low": EARLIEST_BIRTH_YEAR, "high": latest, "value": value},
            )

    def __eq__(self, other):
        return isinstance(other, BirthYearValidator)


def is_admin(user):
    """Admins see and change every person, confidential ones included."""
    return user.is_active and user.has_perm("people.view_every_person")


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        """The one rule for who may see which person; every view, export and report uses it."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.filter(visibility=Person.Visibility.PUBLIC)
        if is_admin(user):
            return self.all()
        assigned = Person.lawyers.through.objects.filter(person=OuterRef("pk"), user=user)
        return self.filter(
            Q(visibility__in=[Person.Visibility.PUBLIC, Person.Visibility.INTERNAL])
            | Q(Exists(assigned))
        )

    def managed_by(self, user):
        """Persons whose case the user may change and whose internal notes they may read."""
        if user is None or not user.is_authenticated or not user.is_active:
            return self.none()
        if is_admin(user):
            return self.all()
        return self.filter(lawyers=user)

    def search(self, query):
        """Persons whose name or a name variant the query finds, best matches first."""
        from .search import search_persons

        return search_persons(self, query)


class Person(TimeStampedModel):
    class Visibility(models.TextChoices):
        PUBLIC = "public", _("public: anyone")
        INTERNAL = "internal", _("internal: signed-in team members")
        CONFIDENTIAL = "confidential", _("confidential: admins and assigned lawyers")

    class Sex(models.TextChoices):
        FEMALE = "female", _("female")
        MALE = "male", _("male")
        OTHER = "other", _("other")
        UNKNOWN = "unknown", _("not known")

    ref = models.CharField(
        _("reference"),
        max_length=REFERENCE_LENGTH,
        unique=True,
        default=new_reference,
        editable=False,
        help_text=_("Stable random reference used in URLs instead of the name."),
    )
    name = models.CharField(
        _("name"), max_length=200, help_text=_("The name as the person spells it.")
    )
    sex = models.CharField(_("sex"), max_length=7, choices=Sex.choices, default=Sex.UNKNOWN)
    birth_year = models.PositiveSmallIntegerField(
        _("birth year"),
        null=True,
        blank=True,
        validators=[BirthYearValidator()],
        help_text=_("Often worked out from an age a source gives, so approximate."),
    )
    birth_year_is_approximate = models.BooleanField(_("birth year is approximate"), default=True)
    ethnicity = models.CharField(_("ethnicity"), max_length=100, blank=True)
    citizenship = models.CharField(
        _("citizenship"), max_length=100, blank=True, help_text=_("Country or countries.")
    )
    place_of_origin = models.CharField(_("place of origin"), max_length=200, blank=True)
    public_summary = models.TextField(
        _("public summary"), blank=True, help_text=_("Shown to everyone who may see the person.")
    )
    internal_notes = models.TextField(
        _("internal notes"),
        blank=True,
        help_text=_("Shown only to the assigned lawyers and admins."),
    )
    visibility = models.CharField(
        _("visibility"),
        max_length=12,
        choices=Visibility.choices,
        default=Visibility.CONFIDENTIAL,
        help_text=_("Who may see this person and every record of their case."),
    )
    lawyers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("assigned lawyers"),
        related_name="assigned_persons",
        blank=True,
    )

    history = HistoricalRecords(m2m_fields=[lawyers])
    objects = PersonQuerySet.as_manager()

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        ordering = ["name", "ref"]
        permissions = [("view_every_person", _("Can see every person, confidential included"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(visibility__in=["public", "internal", "confidential"]),
                name="person_visibility_known",
            ),
            models.CheckConstraint(
                condition=Q(birth_year__isnull=True)
                | Q(birth_year__gte=EARLIEST_BIRTH_YEAR, birth_year__lte=LATEST_BIRTH_YEAR_STORED),
                name="person_birth_year_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:person", kwargs={"ref": self.ref})

    @property
    def is_public(self):
        return self.visibility == self.Visibility.PUBLIC

    def is_visible_to(self, user):
        return Person.objects.visible_to(user).filter(pk=self.pk).exists()

    def is_managed_by(self, user):
        return Person.objects.managed_by(user).filter(pk=self.pk).exists()

    @property
    def birth_year_display(self):
        if self.birth_year is None:
            return ""
        if self.birth_year_is_approximate:
            return _("c. %(year)s") % {"year": self.birth_year}
        return str(self.birth_year)


class NameVariant(TimeStampedModel):
    class Script(models.TextChoices):
        LATIN = "latin", _("Latin")
        CYRILLIC = "cyrillic", _("Cyrillic")
        CHINESE = "chinese", _("Chinese")
        ARABIC = "arabic", _("Arabic")
        OTHER = "other", _("other")

    person = models.ForeignKey(
        Person, verbose_name=_("person"), on_delete=models.CASCADE, related_name="variants"
    )
    name = models.CharField(_("name"), max_length=200)
    script = models.CharField(
        _("script"), max_length=8, choices=Script.choices, default=Script.LATIN
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        blank=True,
        help_text=_("Where this spelling is used, e.g. 'misspelling in Fergana, January 2020'."),
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("name variant")
        verbose_name_plural = _("name variants")
        ordering = ["person", "script", "name"]
        constraints = [
            models.UniqueConstraint(fields=["person", "name"], name="name_variant_unique"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return self.person.get_absolute_url()


# The read log lives in its own module; imported here so that Django finds its models.
from .access_log import AccessLogEntry, AccessLogPerson  # noqa: E402, F401
