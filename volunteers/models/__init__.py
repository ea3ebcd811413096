"""Models of the volunteers app, split by sub-domain: people, organisations and activities
(core), what their service leaves behind (records: disputes, certificates, commendations) and
the time bank's ledger (timebank)."""

from volunteers.models.core import (
    Activity,
    ActivityDomain,
    HourRecord,
    Member,
    NumberSequence,
    Organisation,
    OrganisationReview,
    Position,
    Signup,
    Skill,
    TimeOfWeek,
    Volunteer,
)
from volunteers.models.records import Certificate, Commendation, HourDispute
from volunteers.models.timebank import (
    TimeBankAccount,
    TimeBankPosting,
    TimeBankRedemption,
    TimeBankService,
    TimeBankTransaction,
)

__all__ = [
    "Activity",
    "ActivityDomain",
    "Certificate",
    "Commendation",
    "HourDispute",
    "HourRecord",
    "Member",
    "NumberSequence",
    "Organisation",
    "OrganisationReview",
    "Position",
    "Signup",
    "Skill",
    "TimeBankAccount",
    "TimeBankPosting",
    "TimeBankRedemption",
    "TimeBankService",
    "TimeBankTransaction",
    "TimeOfWeek",
    "Volunteer",
]
