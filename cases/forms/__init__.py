"""The forms lawyers use to keep a person's case current: one module per record kind."""

from .crossings import BorderCrossingForm
from .dates import ApproximateDateField, ApproximateDateWidget
from .detentions import DetentionForm
from .events import EventForm
from .hearings import HearingForm
from .proceedings import ProceedingForm, participant_formset
from .rulings import RulingForm
from .sources import (
    CitationForm,
    SourceCiteForm,
    citation_formset,
    offered_sources,
    source_options,
)
from .statuses import StatusDecisionForm
from .withheld import edit_masker, linked_records

__all__ = [
    "ApproximateDateField",
    "ApproximateDateWidget",
    "BorderCrossingForm",
    "CitationForm",
    "DetentionForm",
    "EventForm",
    "HearingForm",
    "ProceedingForm",
    "RulingForm",
    "SourceCiteForm",
    "StatusDecisionForm",
    "citation_formset",
    "edit_masker",
    "linked_records",
    "offered_sources",
    "participant_formset",
    "source_options",
]
