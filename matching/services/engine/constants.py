"""Constants shared by the engine modules: horizon, costs, grid, components, modes, reasons."""

from providers.models import Certificate, StaffMember
from services.models import Listing

HORIZON_DAYS = 14
HOME_RADIUS_KM = 10.0
UNASSIGNED_COST = 1001
EARTH_KM = 6371.0
GRID_DEG = 0.1  # branch grid cells (about 11 km × 9.6 km here) for the distance pre-filter
COMPONENTS = (
    "distance",
    "quality",
    "grade",
    "price",
    "availability",
    "language",
    "continuity",
)
MODE_BRANCH, MODE_HOME, MODE_ONLINE = 0, 1, 2
MODES = {
    Listing.DeliveryMode.AT_BRANCH: MODE_BRANCH,
    Listing.DeliveryMode.AT_HOME: MODE_HOME,
    Listing.DeliveryMode.ONLINE: MODE_ONLINE,
}
CERT_BITS = {kind: 1 << i for i, kind in enumerate(Certificate.Kind.values)}
GENDER_BITS = {StaffMember.Gender.FEMALE: 1, StaffMember.Gender.MALE: 2}
CERT_LABELS = dict(Certificate.Kind.choices)

NO_COVERAGE = "no_coverage"
NO_TIME_OVERLAP = "no_time_overlap"
OVER_BUDGET = "over_budget"
MISSING_CERTIFICATE = "missing_certificate"
NO_CAPACITY = "no_capacity"
