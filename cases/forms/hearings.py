from django import forms

from cases.models import Hearing, Proceeding

from .base import RecordForm
from .dates import ApproximateDateField


class HearingForm(RecordForm):
    date = ApproximateDateField.for_model(Hearing, "date")

    field_order = ["proceeding", "date", "title"]

    class Meta:
        model = Hearing
        fields = ["proceeding", "title", "place", "summary"]
        widgets = {"summary": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A hearing belongs to the whole proceeding: only one whose every person the lawyer
        # represents (see SharedRecordQuerySet.managed_by).
        self.fields["proceeding"].queryset = (
            Proceeding.objects.managed_by(self.user)
            .filter(persons=self.person)
            .select_related("authority")
        )
