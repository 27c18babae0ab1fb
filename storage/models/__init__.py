"""All tables. Importing this package registers every model on `Base.metadata`."""

from storage.models.audit import AuditRow
from storage.models.base import Base, UTCDateTime, utcnow
from storage.models.core import CommunityRow, HandledRequest, OutboxRow, PersonRow
from storage.models.events import EventFeedRow, EventRow, RsvpRow
from storage.models.invitations import (
    BlockRow,
    InvitationRow,
    InviterPauseRow,
    LimitOverrideRow,
    RecipientPreferenceRow,
    RolePostRow,
    SentTallyRow,
    SuppressionRow,
)
from storage.models.mentors import (
    MentorAvoidRow,
    MentorFeedbackRow,
    MentorPairMemberRow,
    MentorPairRow,
    MentorProfileRow,
    MentorRoundRow,
    MentorScheduleRow,
    MentorTopicRow,
)
from storage.models.pacing import DirectChannelRow, PaceRow

__all__ = [
    "AuditRow",
    "Base",
    "BlockRow",
    "CommunityRow",
    "DirectChannelRow",
    "EventFeedRow",
    "EventRow",
    "HandledRequest",
    "InvitationRow",
    "InviterPauseRow",
    "LimitOverrideRow",
    "MentorAvoidRow",
    "MentorFeedbackRow",
    "MentorPairMemberRow",
    "MentorPairRow",
    "MentorProfileRow",
    "MentorRoundRow",
    "MentorScheduleRow",
    "MentorTopicRow",
    "OutboxRow",
    "PaceRow",
    "PersonRow",
    "RecipientPreferenceRow",
    "RolePostRow",
    "RsvpRow",
    "SentTallyRow",
    "SuppressionRow",
    "UTCDateTime",
    "utcnow",
]
