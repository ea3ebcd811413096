"""Social organisations (社会组织): the registry, annual reports, evaluation grades, licences,
penalties and credit lists, social work, and charity fundraising with its hash chain.

States change only through socialorgs.services; reads go through socialorgs.selectors.
"""

from socialorgs.models.charity import (
    ChainEntry,
    DisclosureItem,
    DonationPledge,
    FundraisingProject,
)
from socialorgs.models.credit import (
    IllegalOrganisation,
    OrgCreditEvent,
    OrgLicence,
    OrgListEntry,
    Penalty,
)
from socialorgs.models.registry import OrgDomain, OrgMembership, SocialOrganisation
from socialorgs.models.reports import AnnualReport, Evaluation
from socialorgs.models.socialwork import (
    CatalogueItem,
    ProjectReview,
    ProjectReviewReport,
    ServiceRequest,
    SocialWorker,
    SocialWorkProject,
    TargetGroup,
)

__all__ = [
    "AnnualReport",
    "CatalogueItem",
    "ChainEntry",
    "DisclosureItem",
    "DonationPledge",
    "Evaluation",
    "FundraisingProject",
    "IllegalOrganisation",
    "OrgCreditEvent",
    "OrgDomain",
    "OrgLicence",
    "OrgListEntry",
    "OrgMembership",
    "Penalty",
    "ProjectReview",
    "ProjectReviewReport",
    "ServiceRequest",
    "SocialOrganisation",
    "SocialWorkProject",
    "SocialWorker",
    "TargetGroup",
]
