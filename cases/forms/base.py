"""What every record form shares: approximate dates, the version token, readable conflicts."""

from django import forms
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from casetracker.versions import version_token
from people.models import Person

from .dates import ApproximateDateField, ApproximateDateFormMixin, describe
from .withheld import WithheldTextsMixin, edit_masker


def display_value(field, value):
    """A field's value as a lawyer reads it, for the 'what changed' comparison."""
    if isinstance(field, ApproximateDateField):
        return describe(value)
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [getattr(item, "pk", item) for item in value or []]
        names = [str(field.label_from_instance(item)) for item in field.queryset.filter(pk__in=pks)]
        return ", ".join(sorted(names)) or "—"
    if isinstance(field, forms.ModelChoiceField):
        pk = getattr(value, "pk", value)
        if pk in (None, ""):
            return "—"
        found = field.queryset.filter(pk=pk).first()
        return str(field.label_from_instance(found)) if found else "—"
    if isinstance(field, forms.BooleanField):
        return gettext("yes") if value else gettext("no")
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value)) if value not in (None, "") else "—"
    return str(value) if value not in (None, "") else "—"


class RecordForm(WithheldTextsMixin, ApproximateDateFormMixin, forms.ModelForm):
    """A ModelForm for one record of ``person``, opened by ``user``.

    On an existing record it carries ``version``: the record's ``updated_at`` when the form
    was opened. ``cases.writes`` refuses a save whose version is no longer current.

    A saved text that names a person the user may not see is not part of the form (see
    ``cases.forms.withheld``); ``masker`` withholds those names (by default, that of
    ``edit_masker`` for the record).
    """

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    required_css_class = "required"
    # Fields shown apart from the main list (a new court typed in place).
    new_authority_fields = ()
    # Model errors keyed by a column the form does not show, and the field they belong to.
    error_fields = {}

    def __init__(self, data=None, *, person, user, masker=None, **kwargs):
        self.person = person
        self.user = user
        super().__init__(data, **kwargs)
        if self.instance.pk is not None:
            self.initial["version"] = version_token(self.instance)
        self.conflicts = []
        self.limit_choices()
        if masker is None:
            masker = edit_masker(user, person, self.instance)
        self.withhold_texts(masker)

    def limit_choices(self):
        """Courts and other authorities: offered and accepted only among those the user may see.

        A choice by id of one they may not see is refused as an invalid choice.
        """
        for field in self.fields.values():
            manager = getattr(getattr(field, "queryset", None), "model", None)
            manager = getattr(manager, "_default_manager", None)
            if hasattr(manager, "choosable_by"):
                field.queryset = manager.choosable_by(self.user)

    def _update_errors(self, errors):
        # The model may speak of a column the form does not show (a ruling's person):
        # put its message where the lawyer can act on it instead of failing.
        if hasattr(errors, "error_dict"):
            remapped = {}
            for name, messages in errors.error_dict.items():
                target = self.error_fields.get(name, name)
                if target != NON_FIELD_ERRORS and target not in self.fields:
                    target = NON_FIELD_ERRORS
                remapped.setdefault(target, []).extend(messages)
            errors = ValidationError(remapped)
        super()._update_errors(errors)

    def compared_fields(self):
        return [name for name in self.fields if name != "version"]

    def changes_since(self, current):
        """The fields where the saved record differs from what was typed: (label, saved, typed).

        A saved text that names a person the user may not see shows masked (see
        ``WithheldTextsMixin.changes_against``)."""
        saved_form = type(self)(
            instance=current, person=self.person, user=self.user, masker=self.masker
        )
        return self.changes_against(saved_form, display_value)

    def refuse_as_stale(self, current):
        """Keep what was typed, show what changed, and accept the newer version next time.

        A text that now names a person the user may not see is locked from here on, as it
        would be in a form opened on the newer version."""
        self.conflicts = self.changes_since(current)
        self.withhold_texts_of(current)
        self.data = self.data.copy()
        self.data[self.add_prefix("version")] = version_token(current)
        self.add_error(
            None,
            ValidationError(
                _(
                    "Someone else saved this record after you opened the form, so your "
                    "changes were not saved. Compare below; save again to keep your version."
                ),
                code="stale",
            ),
        )


class SharedPersonsMixin:
    """The persons of a shared record (proceeding, event) that a lawyer may change.

    The person whose page the form was opened from is always on the record. The lawyer
    chooses among the other persons they manage; persons they do not manage stay as they
    are, and only those the lawyer may see are named.
    """

    def setup_persons(self):
        managed = Person.objects.managed_by(self.user).exclude(pk=self.person.pk)
        field = self.fields["other_persons"]
        field.queryset = managed
        # Django renders help_text as HTML: a name is text, escaped here.
        concerns = format_html(_("It concerns {name}."), name=self.person.name)
        field.help_text = format_html("{} {}", concerns, field.help_text)
        self.kept_persons = []
        self.kept_visible = []
        if self.instance.pk is not None:
            on_record = self.instance.persons.exclude(pk=self.person.pk)
            self.initial["other_persons"] = list(on_record.filter(pk__in=managed.values("pk")))
            self.kept_persons = list(on_record.exclude(pk__in=managed.values("pk")))
            visible = Person.objects.visible_to(self.user).values("pk")
            self.kept_visible = list(
                on_record.exclude(pk__in=managed.values("pk")).filter(pk__in=visible)
            )
        self.withheld_count = len(self.kept_persons) - len(self.kept_visible)
        if not managed.exists():
            del self.fields["other_persons"]

    def chosen_persons(self):
        """The persons the lawyer put on the record: the page's person and those ticked."""
        return [self.person, *(self.cleaned_data.get("other_persons") or [])]


def other_persons_field(help_text):
    return forms.ModelMultipleChoiceField(
        label=_("Also concerns"),
        queryset=Person.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=help_text,
    )
