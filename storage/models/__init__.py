"""All tables. Importing this package registers every model on `Base.metadata`."""

from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.core import CommunityRow, HandledRequest, OutboxRow, PersonRow

__all__ = [
    "Base",
    "CommunityRow",
    "HandledRequest",
    "OutboxRow",
    "PersonRow",
    "UTCDateTime",
    "utcnow",
]
