from .authorities import Authority
from .crossings import BorderCrossing
from .detentions import Detention
from .events import Event
from .proceedings import Hearing, Participant, Proceeding, Ruling
from .sources import Citation, Source
from .statuses import StatusDecision

__all__ = [
    "Authority",
    "BorderCrossing",
    "Citation",
    "Detention",
    "Event",
    "Hearing",
    "Participant",
    "Proceeding",
    "Ruling",
    "Source",
    "StatusDecision",
]
