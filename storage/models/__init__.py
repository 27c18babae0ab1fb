"""All tables. Importing this package registers every model on `Base.metadata`."""

from storage.models.audit import AuditRow
from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.core import CommunityRow, HandledRequest, OutboxRow, PersonRow
from storage.models.events import EventFeedRow, EventRow, RsvpRow
from storage.models.mentors import (
    MentorAvoidRow,
    MentorFeedbackRow,
    MentorPairMemberRow,
    MentorPairRow,
    MentorProfileRow,
    MentorRoundRow,
    MentorScheduleRow,
)
from storage.models.pacing import DirectChannelRow, PaceRow

__all__ = [
    "AuditRow",
    "Base",
    "CommunityRow",
    "DirectChannelRow",
    "EventFeedRow",
    "EventRow",
    "HandledRequest",
    "MentorAvoidRow",
    "MentorFeedbackRow",
    "MentorPairMemberRow",
    "MentorPairRow",
    "MentorProfileRow",
    "MentorRoundRow",
    "MentorScheduleRow",
    "OutboxRow",
    "PaceRow",
    "PersonRow",
    "RsvpRow",
    "UTCDateTime",
    "utcnow",
]
