from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from cases.models import Authority, Participant, Proceeding
from casetracker.formsets import row_limits

from .base import RecordForm, SharedPersonsMixin, other_persons_field
from .rows import RowCountMixin
from .withheld import WithheldTextsMixin


class ProceedingForm(SharedPersonsMixin, RecordForm):
    """A case before a court or authority; a court not on record yet can be added in place."""

    other_persons = other_persons_field(
        _("Tick the co-defendants or co-applicants you represent; each gets a ruling of their own.")
    )
    new_authority_name = forms.CharField(label=_("Name"), max_length=200, required=False)
    new_authority_kind = forms.ChoiceField(
        label=_("Kind"),
        choices=Authority.Kind.choices,
        initial=Authority.Kind.COURT,
        required=False,
    )
    new_authority_town = forms.CharField(label=_("Town"), max_length=100, required=False)
    new_authority_country = forms.CharField(label=_("Country"), max_length=100, required=False)

    new_authority_fields = [
        "new_authority_name",
        "new_authority_kind",
        "new_authority_town",
        "new_authority_country",
    ]

    class Meta:
        model = Proceeding
        fields = ["kind", "authority", "case_number", "charge", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_persons()
        self.fields["authority"].required = False
        self.fields["authority"].help_text = _("Not in the list? Add it below.")
        self.new_authority = None

    def compared_fields(self):
        return [name for name in super().compared_fields() if name not in self.new_authority_fields]

    def shows_new_authority(self):
        if any(self[name].errors for name in self.new_authority_fields):
            return True
        return self.is_bound and bool((self["new_authority_name"].data or "").strip())

    def clean(self):
        cleaned_data = super().clean()
        authority = cleaned_data.get("authority")
        name = (cleaned_data.get("new_authority_name") or "").strip()
        if authority and name:
            self.add_error(
                "new_authority_name",
                ValidationError(
                    _(
                        "Either choose a court or authority from the list or add a new one, "
                        "not both."
                    ),
                    code="authority_twice",
                ),
            )
        elif not authority and not name:
            if "authority" not in self.errors:
                self.add_error(
                    "authority",
                    ValidationError(
                        _("Choose the court or authority, or add a new one below."),
                        code="authority_missing",
                    ),
                )
        elif name:
            self.new_authority = self._new_authority(cleaned_data, name)
        return cleaned_data

    def _hidden_namesake(self, authority):
        """An authority of that name on record that the user may not see, if any.

        Saying "it exists" would confirm it to someone who may not see it; the lawyer typed its
        name and country, so the proceeding is before it: it is used, unchanged.
        """
        same = Authority.objects.filter(name=authority.name, country=authority.country)
        return same.exclude(pk__in=Authority.objects.visible_to(self.user).values("pk")).first()

    def _new_authority(self, cleaned_data, name):
        authority = Authority(
            name=name,
            kind=cleaned_data.get("new_authority_kind") or Authority.Kind.COURT,
            town=cleaned_data.get("new_authority_town", ""),
            country=(cleaned_data.get("new_authority_country") or "").strip(),
        )
        namesake = self._hidden_namesake(authority)
        if namesake is not None:
            cleaned_data["authority"] = namesake
            return None
        try:
            authority.full_clean()
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                target = f"new_authority_{field}"
                if target not in self.fields:
                    target = "new_authority_name"
                for message in messages:
                    self.add_error(target, message)
            return None
        return authority


class ParticipantForm(WithheldTextsMixin, forms.ModelForm):
    """A participant in their role; a name or note that names a person the user may not see
    is shown masked and kept as it is (``cases.forms.withheld``)."""

    class Meta:
        model = Participant
        fields = ["role", "name", "note"]

    def __init__(self, *args, masker, **kwargs):
        super().__init__(*args, **kwargs)
        self.withhold_texts(masker)


class BaseParticipantFormSet(RowCountMixin, forms.BaseInlineFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove")


def participant_formset(data=None, *, proceeding, masker):
    formset_class = forms.inlineformset_factory(
        Proceeding,
        Participant,
        form=ParticipantForm,
        formset=BaseParticipantFormSet,
        extra=2 if proceeding.pk is None else 1,
        can_delete=True,
        **row_limits(),
    )
    return formset_class(
        data, instance=proceeding, prefix="participants", form_kwargs={"masker": masker}
    )
