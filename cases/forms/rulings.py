from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Detention, Proceeding, Ruling

from .base import RecordForm
from .dates import ApproximateDateField


class DetentionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, detention):
        return _("%(kind)s from %(start)s") % {
            "kind": detention.get_kind_display(),
            "start": detention.approx_start,
        }


class RulingForm(RecordForm):
    """The ruling of a proceeding for the person whose page the form was opened from."""

    date = ApproximateDateField.for_model(Ruling, "date")
    ends_detention = DetentionChoiceField(
        label=_("Ends a detention"),
        queryset=Detention.objects.none(),
        required=False,
        help_text=_(
            "If this ruling released the person, choose the detention it ended: the detention "
            "then ends on the date of the ruling."
        ),
    )

    field_order = ["proceeding", "date", "outcome"]
    error_fields = {"person": "proceeding"}

    class Meta:
        model = Ruling
        fields = [
            "proceeding",
            "outcome",
            "sentence_kind",
            "sentence_months",
            "removal",
            "pre_trial_credit",
            "summary",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = self.person
        self.fields["proceeding"].queryset = Proceeding.objects.filter(
            persons=self.person
        ).select_related("authority")
        ongoing = self.person.detentions.filter(end_precision="")
        if ongoing.exists():
            self.fields["ends_detention"].queryset = ongoing
        else:
            del self.fields["ends_detention"]

    def compared_fields(self):
        return [name for name in super().compared_fields() if name != "ends_detention"]
