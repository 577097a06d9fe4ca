from django import forms

from cases.models import BorderCrossing

from .base import RecordForm
from .dates import ApproximateDateField


class BorderCrossingForm(RecordForm):
    date = ApproximateDateField.for_model(BorderCrossing, "date")

    field_order = ["date"]

    class Meta:
        model = BorderCrossing
        fields = ["from_country", "to_country", "place", "method", "reason"]
        widgets = {"reason": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.person = self.person
