from django import forms

from cases.models import Proceeding, StatusDecision

from .base import RecordForm
from .dates import ApproximateDateField


class StatusDecisionForm(RecordForm):
    decided = ApproximateDateField.for_model(StatusDecision, "decided")
    valid_from = ApproximateDateField.for_model(StatusDecision, "valid_from")
    valid_until = ApproximateDateField.for_model(StatusDecision, "valid_until")

    field_order = ["status", "outcome", "decided", "valid_from", "valid_until", "authority"]

    class Meta:
        model = StatusDecision
        fields = ["status", "outcome", "authority", "proceeding", "note"]
        widgets = {"note": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = self.person
        # Only this person's proceedings: never one the lawyer has no business with.
        self.fields["proceeding"].queryset = Proceeding.objects.filter(
            persons=self.person
        ).select_related("authority")
