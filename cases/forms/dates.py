"""The approximate-date form field: year, month and day, or "date unknown".

A lawyer types what the source says and no more: a year alone records a year, a year and a
month record a month, all three record a day. An unknown date may carry a "not later than"
bound (such as the date of the article that reports it). The field cleans to a
``casetracker.dates.ApproximateDate``; ``ApproximateDateFormMixin`` writes it to the model's
three columns before the model's ``clean()`` runs, so the model's messages (a date in the
future, an end before its start) land next to the field of the same name.
"""

import datetime

from django import forms
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string
from django.utils.dates import MONTHS
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casetracker.dates import EARLIEST_YEAR, ApproximateDate, Precision, approximate_attributes

PARTS = ("year", "month", "day", "unknown", "not_later_than")
EMPTY = ApproximateDate(None, "", None)
MIN_YEAR = EARLIEST_YEAR
MAX_YEAR = 2100

PRECISION_NOTES = {
    Precision.DAY: _("the exact day"),
    Precision.MONTH: _("the month only"),
    Precision.YEAR: _("the year only"),
    Precision.UNKNOWN: _("date unknown"),
}


def _parse(raw, required):
    """Read the typed parts into an ApproximateDate, or raise the messages a person reads."""
    year, month, day = (str(raw.get(part) or "").strip() for part in ("year", "month", "day"))
    unknown = bool(raw.get("unknown"))
    bound_text = str(raw.get("not_later_than") or "").strip()
    errors = []

    def number(text, low, high, message):
        if not text:
            return None
        try:
            value = int(text)
        except ValueError:
            errors.append(ValidationError(message, code="approximate_date_not_a_number"))
            return None
        if not low <= value <= high:
            errors.append(ValidationError(message, code="approximate_date_out_of_range"))
            return None
        return value

    year_value = number(
        year,
        MIN_YEAR,
        MAX_YEAR,
        _("Enter the year as four digits, between %(low)s and %(high)s.")
        % {"low": MIN_YEAR, "high": MAX_YEAR},
    )
    month_value = number(month, 1, 12, _("Choose a month from the list."))
    day_value = number(day, 1, 31, _("Enter the day as a number from 1 to 31."))
    bound = None
    if bound_text:
        try:
            bound = datetime.date.fromisoformat(bound_text)
        except ValueError:
            errors.append(
                ValidationError(
                    _("Enter the 'not later than' date as year-month-day, e.g. 2019-10-29."),
                    code="approximate_date_bad_bound",
                )
            )
    if errors:
        raise ValidationError(errors)

    if unknown:
        if year or month or day:
            raise ValidationError(
                _("Either enter the date or tick 'date unknown', not both."),
                code="approximate_date_known_and_unknown",
            )
        return ApproximateDate(None, Precision.UNKNOWN, bound)
    if bound_text:
        raise ValidationError(
            _("A 'not later than' date is only for an unknown date: tick 'date unknown' too."),
            code="approximate_date_bound_without_unknown",
        )
    if not (year or month or day):
        if required:
            raise ValidationError(
                _("Enter at least the year, or tick 'date unknown'."), code="required"
            )
        return EMPTY
    try:
        return ApproximateDate.from_parts(year_value, month_value, day_value)
    except ValueError:
        raise ValidationError(
            _("There is no day %(day)s in %(month)s %(year)s.")
            % {"day": day_value, "month": MONTHS[month_value], "year": year_value},
            code="approximate_date_no_such_day",
        ) from None


def parts_of(value):
    """The typed parts that show an ApproximateDate again in the form."""
    if not isinstance(value, ApproximateDate) or not value.is_set:
        return dict.fromkeys(PARTS, "")
    if value.precision == Precision.UNKNOWN:
        bound = value.not_later_than.isoformat() if value.not_later_than else ""
        return {**dict.fromkeys(PARTS, ""), "unknown": True, "not_later_than": bound}
    day = value.date
    return {
        "year": day.year,
        "month": day.month if value.precision in (Precision.MONTH, Precision.DAY) else "",
        "day": day.day if value.precision == Precision.DAY else "",
        "unknown": False,
        "not_later_than": "",
    }


def describe(value):
    """'May 2018 (the month only)': what a date records, for the form and for a conflict."""
    if not isinstance(value, ApproximateDate) or not value.is_set:
        return gettext("not given")
    if value.precision == Precision.UNKNOWN:
        return str(value)
    return f"{value} ({PRECISION_NOTES[value.precision]})"


class ApproximateDateWidget(forms.MultiWidget):
    """Year, month, day, 'date unknown' and 'not later than', each with its own label.

    Rendered with the project's templates (a fieldset around labelled inputs); the posted
    parts are named ``<name>_year``, ``<name>_month``… and come back as typed on an error.
    """

    template_name = "cases/edit/widgets/approximate_date.html"

    def __init__(self, attrs=None):
        widgets = {
            "year": forms.NumberInput,
            "month": forms.Select(choices=[("", "—"), *MONTHS.items()]),
            "day": forms.NumberInput,
            "unknown": forms.CheckboxInput,
            "not_later_than": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }
        super().__init__(widgets, attrs)

    def decompress(self, value):
        parts = parts_of(value)
        return [parts[part] for part in PARTS]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        if not isinstance(value, list | tuple):
            value = self.decompress(value)
        raw = dict(zip(PARTS, value, strict=False))
        base_id = context["widget"]["attrs"].get("id") or f"id_{name}"
        context["parts"] = {
            part: {
                "name": f"{name}_{part}",
                "id": f"{base_id}_{part}",
                "value": "" if raw.get(part) in (None, False) else str(raw.get(part)),
            }
            for part in PARTS
        }
        context["months"] = [(str(number), label) for number, label in MONTHS.items()]
        try:
            recorded = _parse(raw, required=False)
        except ValidationError:
            recorded = None
        context["recorded"] = describe(recorded) if recorded and recorded.is_set else ""
        context["invalid"] = context["widget"]["attrs"].get("aria-invalid") == "true"
        return context

    def render(self, name, value, attrs=None, renderer=None):
        # The project's template engine, not the form renderer's: the template lives in
        # templates/cases/edit/ with the other edit templates.
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))


class ApproximateDateField(forms.Field):
    """Cleans the typed parts to an ApproximateDate; an optional date may stay empty."""

    widget = ApproximateDateWidget
    default_help_text = _(
        "As precise as the source: the year alone, the year and month, or the full date."
    )

    def __init__(self, *, required=True, help_text=None, **kwargs):
        super().__init__(
            required=required,
            help_text=self.default_help_text if help_text is None else help_text,
            **kwargs,
        )

    @classmethod
    def for_model(cls, model, name, **kwargs):
        """The field for the date ``name`` of ``model``: its label, help and whether required."""
        column = model._meta.get_field(name)
        precision = model._meta.get_field(f"{name}_precision")
        texts = [column.help_text, cls.default_help_text]
        help_text = " ".join(str(text) for text in texts if text)
        kwargs.setdefault("label", capfirst(column.verbose_name))
        kwargs.setdefault("required", not precision.blank)
        kwargs.setdefault("help_text", help_text)
        return cls(**kwargs)

    def to_python(self, value):
        if isinstance(value, ApproximateDate):
            return value
        if value is None:
            return EMPTY
        return _parse(dict(zip(PARTS, value, strict=False)), required=self.required)

    def validate(self, value):
        # Required-ness is checked while parsing, with a message that says what to enter.
        pass

    def prepare_value(self, value):
        return value

    def has_changed(self, initial, data):
        try:
            typed = self.to_python(data)
        except ValidationError:
            return True
        return typed != (initial if isinstance(initial, ApproximateDate) else EMPTY)


class ApproximateDateFormMixin:
    """For a ModelForm whose approximate dates are ApproximateDateFields named like the column.

    The initial value is read from the instance and the cleaned value written to its three
    columns before the model validates itself, so a model error on ``date`` shows under the
    date field. The columns stay out of ``Meta.fields``.
    """

    def approximate_date_names(self):
        columns = approximate_attributes(self._meta.model)
        return [
            name
            for name, field in self.fields.items()
            if isinstance(field, ApproximateDateField) and name in columns
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None:
            for name in self.approximate_date_names():
                self.initial.setdefault(name, getattr(self.instance, f"approx_{name}"))

    def clean(self):
        cleaned_data = super().clean()
        for name in self.approximate_date_names():
            # A date that did not parse already has its message; an empty one keeps the
            # model from adding a second message about the same field.
            setattr(self.instance, f"approx_{name}", cleaned_data.get(name, EMPTY))
        return cleaned_data
