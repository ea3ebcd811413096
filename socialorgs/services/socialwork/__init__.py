"""Write paths of social work (社会工作), split by sub-domain: certified social workers, the
government purchase catalogue, service projects, residents' requests, the match run that
proposes projects to them, and the reviews of completed services.

Every function checks permission first, then its input, writes inside one transaction and
records an audit entry. Errors are SocialOrgError (400), SocialOrgConflict (409), NotAllowed
(403) or NotFound (404), with Chinese messages and the field at fault.
"""

from socialorgs.services.socialwork.catalogue import (
    catalogue_check,
    catalogue_item_create,
    catalogue_item_publish,
    catalogue_item_withdraw,
)
from socialorgs.services.socialwork.matching import service_requests_match
from socialorgs.services.socialwork.projects import (
    project_clean,
    project_close,
    project_create,
    project_publish,
    project_update,
)
from socialorgs.services.socialwork.requests import (
    SERVICE_PURPOSE,
    requests_reopen_for_organisation,
    service_request_accept,
    service_request_cancel,
    service_request_complete,
    service_request_create,
    service_request_decline,
    service_request_full_view,
    service_request_org_decline,
    service_requests_release_due,
)
from socialorgs.services.socialwork.reviews import (
    MODERATION_ACTIONS,
    project_review_create,
    project_review_moderate,
    project_review_report,
    review_check_eligible,
)
from socialorgs.services.socialwork.workers import (
    social_worker_add,
    social_worker_update,
    social_workers_read,
)

__all__ = [
    "MODERATION_ACTIONS",
    "SERVICE_PURPOSE",
    "catalogue_check",
    "catalogue_item_create",
    "catalogue_item_publish",
    "catalogue_item_withdraw",
    "project_clean",
    "project_close",
    "project_create",
    "project_publish",
    "project_review_create",
    "project_review_moderate",
    "project_review_report",
    "project_update",
    "requests_reopen_for_organisation",
    "review_check_eligible",
    "service_request_accept",
    "service_request_cancel",
    "service_request_complete",
    "service_request_create",
    "service_request_decline",
    "service_request_full_view",
    "service_request_org_decline",
    "service_requests_match",
    "service_requests_release_due",
    "social_worker_add",
    "social_worker_update",
    "social_workers_read",
]
