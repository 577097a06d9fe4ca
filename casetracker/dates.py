"""Approximate dates: what a source says about when something happened, and no more.

A date is stored in three columns: the first day it could be (``<name>``), its precision
(``<name>_precision``: day, month, year or unknown) and, for an unknown date, an optional
upper bound (``<name>_not_later_than``, such as the date of the article that reports it).
An optional date may also be absent altogether (empty precision): an open-ended detention,
a status with no expiry.

Models declare the columns with ``approximate_date_fields()``, their database constraints with
``approximate_date_constraints()``, and read them back as one ``ApproximateDate`` value through
an ``ApproximateDateAttribute``. Display, ordering and validation live here alone.
"""

import calendar
import datetime
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import formats, timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# No case recorded here begins before 1900: an earlier year is a typing error (the form's year
# box says so too), and the import obeys the same rule.
EARLIEST_YEAR = 1900


class Precision(models.TextChoices):
    DAY = "day", _("day")
    MONTH = "month", _("month")
    YEAR = "year", _("year")
    UNKNOWN = "unknown", _("unknown")

    @classmethod
    def dated(cls):
        return [cls.DAY, cls.MONTH, cls.YEAR]

    @property
    def rank(self):
        """Sort order among entries on the same first day: the precise one first."""
        return [Precision.DAY, Precision.MONTH, Precision.YEAR, Precision.UNKNOWN].index(self)


@dataclass(frozen=True)
class ApproximateDate:
    date: datetime.date | None
    precision: str
    not_later_than: datetime.date | None = None

    @classmethod
    def from_parts(cls, year=None, month=None, day=None, not_later_than=None):
        """Build from what a person knows: a year, perhaps a month, perhaps a day."""
        if year is None:
            if month is not None or day is not None:
                raise ValidationError(
                    _("A month or day needs a year."), code="approximate_date_no_year"
                )
            return cls(None, Precision.UNKNOWN, not_later_than)
        if month is None:
            if day is not None:
                raise ValidationError(_("A day needs a month."), code="approximate_date_no_month")
            return cls(datetime.date(year, 1, 1), Precision.YEAR)
        if day is None:
            return cls(datetime.date(year, month, 1), Precision.MONTH)
        return cls(datetime.date(year, month, day), Precision.DAY)

    @property
    def is_set(self):
        return self.precision != ""

    @property
    def is_known(self):
        return self.date is not None

    @property
    def earliest(self):
        """The first day this date could be, or None if nothing is known."""
        return self.date

    @property
    def latest(self):
        """The last day this date could be, or None if unbounded."""
        if self.date is None:
            return self.not_later_than
        if self.precision == Precision.YEAR:
            return datetime.date(self.date.year, 12, 31)
        if self.precision == Precision.MONTH:
            last_day = calendar.monthrange(self.date.year, self.date.month)[1]
            return datetime.date(self.date.year, self.date.month, last_day)
        return self.date

    def sort_key(self):
        """Order by date then precision; undated entries by their bound, else last."""
        if not self.is_set:
            return (datetime.date.max, 9)
        anchor = self.date or self.not_later_than or datetime.date.max
        return (anchor, Precision(self.precision).rank)

    def __lt__(self, other):
        return self.sort_key() < other.sort_key()

    def iso(self):
        return self.date.isoformat() if self.date else None

    def __str__(self):
        if not self.is_set:
            return ""
        if self.precision == Precision.DAY:
            return formats.date_format(self.date, "j F Y")
        if self.precision == Precision.MONTH:
            return formats.date_format(self.date, "F Y")
        if self.precision == Precision.YEAR:
            return str(self.date.year)
        if self.not_later_than:
            bound = formats.date_format(self.not_later_than, "j F Y")
            return gettext("date unknown (before %(date)s)") % {"date": bound}
        return gettext("date unknown")

    def errors(self, allow_future=False, today=None):
        """Messages a person reads when this date is inconsistent; empty when it is fine."""
        if not self.is_set:
            return []
        today = today or timezone.localdate()
        if self.precision == Precision.UNKNOWN:
            if self.date is not None:
                return [_("An unknown date cannot have a date; choose a precision instead.")]
            if self.not_later_than and self.not_later_than > today and not allow_future:
                return [_("The 'not later than' date cannot be in the future.")]
            if self.not_later_than and self.not_later_than.year < EARLIEST_YEAR:
                return [self.too_early_message()]
            return []
        if self.date is None:
            return [_("Enter a date, or set the precision to unknown.")]
        if self.not_later_than is not None:
            return [_("Only an unknown date takes a 'not later than' bound.")]
        if self.precision == Precision.MONTH and self.date.day != 1:
            return [_("A date known to the month is stored on the 1st of that month.")]
        if self.precision == Precision.YEAR and (self.date.month, self.date.day) != (1, 1):
            return [_("A date known to the year is stored on 1 January of that year.")]
        if not allow_future and self.date > today:
            return [_("This date is in the future.")]
        if self.date.year < EARLIEST_YEAR:
            return [self.too_early_message()]
        return []

    @staticmethod
    def too_early_message():
        return _("A date before %(year)s is not recorded here: check the year.") % {
            "year": EARLIEST_YEAR
        }


def approximate_date_fields(verbose_name, optional=False, help_text=""):
    """The three columns of one approximate date, to unpack in a model body."""
    return (
        models.DateField(verbose_name, null=True, blank=True, help_text=help_text),
        models.CharField(
            format_lazy(_("{name}: precision"), name=verbose_name),
            max_length=7,
            choices=Precision.choices,
            blank=optional,
            default="" if optional else Precision.DAY,
            help_text=_("How precisely the source gives this date."),
        ),
        models.DateField(
            format_lazy(_("{name}: not later than"), name=verbose_name),
            null=True,
            blank=True,
            help_text=_("For an unknown date: the latest it can be, such as the source's date."),
        ),
    )


def approximate_date_constraints(name, optional=False):
    """Rules the columns of one approximate date must never break."""
    precision = f"{name}_precision"
    bound = f"{name}_not_later_than"
    consistent = Q(**{f"{precision}__in": Precision.dated(), f"{name}__isnull": False}) & Q(
        **{f"{bound}__isnull": True}
    ) | Q(**{precision: Precision.UNKNOWN, f"{name}__isnull": True})
    if optional:
        consistent |= Q(**{precision: "", f"{name}__isnull": True, f"{bound}__isnull": True})
    return [
        models.CheckConstraint(
            condition=consistent, name=f"%(app_label)s_%(class)s_{name}_precision_consistent"
        )
    ]


def period_order_constraint(start, end):
    """An end known to the day is never before the first day its start could be."""
    return models.CheckConstraint(
        condition=Q(**{f"{start}__isnull": True})
        | Q(**{f"{end}__isnull": True})
        | ~Q(**{f"{end}_precision": Precision.DAY})
        | Q(**{f"{end}__gte": F(start)}),
        name=f"%(app_label)s_%(class)s_{end}_not_before_{start}",
    )


class ApproximateDateAttribute:
    """Reads and writes the three columns of one date as an ApproximateDate.

    Named ``approx_<name>`` in the model body, it reads the columns ``<name>``,
    ``<name>_precision`` and ``<name>_not_later_than``.
    """

    prefix = "approx_"

    def __init__(self, allow_future=False):
        self.allow_future = allow_future

    def __set_name__(self, owner, attribute):
        if not attribute.startswith(self.prefix):
            raise TypeError(f"{owner.__name__}.{attribute} must be named {self.prefix}<field>.")
        self.name = attribute.removeprefix(self.prefix)

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return ApproximateDate(
            getattr(instance, self.name),
            getattr(instance, f"{self.name}_precision"),
            getattr(instance, f"{self.name}_not_later_than"),
        )

    def __set__(self, instance, value):
        setattr(instance, self.name, value.date)
        setattr(instance, f"{self.name}_precision", value.precision)
        setattr(instance, f"{self.name}_not_later_than", value.not_later_than)


def approximate_attributes(model):
    """The ApproximateDateAttributes of a model class, by column name."""
    return {
        value.name: value
        for klass in reversed(model.__mro__)
        for value in vars(klass).values()
        if isinstance(value, ApproximateDateAttribute)
    }


def approximate_date_errors(instance, periods=()):
    """Validation errors of every approximate date of a model instance, keyed by field.

    ``periods`` lists (start, end) column names whose end may not come before its start.
    """
    errors = {}
    for name, attribute in approximate_attributes(type(instance)).items():
        messages = attribute.__get__(instance).errors(allow_future=attribute.allow_future)
        if messages:
            errors[name] = messages
    for start_name, end_name in periods:
        if start_name in errors or end_name in errors:
            continue
        start = getattr(instance, f"approx_{start_name}")
        end = getattr(instance, f"approx_{end_name}")
        if start.earliest and end.latest and end.latest < start.earliest:
            errors[end_name] = [_("This cannot be before %(start)s.") % {"start": start}]
    return errors
