from django import forms

from cases.models import Detention

from .base import RecordForm
from .dates import ApproximateDateField


class DetentionForm(RecordForm):
    start = ApproximateDateField.for_model(Detention, "start")
    end = ApproximateDateField.for_model(Detention, "end")

    field_order = ["kind", "start", "end"]

    class Meta:
        model = Detention
        fields = ["kind", "place", "authority", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = self.person
