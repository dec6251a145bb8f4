"""The ORM model of the whole mission; importing this package registers every table."""
from tremplin.models.accounts import Account, ChannelIdentity, Role
from tremplin.models.applications import (
    PENDING_STATUSES,
    PLACED_STATUSES,
    Application,
    ApplicationStatus,
)
from tremplin.models.base import Base, utcnow
from tremplin.models.employers import Employer, EmployerJoinRequest, JoinStatus
from tremplin.models.follow import AuditEntry, Notification, ParentLink, ParentLinkCode
from tremplin.models.moderation import CodeAttempt, ProblemReport, ReportStatus
from tremplin.models.offers import Offer, OfferEnvironment, OfferPeriod, OfferStatus
from tremplin.models.schools import School, SchoolClass
from tremplin.models.students import Student
from tremplin.models.turns import TurnResult
from tremplin.models.web import DashboardLink, PartnerOffer, PartnerToken

__all__ = [
    "Account", "Application", "CodeAttempt", "ProblemReport", "ReportStatus", "ApplicationStatus", "AuditEntry", "Base", "ChannelIdentity",
    "Employer", "EmployerJoinRequest", "JoinStatus", "Notification", "Offer", "OfferEnvironment", "OfferPeriod", "OfferStatus",
    "PENDING_STATUSES", "PLACED_STATUSES", "ParentLink", "ParentLinkCode", "Role", "School",
    "SchoolClass", "Student", "TurnResult", "utcnow", "DashboardLink", "PartnerOffer", "PartnerToken",
]
