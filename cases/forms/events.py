from django import forms
from django.utils.translation import gettext_lazy as _

from cases.models import Event

from .base import RecordForm, SharedPersonsMixin, other_persons_field
from .dates import ApproximateDateField


class EventForm(SharedPersonsMixin, RecordForm):
    date = ApproximateDateField.for_model(Event, "date")
    other_persons = other_persons_field(
        _("Tick the other persons you represent whom it concerns too.")
    )

    field_order = ["kind", "title", "date"]

    class Meta:
        model = Event
        fields = ["kind", "title", "place", "authority", "description"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setup_persons()
