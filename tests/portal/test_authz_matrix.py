"""The authorisation matrix: every URL pattern x every method x nine roles, as data.

Roles: `anon` (not signed in), `res_a` (王芳, the owner of the resident objects), `res_b` (another
resident), `prov_a` / `prov_b` (owners of provider A, 武侯区, and provider B, 锦江区),
`off_in` (武侯区 民政: provider A's and resident A's district), `off_out` (锦江区 卫健),
`off_city` (成都市 民政: covers every district and stewards the city's 民政 open data) and
`admin` (the platform administrator).

`MATRIX` maps each URL pattern name (namespaced) to one or more cases: the URL's arguments (the
objects of A, built once for the module), and per method the set of roles that are allowed.
Every other role is denied. Each cell is one request inside a savepoint that is rolled back, so
no cell changes what another one sees.

What a cell's outcome means:

- allowed, GET: 2xx, or a 3xx that is not to a login page (a page that sends you on).
- allowed, a write: anything that shows the permission check let the caller through: 2xx, 3xx
  (not to a login page), 400 (the empty body is invalid), 409 (the state forbids it). Never 401,
  403, 404, 405 or 5xx.
- denied, anonymous: 302 to the login page (pages), 401 (API), 403, or 404 (the object does
  not exist for them).
- denied, signed in: 403 or 404, nothing else (a write refused with 400 would say the caller got
  past the permission).

On top of that, whatever the status, a body never contains A's private data (`Marker`s: a
family member's name, an address, a booking note, a phone number, complaint and appeal texts,
staff names...) unless the viewer is in that marker's audience.

A page's write that is refused by the service after the permission let the caller through
answers like a successful one (a redirect with a message): for pages the matrix checks the
gate, not the outcome of the action.

`test_every_url_pattern_and_method_has_a_row` walks the resolver: a URL (or a method on a view)
without a row fails it, and so does a row whose URL no longer exists. The admin site is one row
group (`test_the_admin_site_is_for_the_platform_admin_only`); A's objects named in a request body
rather than in the URL have their own table (`BODY_CASES`).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import Client, TestCase, override_settings
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone
from django.views.generic.edit import ProcessFormView

from openData.models import Dataset
from openData.services import access, releases
from openData.services.catalogue import can_steward, catalogue_sync
from portal.accounts.models import User
from providers.models import Provider
from ratings.models import (
    Complaint,
    CreditListEntry,
    Inspection,
    InspectionPhoto,
    Review,
    ReviewPhoto,
)
from services.models import FamilyDoctorPackage, Listing, ListingPhoto, Payment
from services.services import doctor, plans
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.matching.factories import NeedFactory, proposals
from tests.providers.factories import (
    BranchFactory,
    CertificateFactory,
    LicenceFactory,
    MembershipFactory,
    ProviderFactory,
    StaffMemberFactory,
)
from tests.ratings.factories import (
    PNG_BYTES,
    CreditAppealFactory,
    CreditEventFactory,
    CreditListEntryFactory,
    GradeFactory,
    InspectionFactory,
    completed_booking,
    evidence,
    file_complaint,
    review_row,
)
from tests.services.factories import (
    AddressFactory,
    DependantFactory,
    ListingFactory,
    SlotFactory,
    book,
    public_listing,
)
from tests.volunteers import factories as vol_factories
from volunteers import services as vol_services
from volunteers.models import Organisation as VolunteerOrganisation
from volunteers.models import TimeBankAccount

ROLES = ("anon", "res_a", "res_b", "prov_a", "prov_b", "off_in", "off_out", "off_city", "admin")
ALL = frozenset(ROLES)
AUTH = ALL - {"anon"}
RES = frozenset({"res_a", "res_b"})
PROV = frozenset({"prov_a", "prov_b"})
OFF = frozenset({"off_in", "off_out", "off_city"})
NONE: frozenset = frozenset()
A_RES = frozenset({"res_a"})
A_PROV = frozenset({"prov_a"})
A_OFF = frozenset({"off_in", "off_city"})  # the officials whose jurisdiction covers A
A_READERS = A_PROV | A_OFF  # provider A's own records: its staff and the covering officials
STEWARDS = frozenset({"admin", "off_city"})  # of the city's 民政 datasets (checked in the world)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"


@dataclass
class Case:
    """One URL of a pattern and who may use each of its methods."""

    allow: dict[str, frozenset]
    kwargs: Callable | dict = field(default_factory=dict)
    data: dict[str, Callable | dict] = field(default_factory=dict)
    query: str = ""
    label: str = ""
    fresh: bool = False  # a new signed-in client per cell (login, logout change the session)
    # Whom to ask. Only two public pages that take a second or more to answer and cannot
    # depend on the caller (no permission, no user data) are asked by fewer than all nine.
    roles: tuple = ROLES


def case(*, get=None, post=None, put=None, patch=None, delete=None, kw=None, **options) -> Case:
    allow = {
        method: roles
        for method, roles in zip(METHODS, (get, post, put, patch, delete), strict=True)
        if roles is not None
    }
    return Case(allow=allow, kwargs=kw or {}, **options)


def pk(attr: str, name: str = "pk") -> Callable:
    """URL kwargs {name: world.<attr>.pk}."""
    return lambda o: {name: getattr(o, attr).pk}


def so_code(o) -> dict:
    """URL kwargs of social organisation A (socialorgs: by its credit code)."""
    return {"credit_code": o.socialorg_a.credit_code}


def filing_a(o) -> dict:
    """URL kwargs of charity A's fundraising project (by its filing number)."""
    return {"filing_number": o.charity_project_a.filing_number}


def pledge_a(o) -> dict:
    """URL kwargs of res_a's pending online pledge to charity A's project."""
    return {**filing_a(o), "pledge_id": o.charity_pledge_a.pk}


def provider_a(**extra) -> Callable:
    return lambda o: {"pk": o.provider_a.pk, **{k: v(o) for k, v in extra.items()}}


# --- The matrix -----------------------------------------------------------------------------------

MATRIX: dict[str, list[Case]] = {
    # Site pages and preferences
    "healthz": [case(get=ALL, roles=("anon", "res_a", "admin"))],
    "set_language": [case(get=ALL, post=ALL, data={"POST": {"language": "zh-hans"}})],
    "elder-mode": [case(post=ALL)],
    "home": [case(get=ALL)],
    "privacy": [case(get=ALL)],
    "accessibility": [case(get=ALL)],
    "workbench-official": [case(get=OFF)],
    "workbench-provider": [case(get=PROV)],
    "api-schema": [case(get=ALL, roles=("anon", "admin"))],
    "api-docs": [case(get=ALL)],
    # Accounts (pages)
    "accounts:home": [case(get=AUTH)],
    "accounts:login": [case(get=ALL, post=ALL, fresh=True)],
    "accounts:logout": [case(post=ALL, fresh=True)],
    "accounts:signup": [case(get=ALL, post=ALL)],
    "accounts:me": [case(get=AUTH, post=AUTH)],
    "accounts:my-data": [case(get=AUTH)],
    "accounts:my-data-export": [case(get=AUTH)],
    "accounts:erase": [case(get=RES, post=RES)],
    "accounts:password-change": [case(get=AUTH, post=AUTH)],
    "accounts:password-change-done": [case(get=AUTH)],
    "accounts:password-reset": [case(get=ALL, post=ALL)],
    "accounts:password-reset-done": [case(get=ALL)],
    "accounts:password-reset-confirm": [
        case(get=ALL, post=ALL, kw={"uidb64": "MQ", "token": "set-password"})
    ],
    "accounts:password-reset-complete": [case(get=ALL)],
    "notifications:list": [case(get=AUTH)],
    "notifications:read": [case(post=AUTH)],
    # Accounts (API)
    "api-signup": [case(post=ALL)],
    "api-token": [case(post=ALL)],
    "api-me": [case(get=AUTH, patch=AUTH)],
    "api-my-data-export": [case(get=AUTH)],
    "api-my-data-erasure": [case(post=RES)],
    "division-list": [case(get=ALL)],
    "division-detail": [case(get=ALL, kw={"pk": "510107"})],
    # Providers (pages)
    "providers:verify": [case(get=ALL)],
    "providers:public-detail": [
        case(get=ALL, kw=pk("provider_a")),
        case(get=NONE, kw=pk("provider_draft"), label="a draft organisation"),
    ],
    "providers:logo": [case(get=ALL, kw=pk("provider_a"))],
    "providers:register": [case(get=ALL, post=ALL)],
    "providers:staff-home": [case(get=PROV)],
    "providers:staff-home-short": [case(get=PROV)],
    "providers:staff-detail": [case(get=A_PROV, kw=pk("provider_a"))],
    "providers:staff-edit": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "providers:staff-submit": [case(post=A_PROV, kw=pk("provider_a"))],
    "providers:branch-new": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "providers:branch-edit": [
        case(get=A_PROV, post=A_PROV, kw=provider_a(branch_id=lambda o: o.branch_a.pk)),
        case(
            get=NONE,
            post=NONE,
            kw=provider_a(branch_id=lambda o: o.branch_b.pk),
            label="B's branch under A's URL",
        ),
    ],
    "providers:licence-new": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "providers:licence-delete": [
        case(post=A_PROV, kw=provider_a(licence_id=lambda o: o.licence_a.pk))
    ],
    "providers:staff-list": [case(get=A_PROV, kw=pk("provider_a"))],
    "providers:staff-new": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "providers:staff-edit-member": [
        case(get=A_PROV, post=A_PROV, kw=provider_a(staff_id=lambda o: o.member_a.pk)),
        case(
            get=NONE,
            post=NONE,
            kw=provider_a(staff_id=lambda o: o.member_b.pk),
            label="B's staff under A's URL",
        ),
    ],
    "providers:certificate-new": [
        case(get=A_PROV, post=A_PROV, kw=provider_a(staff_id=lambda o: o.member_a.pk)),
        case(
            get=NONE,
            post=NONE,
            kw=provider_a(staff_id=lambda o: o.member_b.pk),
            label="B's staff under A's URL",
        ),
    ],
    "providers:licence-scan": [case(get=A_READERS, kw=pk("licence_a", "licence_id"))],
    "providers:official-list": [case(get=OFF)],
    "providers:review-queue": [case(get=OFF)],
    "providers:official-detail": [case(get=A_OFF, kw=pk("provider_a"))],
    "providers:official-decide": [
        case(post=A_OFF, kw=provider_a(action=lambda o: "approve")),
    ],
    # Providers (API)
    "provider-list": [case(get=ALL, post=PROV)],
    "provider-detail": [
        # Signed-in staff and officials get their own organisations / jurisdiction, everyone
        # else the approved ones (ProviderViewSet's rule), so B's people do not get A here.
        case(get=ALL - {"prov_b", "off_out"}, patch=A_PROV, kw=pk("provider_a")),
        case(get=A_READERS, patch=A_PROV, kw=pk("provider_draft"), label="a draft organisation"),
    ],
    "provider-branches": [case(get=ALL, post=A_PROV, kw=pk("provider_a"))],
    "provider-licences": [case(get=A_READERS, post=A_PROV, kw=pk("provider_a"))],
    "provider-review-events": [case(get=A_READERS, kw=pk("provider_a"))],
    "provider-staff": [
        case(get=ALL, post=A_PROV, kw=pk("provider_a")),
        # Everyone reads B's staff list, but only B's people and officials covering B in full.
        case(
            get=ALL,
            post=frozenset({"prov_b"}),
            kw=pk("provider_b"),
            label="provider B's staff",
        ),
    ],
    "provider-transitions": [case(post=A_READERS, kw=pk("provider_a"))],
    "api-certificate-create": [
        case(post=A_PROV, kw=pk("member_a", "staff_id")),
        case(post=frozenset({"prov_b"}), kw=pk("member_b", "staff_id"), label="B's staff"),
    ],
    "api-review-queue": [case(get=OFF)],
    "api-certificate-revoke": [case(post=A_OFF, kw=pk("certificate_a", "certificate_id"))],
    "api-certificate-delete": [case(delete=A_PROV, kw=pk("certificate_a", "certificate_id"))],
    "api-verify": [case(get=ALL, query="code=CHN-YL-AUTHZ-0001")],
    # Services (pages)
    "services:search": [case(get=ALL)],
    "services:public-detail": [
        case(get=ALL, kw=pk("listing_a", "listing_id")),
        case(get=NONE, kw=pk("listing_draft", "listing_id"), label="a draft listing"),
    ],
    "services:staff-listings": [case(get=A_PROV, kw=pk("provider_a"))],
    "services:listing-new": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "services:listing-edit": [
        case(get=A_PROV, post=A_PROV, kw=pk("listing_a", "listing_id")),
        case(get=A_PROV, post=A_PROV, kw=pk("listing_draft", "listing_id"), label="draft"),
    ],
    "services:schedule": [case(get=A_PROV, post=A_PROV, kw=pk("listing_a", "listing_id"))],
    "services:exception-new": [case(post=A_PROV, kw=pk("listing_a", "listing_id"))],
    "services:listing-status": [case(post=A_PROV, kw=pk("listing_a", "listing_id"))],
    "services:photo-new": [case(post=A_PROV, kw=pk("listing_a", "listing_id"))],
    "services:photo": [
        case(get=ALL, kw=pk("listing_photo", "photo_id")),
        case(get=A_PROV, kw=pk("draft_photo", "photo_id"), label="of a draft listing"),
    ],
    "services:book": [
        case(
            get=RES,
            post=RES,
            kw=lambda o: {"listing_id": o.listing_a.pk, "slot_id": o.slot_free.pk},
        )
    ],
    "services:plan-new": [case(get=RES, post=RES, kw=pk("listing_a", "listing_id"))],
    "services:package-buy": [case(post=RES, kw=pk("listing_a", "listing_id"))],
    "services:my-bookings": [case(get=RES)],
    "services:my-booking": [
        case(
            get=A_RES,
            post=A_RES,
            kw=pk("booking_active"),
            data={"POST": {"action": "cancel", "reason": "有事"}},
        )
    ],
    "services:my-family": [case(get=RES, post=RES)],
    "services:my-family-remove": [case(post=A_RES, kw=pk("dependant_a"))],
    "services:my-addresses": [case(get=RES, post=RES)],
    "services:my-address-delete": [case(post=A_RES, kw=pk("address_a"))],
    "services:my-plans": [case(get=RES)],
    "services:my-plan-status": [
        case(post=A_RES, kw=pk("plan_a"), data={"POST": {"status": "paused"}})
    ],
    "services:my-payments": [case(get=RES)],
    "services:my-doctor": [case(get=RES, post=RES)],
    "services:my-doctor-renew": [case(post=A_RES, kw=pk("contract_a"))],
    "services:sandbox-cashier": [
        case(get=A_RES, post=A_RES, kw=lambda o: {"reference": o.payment_pending.gateway_reference})
    ],
    "services:desk": [case(get=A_PROV, kw=pk("provider_a"))],
    "services:desk-calendar": [case(get=A_PROV, kw=pk("provider_a"))],
    "services:desk-export": [case(get=A_PROV, kw=pk("provider_a"))],
    "services:staff-booking": [case(get=A_PROV, kw=pk("booking_active"))],
    "services:desk-action": [
        case(post=A_PROV, kw=pk("booking_active"), data={"POST": {"action": "confirm"}})
    ],
    # Services (API)
    "api-search": [case(get=ALL)],
    "api-provider-listings": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "api-listing-bulk": [case(post=A_PROV, kw=pk("provider_a"))],
    "api-schedule-bulk": [case(post=A_PROV, kw=pk("provider_a"))],
    "api-listing-schedule": [case(get=A_PROV, put=A_PROV, kw=pk("listing_a", "listing_id"))],
    "api-listing-status": [case(post=A_PROV, kw=pk("listing_a", "listing_id"))],
    "api-provider-bookings": [case(get=A_PROV, kw=pk("provider_a"))],
    "api-provider-bookings-bulk": [case(post=A_PROV, kw=pk("provider_a"))],
    "api-my-payments": [case(get=RES)],
    "api-doctor-packages": [case(get=ALL)],
    # An unsigned gateway callback is refused whoever sends it.
    "api-gateway-callback": [case(post=NONE, kw={"gateway": "sandbox"})],
    "category-list": [case(get=ALL)],
    "category-detail": [case(get=ALL, kw={"pk": "elder_meals"})],
    "listing-list": [case(get=ALL)],
    "listing-detail": [
        case(get=ALL, kw=pk("listing_a")),
        case(get=NONE, kw=pk("listing_draft"), label="a draft listing"),
    ],
    "listing-slots": [
        case(get=ALL, kw=pk("listing_a")),
        case(get=NONE, kw=pk("listing_draft"), label="a draft listing"),
    ],
    "booking-list": [case(get=RES, post=RES)],
    "booking-detail": [case(get=A_RES, kw=pk("booking_active"))],
    "booking-cancel": [case(post=A_RES, kw=pk("booking_active"))],
    "booking-cancellation-quote": [case(get=A_RES, kw=pk("booking_active"))],
    "booking-reschedule": [case(post=A_RES, kw=pk("booking_active"))],
    "dependant-list": [case(get=RES, post=RES)],
    "dependant-detail": [case(delete=A_RES, kw=pk("dependant_a"))],
    "address-list": [case(get=RES, post=RES)],
    "address-detail": [case(get=A_RES, put=A_RES, delete=A_RES, kw=pk("address_a"))],
    "plan-list": [case(get=RES, post=RES)],
    "plan-detail": [case(get=A_RES, kw=pk("plan_a"))],
    "plan-set-status": [case(post=A_RES, kw=pk("plan_a"))],
    "contract-list": [case(get=RES, post=RES)],
    "contract-renew": [case(post=A_RES, kw=pk("contract_a"))],
    # Ratings: reviews
    "ratings:review-new": [case(get=A_RES, post=A_RES, kw=pk("booking_fresh"))],
    "ratings:listing-reviews": [case(get=ALL, kw=pk("listing_a", "listing_id"))],
    "ratings:review-report": [case(post=ALL, kw=pk("review_a"))],
    "ratings:review-photo": [
        case(get=ALL, kw=pk("review_photo", "photo_id")),
        case(
            get=A_RES | A_READERS,
            kw=pk("hidden_review_photo", "photo_id"),
            label="of a hidden review",
        ),
    ],
    "ratings:provider-reviews": [case(get=A_PROV, kw=pk("provider_a"))],
    "ratings:review-reply": [
        case(post=A_PROV, kw=provider_a(review_id=lambda o: o.review_a.pk)),
    ],
    "ratings:moderation": [case(get=OFF)],
    "ratings:review-moderate": [case(post=A_OFF, kw=pk("review_a"))],
    "api-review-create": [case(post=A_RES, kw=pk("booking_fresh"))],
    "api-listing-reviews": [case(get=ALL, kw=pk("listing_a", "listing_id"))],
    "api-review-reply": [case(post=A_PROV, kw=pk("review_a"))],
    "api-review-report": [case(post=ALL, kw=pk("review_a"))],
    "api-review-moderate": [case(post=A_OFF, kw=pk("review_a"))],
    # Ratings: inspections
    "ratings:inspections": [case(get=OFF)],
    "ratings:inspection-plan": [case(get=OFF, post=OFF)],
    "ratings:inspection-draw": [case(get=OFF, post=OFF)],
    "ratings:inspection-detail": [
        case(get=A_OFF, kw=pk("inspection_planned")),
        case(get=A_OFF, kw=pk("inspection_done"), label="completed"),
    ],
    "ratings:inspection-record": [case(get=A_OFF, post=A_OFF, kw=pk("inspection_planned"))],
    "ratings:inspection-rectified": [case(post=A_OFF, kw=pk("inspection_done"))],
    "ratings:provider-inspections": [case(get=A_PROV, kw=pk("provider_a"))],
    "ratings:inspection-photo": [case(get=A_READERS, kw=pk("inspection_photo", "photo_id"))],
    "api-inspections": [case(get=OFF, post=OFF)],
    "api-inspection-draw": [case(post=OFF)],
    "api-inspection": [case(get=A_OFF, kw=pk("inspection_planned"))],
    "api-inspection-record": [case(post=A_OFF, kw=pk("inspection_planned"))],
    "api-inspection-rectified": [case(post=A_OFF, kw=pk("inspection_done"))],
    "api-provider-grades": [case(get=ALL, kw=pk("provider_a"))],
    # Ratings: complaints
    "ratings:my-complaints": [case(get=RES)],
    "ratings:complaint-new": [case(get=RES, post=RES)],
    "ratings:my-complaint": [
        case(get=A_RES, post=A_RES, kw=pk("complaint_a"), data={"POST": {"action": "message"}})
    ],
    "ratings:complaint-file": [case(get=A_RES | A_OFF, kw=pk("complaint_file"))],
    "ratings:complaint-board": [case(get=OFF)],
    "ratings:complaint-official": [
        case(get=A_OFF, post=A_OFF, kw=pk("complaint_a"), data={"POST": {"action": "message"}})
    ],
    "ratings:provider-complaints": [case(get=A_PROV, kw=pk("provider_a"))],
    "ratings:complaint-staff": [case(get=A_PROV, post=A_PROV, kw=pk("complaint_a"))],
    "complaint-list": [case(get=AUTH, post=RES)],
    "complaint-detail": [case(get=A_RES | A_READERS, kw=pk("complaint_a"))],
    "complaint-messages": [
        case(get=A_RES | A_READERS, post=A_RES | A_READERS, kw=pk("complaint_a")),
        # Once an official took the case, the others covering it read but do not write.
        case(
            get=A_RES | A_READERS,
            post=A_RES | A_PROV | {"off_in"},
            kw=pk("complaint_handled"),
            label="handled by off_in",
        ),
    ],
    "complaint-rate": [case(post=A_RES, kw=pk("complaint_a"))],
    "complaint-transition": [case(post=A_OFF, kw=pk("complaint_a"))],
    # Ratings: credit and quality
    "ratings:credit-public-lists": [case(get=ALL)],
    "ratings:credit-lists": [case(get=OFF)],
    "ratings:credit-appeals": [case(get=OFF)],
    "ratings:credit-appeal-decide": [case(post=A_OFF, kw=pk("appeal_a", "appeal_id"))],
    "ratings:credit-official": [case(get=A_OFF, kw=pk("provider_a"))],
    "ratings:credit-commend": [case(post=A_OFF, kw=pk("provider_a"))],
    "ratings:credit-list-add": [case(post=A_OFF, kw=pk("provider_a"))],
    "ratings:credit-list-remove": [
        case(post=A_OFF, kw=provider_a(entry_id=lambda o: o.entry_a.pk))
    ],
    "ratings:credit-provider": [case(get=A_PROV, post=A_PROV, kw=pk("provider_a"))],
    "ratings:credit-appeal-evidence": [case(get=A_READERS, kw=pk("appeal_a", "appeal_id"))],
    "ratings:dashboard": [case(get=OFF)],
    "ratings:dashboard-export": [case(get=OFF, kw={"table": "complaints"})],
    "ratings:provider-quality": [case(get=A_PROV, kw=pk("provider_a"))],
    "api-credit-lists": [case(get=ALL, post=OFF)],
    "api-credit-list-remove": [case(post=A_OFF, kw=pk("entry_a", "entry_id"))],
    "api-credit-appeals": [case(post=PROV)],
    "api-credit-appeal-decide": [case(post=A_OFF, kw=pk("appeal_a", "appeal_id"))],
    "api-provider-credit": [case(get=A_READERS, kw=pk("provider_a"))],
    "api-provider-credit-commend": [case(post=A_OFF, kw=pk("provider_a"))],
    # Matching
    "matching:my-needs": [case(get=RES)],
    "matching:need-new": [case(get=RES, post=RES)],
    "matching:my-need": [case(get=A_RES, kw=pk("need_a"))],
    "matching:need-progress": [case(get=A_RES, kw=pk("need_a"))],
    "matching:need-withdraw": [case(post=A_RES, kw=pk("need_a"))],
    "matching:candidate-accept": [case(post=A_RES, kw=pk("candidate_a"))],
    "matching:candidate-decline": [case(post=A_RES, kw=pk("candidate_a"))],
    "matching:proxy-needs": [case(get=OFF)],
    "matching:proxy-need-new": [case(get=OFF, post=OFF)],
    "matching:proxy-need": [case(get=frozenset({"off_in"}), kw=pk("proxy_need"))],
    "matching:leads": [case(get=A_PROV, kw=pk("provider_a"))],
    "matching:lead-respond": [case(post=A_PROV, kw=pk("candidate_a"))],
    "matching:gaps": [case(get=OFF)],
    "matching:gaps-export": [case(get=OFF)],
    "need-list": [case(get=RES | OFF, post=RES | OFF)],
    "need-detail": [
        case(get=A_RES, kw=pk("need_a")),
        case(get=frozenset({"off_in"}), kw=pk("proxy_need"), label="an official's 代办 need"),
    ],
    "need-withdraw": [case(post=A_RES, kw=pk("need_a"))],
    "candidate-accept": [case(post=A_RES, kw=pk("candidate_a"))],
    "candidate-decline": [case(post=A_RES, kw=pk("candidate_a"))],
    "candidate-respond": [case(post=A_PROV, kw=pk("candidate_a"))],
    "provider-leads": [case(get=A_PROV, kw=pk("provider_a"))],
    # Open data (pages)
    "opendata:catalogue": [case(get=ALL)],
    "opendata:open-list": [case(get=ALL)],
    "opendata:agreement": [case(get=ALL)],
    "opendata:dataset": [case(get=ALL, kw={"slug": "credit-lists"})],
    # Officials get the form too: posting it tells them why they cannot apply (the service's
    # refusal, shown on the page), and nothing is saved.
    "opendata:apply": [case(get=AUTH, post=AUTH, kw={"slug": "complaint-cases"})],
    "opendata:my-applications": [case(get=AUTH)],
    "opendata:application": [case(get=A_PROV, kw=pk("application_a"))],
    "opendata:key-issue": [case(post=A_PROV, kw=pk("application_a"))],
    "opendata:console": [case(get=OFF)],
    "opendata:dataset-edit": [
        case(get=STEWARDS & OFF, post=STEWARDS & OFF, kw={"slug": "complaint-cases"})
    ],
    "opendata:run-now": [case(post=STEWARDS & OFF, kw={"slug": "complaint-cases"})],
    "opendata:run": [case(get=STEWARDS & OFF, kw=pk("run"))],
    "opendata:run-progress": [case(get=STEWARDS & OFF, kw=pk("run"))],
    "opendata:application-review": [
        case(get=STEWARDS & OFF, post=STEWARDS & OFF, kw=pk("application_a"))
    ],
    "opendata:key-revoke": [case(post=STEWARDS & OFF, kw=pk("api_key"))],
    # Open data (API): the workflow needs an account, the public API none.
    "api-opendata-applications": [case(get=AUTH, post=AUTH - OFF)],
    "api-opendata-decide": [case(post=STEWARDS, kw=pk("application_a"))],
    "api-opendata-key": [case(post=A_PROV, kw=pk("application_a"))],
    "api-opendata-run-create": [case(post=STEWARDS, kw={"slug": "complaint-cases"})],
    "api-opendata-run": [case(get=STEWARDS, kw=pk("run"))],
    "open-datasets": [case(get=ALL)],
    "open-dataset": [case(get=ALL, kw={"slug": "credit-lists"})],
    "open-releases": [case(get=ALL, kw={"slug": "credit-lists"})],
    "open-release": [case(get=ALL, kw={"slug": "credit-lists", "version": "1"})],
    "open-file": [
        case(get=ALL, kw=lambda o: {"slug": "credit-lists", "version": "1", "name": o.open_file}),
        case(
            get=NONE,
            kw={"slug": "complaint-cases", "version": "1", "name": "complaint_cases.csv"},
            label="a conditional dataset without a key",
        ),
    ],
    "open-catalog-jsonld": [case(get=ALL)],
    "open-catalog-turtle": [case(get=ALL)],
    "hsds-services": [case(get=ALL)],
    "hsds-service": [case(get=ALL, kw=lambda o: {"pk": o.hsds_service})],
    "hsds-organizations": [case(get=ALL)],
    "hsds-organization": [
        case(get=ALL, kw=lambda o: {"pk": str(o.provider_a.pk)}),
        case(get=NONE, kw=lambda o: {"pk": str(o.provider_draft.pk)}, label="a draft one"),
    ],
    "hsds-locations": [case(get=ALL)],
    "hsds-location": [case(get=ALL, kw=lambda o: {"pk": o.hsds_location})],
    # Volunteers (API): res_a is a volunteer; prov_a owns the approved volunteer organisation
    # A (and a second one under review); its activity, res_a's accepted sign-up, an hour record.
    "api-volunteer-me": [case(get=A_RES, post=RES)],
    "api-volunteer-my-signups": [case(get=RES)],
    "api-volunteer-my-hours": [case(get=RES)],
    "api-volunteer-public": [case(get=ALL, kw=pk("volunteer_a"))],
    "api-volorg-list": [case(get=ALL, post=RES | PROV)],
    "api-volorg-detail": [
        case(get=ALL, kw=pk("vol_org_a")),
        case(get=A_PROV | A_OFF, kw=pk("vol_org_pending"), label="an organisation under review"),
    ],
    "api-volorg-decide": [case(post=A_OFF, kw=pk("vol_org_pending"))],
    "api-volorg-members": [case(get=A_PROV | A_OFF, post=A_PROV, kw=pk("vol_org_a"))],
    "api-volorg-activities": [case(get=A_PROV, post=A_PROV, kw=pk("vol_org_a"))],
    "api-activity-search": [case(get=ALL)],
    "api-activity-detail": [case(get=ALL, kw=pk("vol_activity_a"))],
    "api-activity-signups": [case(get=A_PROV, post=RES, kw=pk("vol_activity_a"))],
    "api-activity-code": [case(get=A_PROV, kw=pk("vol_activity_a"))],
    "api-activity-checkin": [case(post=RES, kw=pk("vol_activity_a"))],
    "api-signup-decide": [case(post=A_PROV, kw=pk("vol_signup_a"))],
    "api-signup-cancel": [case(post=A_RES | A_PROV, kw=pk("vol_signup_a"))],
    "api-signup-attendance": [case(post=A_PROV, kw=pk("vol_signup_a"))],
    "api-hours-confirm": [case(post=A_PROV, kw=pk("vol_hours_a"))],
    # Volunteers: the pages of residents and organisers. res_a is registered (the registration
    # page then shows her number) and accepted for vol_activity_a; res_b is not registered (a
    # sign-up sends her to registration). Residents and provider staff run organisations.
    "volunteers:home": [case(get=ALL)],
    "volunteers:register": [case(get=RES, post=RES)],
    "volunteers:me": [case(get=RES)],
    "volunteers:checkin": [case(get=RES, post=RES)],
    "volunteers:activity": [case(get=ALL, post=RES, kw=pk("vol_activity_a"))],
    "volunteers:activity-manage": [case(get=A_PROV, kw=pk("vol_activity_a"))],
    "volunteers:activity-code": [case(get=A_PROV, kw=pk("vol_activity_a"))],
    "volunteers:activity-qr": [case(get=A_PROV, kw=pk("vol_activity_a"))],
    # Without a reason nothing is cancelled: the refusal shows on the desk (the world stays).
    "volunteers:activity-cancel": [case(post=A_PROV, kw=pk("vol_activity_a"))],
    "volunteers:signup-cancel": [case(post=A_RES | A_PROV, kw=pk("vol_signup_a"))],
    "volunteers:signup-action": [
        case(post=A_PROV, kw=pk("vol_signup_a"), data={"POST": {"action": "reject"}})
    ],
    "volunteers:signup-contact": [case(post=A_PROV, kw=pk("vol_signup_a"))],
    "volunteers:organisation-new": [case(get=RES | PROV, post=RES | PROV)],
    "volunteers:organisation-mine": [case(get=RES | PROV)],
    "volunteers:organisation-manage": [
        case(get=A_PROV, post=A_PROV, kw=pk("vol_org_a")),
        case(get=A_PROV, post=A_PROV, kw=pk("vol_org_pending"), label="under review"),
    ],
    # Volunteers: recognition and the officials' pages. res_a's public profile (by number) and
    # record; commendations by the officials covering her; the ranking; the officials'
    # dashboard, its CSV exports and the review of vol_org_pending.
    "volunteers:ranking": [case(get=ALL)],
    "volunteers:profile": [case(get=ALL, kw=lambda o: {"number": o.volunteer_a.number})],
    "volunteers:commend": [case(post=A_OFF, kw=lambda o: {"number": o.volunteer_a.number})],
    "volunteers:official-dashboard": [case(get=OFF)],
    "volunteers:official-hours-csv": [case(get=OFF)],
    "volunteers:official-roster-csv": [case(get=OFF)],
    "volunteers:official-organisations": [case(get=OFF)],
    "volunteers:official-organisation": [
        case(get=A_OFF, post=A_OFF, kw=pk("vol_org_pending")),
        case(get=A_OFF, post=A_OFF, kw=pk("vol_org_a"), label="an approved organisation"),
    ],
    "api-volunteer-record": [case(get=ALL, kw=pk("volunteer_a"))],
    "api-volunteer-commendations": [case(get=ALL, post=A_OFF, kw=pk("volunteer_a"))],
    "api-volunteer-ranking": [case(get=ALL, query="district=510107")],
    "api-volunteer-stats": [case(get=OFF)],
    # Volunteers: disputes and certificates. res_a disputes vol_hours_a (vol_dispute_a) and
    # holds vol_certificate_a (code AUTH-ZCHK-2345); prov_a manages the activity's organisation.
    # Issuing is for volunteers (res_a): res_b, a resident only, is refused before her input.
    "volunteers:certificates": [case(get=RES, post=A_RES)],
    "volunteers:certificate-pdf": [case(get=A_RES, kw=pk("vol_certificate_a"))],
    "volunteers:certificate-revoke": [case(post=A_RES, kw=pk("vol_certificate_a"))],
    "volunteers:verify": [
        case(get=ALL),
        case(get=ALL, query="code=auth-zchk-2345", label="a valid code"),
    ],
    "volunteers:dispute-raise": [case(get=A_RES, post=A_RES, kw=pk("vol_hours_a"))],
    "volunteers:org-disputes": [
        case(
            get=A_PROV,
            post=A_PROV,
            kw=pk("vol_org_a"),
            data={"POST": lambda o: {"dispute": o.vol_dispute_a.pk}},
        )
    ],
    "api-vol-dispute-raise": [case(post=A_RES, kw=pk("vol_hours_a"))],
    "api-vol-my-disputes": [case(get=RES)],
    "api-vol-org-disputes": [case(get=A_PROV, kw=pk("vol_org_a"))],
    "api-vol-dispute-resolve": [case(post=A_PROV, kw=pk("vol_dispute_a"))],
    "api-vol-my-certificates": [case(get=RES, post=A_RES)],
    "api-vol-certificate-pdf": [case(get=A_RES, kw=pk("vol_certificate_a"))],
    "api-vol-certificate-revoke": [case(post=A_RES, kw=pk("vol_certificate_a"))],
    "api-vol-certificate-verify": [case(get=ALL, query="code=AUTH-ZCHK-2345")],
    # Volunteers: the time bank. res_a's eldercare hours are banked (tb_account_a); organisation
    # A (prov_a) lists tb_service_a and res_a asked for it for herself (tb_redemption_a).
    # Transfers and redemptions are for volunteers (res_a): res_b is refused before her input.
    "volunteers:timebank": [case(get=RES, post=A_RES)],
    "volunteers:timebank-services": [case(get=ALL)],
    "volunteers:timebank-redeem": [case(get=RES, post=A_RES, kw=pk("tb_service_a"))],
    "volunteers:timebank-service-status": [case(post=A_PROV, kw=pk("tb_service_a"))],
    "volunteers:org-redemption": [case(get=A_PROV, kw=pk("tb_redemption_a"))],
    "volunteers:org-redemption-contact": [case(post=A_PROV, kw=pk("tb_redemption_a"))],
    "volunteers:timebank-redemption-cancel": [case(post=A_RES | A_PROV, kw=pk("tb_redemption_a"))],
    "volunteers:timebank-redemption-fulfil": [case(post=A_PROV, kw=pk("tb_redemption_a"))],
    "volunteers:org-redemptions": [case(get=A_PROV, kw=pk("vol_org_a"))],
    "volunteers:org-timebank-services": [case(get=A_PROV, post=A_PROV, kw=pk("vol_org_a"))],
    "api-timebank-me": [case(get=RES)],
    "api-timebank-statement": [case(get=A_RES, kw=pk("tb_account_a"))],
    "api-timebank-transfer": [case(post=A_RES)],
    "api-timebank-services": [case(get=ALL)],
    "api-timebank-service": [case(patch=A_PROV, kw=pk("tb_service_a"))],
    "api-volorg-timebank-services": [case(get=A_PROV, post=A_PROV, kw=pk("vol_org_a"))],
    "api-timebank-redemptions": [case(get=RES, post=A_RES)],
    "api-timebank-redemption-fulfil": [case(post=A_PROV, kw=pk("tb_redemption_a"))],
    "api-timebank-redemption-cancel": [case(post=A_RES | A_PROV, kw=pk("tb_redemption_a"))],
    "api-volorg-redemptions": [case(get=A_PROV, kw=pk("vol_org_a"))],
    # Social organisations, the registry: prov_a owns socialorg_a (武侯区), with a submitted
    # annual report and a 4A evaluation. 民政 covering it (off_in, off_city) manages it; off_out
    # is 锦江区 卫健. The public reads 一网通查.
    "socialorgs:search": [case(get=ALL)],
    "socialorgs:detail": [case(get=ALL, kw=so_code)],
    "socialorgs:official-home": [case(get=OFF)],
    "socialorgs:official-register": [case(get=A_OFF, post=A_OFF)],
    "socialorgs:official-org": [case(get=A_OFF, kw=so_code)],
    "socialorgs:official-edit": [case(get=A_OFF, post=A_OFF, kw=so_code)],
    "socialorgs:official-status": [case(get=A_OFF, post=A_OFF, kw=so_code)],
    "socialorgs:official-charity": [case(get=A_OFF, post=A_OFF, kw=so_code)],
    "socialorgs:official-owner": [case(get=A_OFF, post=A_OFF, kw=so_code)],
    "socialorgs:official-legal-rep": [case(post=A_OFF, kw=so_code)],
    "socialorgs:official-evaluate": [case(get=A_OFF, post=A_OFF, kw=so_code)],
    "socialorgs:official-evaluation-revoke": [case(post=A_OFF, kw=pk("so_evaluation_a"))],
    "socialorgs:official-reports": [case(get=OFF)],
    "socialorgs:official-report": [case(get=A_OFF, post=A_OFF, kw=pk("so_report_a"))],
    "socialorgs:mine": [case(get=RES | PROV)],
    "socialorgs:mine-org": [case(get=A_PROV, post=A_PROV, kw=so_code)],
    "socialorgs:mine-report": [
        case(
            get=A_PROV,
            post=A_PROV,
            kw=lambda o: {"credit_code": o.socialorg_a.credit_code, "year": o.so_report_a.year},
        )
    ],
    "api-socialorg-list": [case(get=ALL, post=A_OFF)],
    "api-socialorg-detail": [case(get=ALL, patch=A_OFF, kw=so_code)],
    "api-socialorg-status": [case(post=A_OFF, kw=so_code)],
    "api-socialorg-charity": [case(post=A_OFF, kw=so_code)],
    "api-socialorg-owner": [case(post=A_OFF, kw=so_code)],
    "api-socialorg-members": [case(get=A_PROV | A_OFF, post=A_PROV, kw=so_code)],
    "api-socialorg-reports": [case(get=A_PROV | A_OFF, post=A_PROV, kw=so_code)],
    "api-socialorg-evaluations": [case(get=ALL, post=A_OFF, kw=so_code)],
    "api-socialorg-report-review": [case(post=A_OFF, kw=pk("so_report_a"))],
    "api-socialorg-evaluation-revoke": [case(post=A_OFF, kw=pk("so_evaluation_a"))],
    # Charity: prov_a owns charity_a (武侯区, 公开募捐资格) and its project with an anonymous
    # donation and a disbursement. The public reads the flow; residents donate online; the
    # desk is prov_a's; 民政 covering it reads the ledger with real names.
    "socialorgs:charity-list": [case(get=ALL)],
    "socialorgs:charity-org": [
        case(get=ALL, kw=lambda o: {"credit_code": o.charity_a.credit_code})
    ],
    "socialorgs:charity-project": [case(get=ALL, kw=filing_a)],
    "socialorgs:charity-donate": [case(get=RES, post=RES, kw=filing_a)],
    "socialorgs:charity-desk": [case(get=AUTH)],
    "socialorgs:charity-project-new": [case(get=A_PROV, post=A_PROV, kw=pk("charity_a"))],
    "socialorgs:charity-disclosures": [case(get=A_PROV, post=A_PROV, kw=pk("charity_a"))],
    "socialorgs:charity-ledger": [
        case(get=A_PROV, post=A_PROV, kw=filing_a),
        case(get=A_PROV, kw=filing_a, query="reveal=pledges", label="pledge donors revealed"),
    ],
    "socialorgs:charity-project-close": [case(post=A_PROV, kw=filing_a)],
    "socialorgs:charity-official": [case(get=OFF)],
    "socialorgs:charity-official-project": [case(get=A_OFF, kw=filing_a)],
    "api-charity-projects": [case(get=ALL)],
    "api-charity-project": [case(get=ALL, kw=filing_a)],
    "api-charity-verify": [case(get=ALL, kw=filing_a)],
    "api-charity-flow": [case(get=ALL, kw=filing_a)],
    "api-charity-donate": [case(post=RES, kw=filing_a)],
    "api-charity-entries": [case(post=A_PROV, kw=filing_a)],
    # res_a pledged online to charity A's project (charity_pledge_a): prov_a confirms or
    # cancels it, res_a may withdraw it; res_b lists only her own pledges.
    "api-charity-my-pledges": [case(get=RES)],
    "api-charity-pledge-confirm": [case(post=A_PROV, kw=pledge_a)],
    "api-charity-pledge-cancel": [case(post=A_RES | A_PROV, kw=pledge_a)],
    # Social organisations, credit and complaints: socialorg_a is on 活动异常名录 (so_entry_a);
    # an exposure in 武侯区 (so_illegal_a); res_a's complaint about socialorg_a
    # (so_complaint_a), answered by prov_a, its owner. 民政 covering it (off_in, off_city) acts;
    # off_out (锦江区 卫健) neither sees the desk nor acts.
    "socialorgs:lists": [case(get=ALL)],
    "socialorgs:illegal": [case(get=ALL)],
    "socialorgs:complain": [case(get=RES, post=RES, kw=so_code)],
    "socialorgs:report-illegal": [case(get=RES, post=RES)],
    "socialorgs:org-complaints": [case(get=RES | PROV)],
    "socialorgs:org-complaint": [case(get=A_PROV, post=A_PROV, kw=pk("so_complaint_a"))],
    "socialorgs:credit-home": [case(get=OFF)],
    "socialorgs:credit-desk": [case(get=A_OFF, post=A_OFF, kw=so_code)],
    "socialorgs:credit-list-remove": [case(post=A_OFF, kw=pk("so_entry_a"))],
    "socialorgs:illegal-manage": [case(get=OFF, post=A_OFF)],
    "socialorgs:illegal-status": [case(post=A_OFF, kw=pk("so_illegal_a"))],
    "api-socialorg-credit-lists": [case(get=ALL)],
    "api-socialorg-illegal": [case(get=ALL, post=A_OFF)],
    "api-socialorg-illegal-status": [case(post=A_OFF, kw=pk("so_illegal_a"))],
    "api-socialorg-penalties": [case(post=A_OFF, kw=so_code)],
    "api-socialorg-licences": [case(post=A_OFF, kw=so_code)],
    "api-socialorg-list-entries": [case(post=A_OFF, kw=so_code)],
    "api-socialorg-list-entry-remove": [case(post=A_OFF, kw=pk("so_entry_a"))],
    "api-socialorg-complaint": [case(post=RES, kw=so_code)],
    # Social work: prov_a owns socialorg_a, its active project (sw_project_a) and its social
    # worker (sw_worker_a); res_a accepted sw_project_a for her request (sw_request_a); a draft
    # catalogue item of 武侯区 (sw_item_a) for the 民政 officials covering it (off_out: 卫健).
    "socialorgs:socialwork-map": [case(get=ALL)],
    "socialorgs:project-detail": [case(get=ALL, kw=pk("sw_project_a"))],
    "socialorgs:sw-catalogue": [case(get=ALL)],
    "socialorgs:sw-org": [case(get=ALL, kw=so_code)],
    "socialorgs:sw-requests": [case(get=RES)],
    "socialorgs:sw-request-new": [case(get=RES, post=RES)],
    "socialorgs:sw-request": [case(get=A_RES, post=A_RES, kw=pk("sw_request_a"))],
    "socialorgs:sw-review": [case(get=A_RES, post=A_RES, kw=pk("sw_request_a"))],
    "socialorgs:sw-desk": [case(get=A_PROV, kw=so_code)],
    "socialorgs:sw-workers": [case(get=A_PROV, post=A_PROV, kw=so_code)],
    "socialorgs:sw-project-new": [case(get=A_PROV, post=A_PROV, kw=so_code)],
    "socialorgs:sw-worker": [case(get=A_PROV, post=A_PROV, kw=pk("sw_worker_a"))],
    "socialorgs:sw-project": [case(get=A_PROV, post=A_PROV, kw=pk("sw_project_a"))],
    "socialorgs:sw-project-status": [case(post=A_PROV, kw=pk("sw_project_a"))],
    "socialorgs:sw-org-request": [case(get=A_PROV, post=A_PROV, kw=pk("sw_request_a"))],
    "socialorgs:sw-official-catalogue": [case(get=A_OFF, post=A_OFF)],
    "socialorgs:sw-catalogue-status": [case(post=A_OFF, kw=pk("sw_item_a"))],
    # Review moderation: sw_review_a (res_a's, of sw_project_a) is held for the 民政 officials
    # covering 武侯区; sw_review_pub_a (another resident's) is published, any resident may
    # report it.
    "socialorgs:sw-review-moderation": [case(get=A_OFF)],
    "socialorgs:sw-review-moderate": [case(post=A_OFF, kw=pk("sw_review_a"))],
    "socialorgs:sw-review-report": [case(post=RES, kw=pk("sw_review_pub_a"))],
    "api-sw-projects": [case(get=ALL)],
    "api-sw-project": [case(get=ALL, kw=pk("sw_project_a"))],
    "api-sw-project-publish": [case(post=A_PROV, kw=pk("sw_project_a"))],
    "api-sw-project-close": [case(post=A_PROV, kw=pk("sw_project_a"))],
    "api-sw-catalogue": [case(get=ALL)],
    "api-sw-org": [case(get=ALL, kw=so_code)],
    "api-sw-org-projects": [case(get=A_PROV, post=A_PROV, kw=so_code)],
    "api-sw-org-workers": [case(get=A_PROV, post=A_PROV, kw=so_code)],
    "api-sw-org-requests": [case(get=A_PROV, kw=so_code)],
    "api-sw-worker": [case(patch=A_PROV, kw=pk("sw_worker_a"))],
    "api-sw-requests": [case(get=RES, post=RES)],
    "api-sw-request": [case(get=A_RES, kw=pk("sw_request_a"))],
    "api-sw-request-accept": [case(post=A_RES, kw=pk("sw_request_a"))],
    "api-sw-request-decline": [case(post=A_RES, kw=pk("sw_request_a"))],
    "api-sw-request-cancel": [case(post=A_RES, kw=pk("sw_request_a"))],
    "api-sw-request-review": [case(post=A_RES, kw=pk("sw_request_a"))],
    "api-sw-org-request": [case(get=A_PROV, kw=pk("sw_request_a"))],
    "api-sw-org-request-decline": [case(post=A_PROV, kw=pk("sw_request_a"))],
    "api-sw-org-request-complete": [case(post=A_PROV, kw=pk("sw_request_a"))],
    "api-sw-official-catalogue": [case(get=A_OFF, post=A_OFF)],
    "api-sw-catalogue-publish": [case(post=A_OFF, kw=pk("sw_item_a"))],
    "api-sw-catalogue-withdraw": [case(post=A_OFF, kw=pk("sw_item_a"))],
    "api-sw-official-reviews": [case(get=A_OFF)],
    "api-sw-review-moderate": [case(post=A_OFF, kw=pk("sw_review_a"))],
    "api-sw-review-report": [case(post=RES, kw=pk("sw_review_pub_a"))],
}


# --- The world: A's objects, built once ---------------------------------------------------------


@dataclass
class Marker:
    """A piece of A's private data and the roles that may ever see it."""

    text: str
    audience: frozenset

    def found_in(self, body: bytes) -> bool:
        escaped = json.dumps(self.text)[1:-1]  # JsonResponse escapes non-ASCII
        return self.text.encode() in body or escaped.encode() in body


class World:
    """Attributes are the objects the matrix names; `users` by role; `markers`."""


def build_world() -> World:
    o = World()
    today = timezone.localdate()
    catalogue_sync()
    o.users = {
        "res_a": UserFactory(phone="+8613800000101", name="王芳", email="wangfang@example.cn"),
        "res_b": UserFactory(phone="+8613800000199", name="李明", email="liming@example.cn"),
        "off_in": OfficialFactory(name="赵敏", jurisdiction_id="510107"),
        "off_out": OfficialFactory(
            name="孙丽", jurisdiction_id="510104", department=User.Department.HEALTH
        ),
        "off_city": OfficialFactory(name="周强", jurisdiction_id="510100"),
        "admin": UserFactory(role=User.Role.ADMIN, is_staff=True, is_superuser=True, name="管理员"),
    }
    res_a = o.users["res_a"]
    o.provider_a = ProviderFactory(name="幸福里养老服务中心", division_id="510107")
    o.provider_a.logo.save("logo.png", ContentFile(PNG_BYTES), save=True)
    o.provider_b = ProviderFactory(
        name="小橡树托育中心", division_id="510104", domains=["childcare"]
    )
    o.provider_draft = ProviderFactory(
        name="草稿养老服务站", division_id="510107", status=Provider.Status.DRAFT
    )
    staff_a = MembershipFactory(provider=o.provider_a, user__name="张伟").user
    o.users["prov_a"] = staff_a
    o.users["prov_b"] = MembershipFactory(provider=o.provider_b, user__name="刘洋").user
    MembershipFactory(provider=o.provider_draft, user=staff_a)

    # Provider A's and B's records.
    o.member_a = StaffMemberFactory(provider=o.provider_a, name="欧阳晓敏")
    o.member_b = StaffMemberFactory(provider=o.provider_b, name="司马小红")
    o.certificate_a = CertificateFactory(staff=o.member_a, number="CHN-YL-AUTHZ-0001")
    o.listing_a = public_listing(o.provider_a, price_fen=1500)
    o.branch_a = o.listing_a.branch
    o.branch_b = BranchFactory(provider=o.provider_b, address="锦江区某路1号")
    o.licence_a = o.provider_a.licences.first()
    o.listing_draft = ListingFactory(branch=o.branch_a, status=Listing.Status.DRAFT)
    o.listing_photo = ListingPhoto.objects.create(
        listing=o.listing_a, image=ContentFile(PNG_BYTES, name="p.png"), content_type="image/png"
    )
    o.draft_photo = ListingPhoto.objects.create(
        listing=o.listing_draft,
        image=ContentFile(PNG_BYTES, name="d.png"),
        content_type="image/png",
    )
    later = (timezone.now() + dt.timedelta(days=10)).replace(minute=0, second=0, microsecond=0)
    o.slot_free = SlotFactory(listing=o.listing_a, starts_at=later, capacity=5)

    # Resident A's records.
    o.dependant_a = DependantFactory(owner=res_a, name="欧阳建国")
    o.address_a = AddressFactory(owner=res_a, detail="隐私测试街 88 号 3 栋 501")
    o.booking_active = book(
        res_a,
        SlotFactory(listing=o.listing_a, starts_at=o.slot_free.starts_at + dt.timedelta(days=1)),
        note="门禁密码 4721",
    )
    o.payment_pending = o.booking_active.payments.get(status=Payment.Status.PENDING)
    o.booking_done = completed_booking(res_a, o.provider_a, staff_a, listing=o.listing_a)
    o.booking_hidden = completed_booking(res_a, o.provider_a, staff_a, listing=o.listing_a)
    o.booking_fresh = completed_booking(res_a, o.provider_a, staff_a, listing=o.listing_a)
    o.review_a = review_row(o.booking_done, overall=5)
    o.review_photo = ReviewPhoto.objects.create(
        review=o.review_a, image=ContentFile(PNG_BYTES, name="r.png"), content_type="image/png"
    )
    hidden = review_row(o.booking_hidden, overall=1, status=Review.Status.HIDDEN)
    Review.objects.filter(pk=hidden.pk).update(text="泄露测试隐藏评价")
    o.hidden_review_photo = ReviewPhoto.objects.create(
        review=hidden, image=ContentFile(PNG_BYTES, name="h.png"), content_type="image/png"
    )
    o.plan_a = plans.plan_create(
        resident=res_a,
        listing=o.listing_a,
        data={"weekdays": [(today + dt.timedelta(days=20)).weekday()], "start_time": dt.time(9)},
    )
    clinic = ProviderFactory(name="浆洗街社区卫生服务中心", domains=["health"])
    Provider.objects.filter(pk=clinic.pk).update(approved_domains=["health"])
    clinic.refresh_from_db()
    LicenceFactory(provider=clinic, kind="medical_practice", issuer="成都市武侯区卫健局")
    package = FamilyDoctorPackage.objects.create(provider=clinic, name="基础签约包", term_months=12)
    o.contract_a = doctor.contract_sign(resident=res_a, package=package)
    o.complaint_a = file_complaint(
        res_a,
        provider=o.provider_a,
        booking=o.booking_done,
        description="泄露测试投诉描述：护理员多次迟到。",
        files=[evidence()],
    )
    o.complaint_file = o.complaint_a.files.get()
    o.complaint_handled = file_complaint(
        res_a, provider=o.provider_a, category=Complaint.Category.FEES, description="收费不透明"
    )
    Complaint.objects.filter(pk=o.complaint_handled.pk).update(handler=o.users["off_in"])
    o.need_a = NeedFactory(resident=res_a, address=o.address_a)
    o.candidate_a = proposals(o.need_a, [(o.listing_a, o.slot_free)])[0]
    o.proxy_need = NeedFactory(
        resident=o.users["off_in"],
        proxy_name="欧阳秀英",
        proxy_phone="13800009999",
        proxy_address="泄露测试代办住址 9 号",
    )

    # Officials' records about provider A.
    o.inspection_planned = InspectionFactory(provider=o.provider_a, inspector=o.users["off_in"])
    o.inspection_done = InspectionFactory(
        provider=o.provider_a,
        inspector=o.users["off_in"],
        status=Inspection.Status.COMPLETED,
        inspected_on=today,
        score=50,
        passed=False,
        findings="泄露测试检查发现",
        rectification_due=today + dt.timedelta(days=30),
    )
    o.inspection_photo = InspectionPhoto.objects.create(
        inspection=o.inspection_done,
        image=ContentFile(PNG_BYTES, name="i.png"),
        content_type="image/png",
    )
    GradeFactory(provider=o.provider_a, awarded_by=o.users["off_in"])
    event = CreditEventFactory(provider=o.provider_a)
    o.entry_a = CreditListEntryFactory(
        provider=o.provider_a, list=CreditListEntry.List.RED, created_by=o.users["off_in"]
    )
    o.appeal_a = CreditAppealFactory(
        event=event,
        submitted_by=staff_a,
        statement="泄露测试申诉陈述",
        evidence=ContentFile(b"%PDF-1.4\n%%EOF\n", name="appeal.pdf"),
        evidence_type="application/pdf",
    )

    # Open data: provider A applies for the conditional dataset; a run; a public release.
    cases = Dataset.objects.get(slug="complaint-cases")
    o.application_a = access.application_submit(
        dataset=cases,
        applicant=staff_a,
        organisation_name="幸福里研究部",
        credit_code=o.provider_a.credit_code,
        purpose="泄露测试申请用途",
        fields=["district"],
        duration_days=30,
        security_measures="专人管理，加密存储。",
        agreement_accepted=True,
        field_names=["district", "month"],
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = releases.run_request(dataset=Dataset.objects.get(slug="credit-lists"))
    run.refresh_from_db()
    assert run.release is not None, run.error or run.gate_report
    o.open_file = run.release.files.first().name
    o.run = releases.run_request(dataset=cases)
    approved = access.application_submit(
        dataset=cases,
        applicant=o.users["prov_b"],
        organisation_name="小橡树研究部",
        credit_code=o.provider_b.credit_code,
        purpose="另一个用途",
        fields=["district"],
        duration_days=30,
        security_measures="专人管理。",
        agreement_accepted=True,
        field_names=["district", "month"],
    )
    approved = access.application_decide(
        application=approved, official=o.users["admin"], approve=True
    )
    o.api_key, _secret = access.key_issue(application=approved, user=o.users["prov_b"])

    from openData.hsds import row_uuid

    o.hsds_service = row_uuid("listing", o.listing_a.pk)
    o.hsds_location = row_uuid("branch", o.branch_a.pk)

    assert {r for r in ("admin", "off_city") if can_steward(o.users[r], cases)} == STEWARDS
    assert not any(can_steward(o.users[r], cases) for r in ("off_in", "off_out"))

    # Volunteers: res_a registered; prov_a owns organisation A and one under review.
    o.volunteer_a = vol_factories.volunteer(res_a)
    o.vol_org_a = vol_factories.organisation(staff_a, name="幸福里志愿服务队")
    o.vol_org_pending = vol_factories.organisation(
        staff_a, name="幸福里青年志愿队", status=VolunteerOrganisation.Status.SUBMITTED
    )
    o.vol_activity_a = vol_factories.activity(o.vol_org_a)
    o.vol_signup_a = vol_services.signup_create(
        activity=o.vol_activity_a,
        user=res_a,
        position_id=o.vol_activity_a.positions.get().pk,
        note="志愿报名留言泄露测试",
    )
    vol_services.signup_decide(signup=o.vol_signup_a, actor=staff_a, accept=True)
    finished = vol_factories.activity(o.vol_org_a, starts_in=dt.timedelta(days=-2))
    o.vol_hours_a = vol_factories.hour_record(finished, o.volunteer_a)
    o.vol_dispute_a = vol_factories.dispute(o.vol_hours_a, reason="时长异议泄露测试：忘记签退")
    o.vol_certificate_a = vol_factories.certificate(o.volunteer_a, code="AUTH-ZCHK-2345")
    # Time bank: res_a's eldercare hours banked, a service of organisation A, her request.
    vol_factories.banked(o.volunteer_a, org=o.vol_org_a, days_ago=5)
    o.tb_account_a = TimeBankAccount.objects.get(kind="personal", volunteer=o.volunteer_a)
    o.tb_service_a = vol_factories.timebank_service(o.vol_org_a)
    o.tb_redemption_a = vol_services.redemption_create(
        user=res_a,
        service=o.tb_service_a,
        wanted_on=today + dt.timedelta(days=1),
        note="时间银行留言泄露测试",
    )

    # Social organisations, the registry: prov_a owns socialorg_a (武侯区); its report for last
    # year waits for review; a 4A evaluation. Its legal representative's name is shown by no
    # GET (only on 民政's audited POST): tests/socialorgs/test_registry_profile.py and the
    # exposure scan (test_pii_exposure.py) check it.
    from tests.socialorgs.factories import socialorg
    from tests.socialorgs.factories_registry import evaluation as so_evaluation
    from tests.socialorgs.factories_registry import report as so_report

    o.socialorg_a = socialorg(
        staff_a, name="幸福里社会工作服务中心", legal_rep_name="诸葛法人", division_id="510107"
    )
    o.so_report_a = so_report(o.socialorg_a, today.year - 1, status="submitted")
    o.so_evaluation_a = so_evaluation(
        o.socialorg_a, grade=4, awarded_on=today, official=o.users["off_in"]
    )

    # Charity: prov_a owns charity_a and its project; an anonymous donation (its donor's real
    # name and receipt code are the desk's and the supervising officials'), a disbursement.
    from tests.socialorgs import factories_charity as charity_factories

    o.charity_a = charity_factories.charity(staff_a, name="幸福里慈善基金会")
    o.charity_project_a = charity_factories.project(o.charity_a, filing_number="AUTHZ0000001")
    o.charity_gift_a = charity_factories.donate(
        o.charity_project_a, "500.00", name="欧阳捐赠", anonymous=True
    )
    charity_factories.disburse(o.charity_project_a, "100.00", name="司徒受助")
    o.charity_pledge_a = charity_factories.pledge(o.charity_project_a, res_a, "30.00")

    # Credit and complaints: socialorg_a on 活动异常名录, an exposure in 武侯区, and res_a's
    # complaint about socialorg_a in ratings' workflow (prov_a, its owner, answers it).
    from socialorgs.services import complaints as so_complaints
    from socialorgs.services import credit as so_credit
    from tests.socialorgs.factories_credit import listed as so_listed

    o.so_entry_a = so_listed(o.users["off_in"], o.socialorg_a)
    o.so_illegal_a = so_credit.illegal_org_expose(
        actor=o.users["off_in"],
        name="幸福里国学促进总会",
        description="未经登记发展会员。",
        division="510107",
        basis="《取缔非法民间组织暂行办法》第二条",
        exposed_on=today,
    )
    o.so_complaint_a = so_complaints.org_complaint_file(
        resident=res_a,
        organisation=o.socialorg_a,
        category=Complaint.Category.FEES,
        description="社会组织投诉泄露测试：培训费不退。",
    )

    # Social work: socialorg_a's active project and social worker; res_a accepted the project
    # for her request (its address and need are hers and the serving organisation's).
    from tests.socialorgs import factories_socialwork as sw_factories

    o.sw_project_a = sw_factories.project(o.socialorg_a, title="幸福里长者关爱社工服务")
    o.sw_worker_a = sw_factories.worker(o.socialorg_a, name="上官社工")
    o.sw_request_a = sw_factories.accepted(
        res_a,
        project_=o.sw_project_a,
        address="社工住址泄露测试街 7 号",
        description="社工需求泄露测试：父亲独居。",
    )
    o.sw_item_a = sw_factories.catalogue_item(published=False, official=o.users["off_in"])
    # res_a's review of another completed case of sw_project_a, held for a listed word (the
    # moderating officials read it); another resident's published review, to report.
    o.sw_review_a = sw_factories.review(
        o.sw_project_a, resident=res_a, text="评价审核泄露测试：社工诈骗", held_words=["诈骗"]
    )
    o.sw_review_pub_a = sw_factories.review(o.sw_project_a, status="published")

    # A's private data and who may see it anywhere.
    resident_and_desk = A_RES | A_PROV
    o.markers = [
        Marker("欧阳建国", A_RES),  # a family member
        Marker("隐私测试街 88 号", A_RES),  # a saved address
        Marker("门禁密码 4721", resident_and_desk),  # a booking note
        Marker(o.booking_active.reference, resident_and_desk),
        Marker(o.payment_pending.gateway_reference, A_RES),
        # The phone: the booking desk and the official handling the complaint.
        Marker("13800000101", resident_and_desk | A_OFF),
        Marker("泄露测试投诉描述", A_RES | A_READERS),
        Marker(o.complaint_a.reference, A_RES | A_READERS),
        Marker("泄露测试隐藏评价", A_RES | A_READERS),
        Marker("欧阳晓敏", A_READERS),  # A's staff member, in full
        Marker("司马小红", frozenset({"prov_b", "off_out", "off_city"})),  # B's staff member
        Marker("泄露测试检查发现", A_READERS),
        Marker("泄露测试申诉陈述", A_READERS),
        Marker("泄露测试申请用途", A_PROV | STEWARDS),
        # The person an official posted a 代办 need for (providers: masked until a referral).
        Marker("欧阳秀英", frozenset({"off_in"})),
        # A volunteer's note on their sign-up: the volunteer and the organiser.
        Marker("志愿报名留言泄露测试", A_RES | A_PROV),
        # A volunteer's dispute of their hours: the volunteer and the organiser.
        Marker("时长异议泄露测试", A_RES | A_PROV),
        # A time-bank request's note: the requester and the organisation delivering it.
        Marker("时间银行留言泄露测试", A_RES | A_PROV),
        # An anonymous donor, their receipt code and a beneficiary: the charity's desk and the
        # supervising 民政 officials only (both audited reads).
        Marker("欧阳捐赠", A_PROV | A_OFF),
        Marker(o.charity_gift_a.receipt_code, A_PROV | A_OFF),
        Marker("司徒受助", A_PROV | A_OFF),
        # A complaint about social organisation A: the complainant, the organisation (which
        # answers it) and the officials covering it.
        Marker("社会组织投诉泄露测试", A_RES | A_PROV | A_OFF),
        # Social work: a social worker's full name is the organisation's (the public sees it
        # masked); a request's address and need are the resident's and the serving
        # organisation's (an audited read once she accepted).
        Marker("上官社工", A_PROV),
        Marker("社工住址泄露测试", A_RES | A_PROV),
        Marker("社工需求泄露测试", A_RES | A_PROV),
        # A held review's text: its author and the officials who moderate it.
        Marker("评价审核泄露测试", A_RES | A_OFF),
    ]
    return o


# --- Running the cells --------------------------------------------------------------------------


def _reset_throttles(monkeypatch) -> None:
    """Thousands of requests in a minute: rate limits are other tests' business."""
    from rest_framework.throttling import SimpleRateThrottle

    monkeypatch.setattr(SimpleRateThrottle, "allow_request", lambda self, request, view: True)


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """A's objects, built once in a transaction that is rolled back after the module."""
    folder = tmp_path_factory.mktemp("authz")
    overrides = override_settings(
        MEDIA_ROOT=folder / "media",
        OPENDATA_ROOT=folder / "opendata",
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"],
    )
    with django_db_blocker.unblock(), overrides:
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            world = build_world()
            world.folder = folder
            world.seen = set()
            yield world
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


@pytest.fixture
def clients(world, db, settings, monkeypatch, _media_in_a_temporary_folder):
    # Thousands of refused requests: their log lines are not what this test reads.
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.ERROR)
    settings.MEDIA_ROOT = world.folder / "media"
    settings.OPENDATA_ROOT = world.folder / "opendata"
    _reset_throttles(monkeypatch)
    found = {"anon": Client()}
    for role, user in world.users.items():
        found[role] = Client()
        found[role].force_login(user)
    return found


def _body(response) -> bytes:
    # The test client closes a streamed response once it is read (closing it here again would
    # send request_finished outside the client, which closes the database connection).
    return b"".join(response.streaming_content) if response.streaming else response.content


def _outcome(response, method: str, role: str, *, admin_site: bool = False) -> str:
    """The cell's outcome: allow, deny or error (see the module's docstring)."""
    code = response.status_code
    location = response.get("Location", "") if 300 <= code < 400 else ""
    to_login = location.startswith(LOGIN_URL) or location.startswith(ADMIN_LOGIN_URL)
    if role == "anon":
        if code in (401, 403, 404) or to_login:
            return "deny"
    elif code in (403, 404) or (admin_site and to_login):
        return "deny"
    if to_login or code >= 500 or code in (401, 405, 429):
        return "error"
    if method == "GET":
        return "allow" if code < 400 else "error"
    return "allow"


def _request(client, method: str, url: str, payload, *, api: bool):
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif api:
            response = client.generic(
                method, url, json.dumps(payload or {}), content_type="application/json"
            )
        elif method == "POST":
            response = client.post(url, payload or {})
        else:
            response = client.generic(method, url)
        body = _body(response)
        transaction.set_rollback(True)
    return response, body


def _url(name: str, row: Case, world: World) -> str:
    kwargs = row.kwargs(world) if callable(row.kwargs) else row.kwargs
    url = reverse(name, kwargs=kwargs)
    return f"{url}?{row.query}" if row.query else url


def _check_cell(world, clients, name, row, method, role) -> str | None:
    """The cell's failure in words, or None."""
    url = _url(name, row, world)
    client = clients[role]
    if row.fresh and role != "anon":
        client = Client()
        client.force_login(world.users[role])
    payload = row.data.get(method)
    payload = payload(world) if callable(payload) else payload
    response, body = _request(client, method, url, payload, api=url.startswith("/api/"))
    expected = "allow" if role in row.allow[method] else "deny"
    got = _outcome(response, method, role)
    where = f"{name}{f' [{row.label}]' if row.label else ''} {method} {url} as {role}"
    if got != expected:
        location = response.get("Location", "")
        return f"{where}: expected {expected}, got {response.status_code} {location}".rstrip()
    found = {m.text for m in world.markers if m.text not in url and m.found_in(body)}
    leaked = [m.text for m in world.markers if m.text in found and role not in m.audience]
    world.seen |= found
    if leaked:
        return f"{where}: {response.status_code} shows {leaked}"
    return None


def _run(world, clients, methods) -> list[str]:
    failures = []
    started, cells = time.monotonic(), 0
    for name, rows in MATRIX.items():
        for row in rows:
            for method in [m for m in row.allow if m in methods]:
                for role in row.roles:
                    failure = _check_cell(world, clients, name, row, method, role)
                    cells += 1
                    if failure:
                        failures.append(failure)
    print(f"{cells} cells in {time.monotonic() - started:.1f} s")  # noqa: T201
    return failures


# --- The tests ----------------------------------------------------------------------------------


def _patterns(resolver=None, prefix="", namespace=""):
    """(name, route, callback) of every URL pattern, depth first; the admin site is one group."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            if pattern.namespace == "admin":
                yield "admin", route, None
                continue
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _patterns(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            name = pattern.name
            if name and namespace:
                name = f"{namespace}:{name}"
            yield name or route, route, pattern.callback


def _methods(callback) -> set[str] | None:
    """The methods a view answers (None for a function view: its row says)."""
    actions = getattr(callback, "actions", None)
    view = getattr(callback, "cls", None) or getattr(callback, "view_class", None)
    if view is None:
        return None
    allowed = set(view.http_method_names) & {"get", "post", "put", "patch", "delete"}
    if actions:  # (DRF adds "head" to it at the first request: HEAD is GET's, not a row)
        return {m.upper() for m in actions if m in allowed}
    found = {m for m in allowed if hasattr(view, m)}
    if "put" in found and view.put is ProcessFormView.put:
        found.discard("put")  # Django's form views answer PUT as POST: the POST cells cover it
    return {m.upper() for m in found}


def test_every_url_pattern_and_method_has_a_row():
    problems = []
    seen = set()
    for name, route, callback in _patterns():
        if name == "admin":
            continue  # test_the_admin_site_is_for_the_platform_admin_only
        if name in seen:
            problems.append(f"{name} ({route}): two patterns share the name")
        seen.add(name)
        rows = MATRIX.get(name)
        if not rows:
            problems.append(f"{name} ({route}): no row in the authorisation matrix")
            continue
        covered = set().union(*(row.allow for row in rows))
        methods = _methods(callback)
        if methods is not None and covered != methods:
            problems.append(
                f"{name} ({route}): the view answers {sorted(methods)}, "
                f"the matrix has {sorted(covered)}"
            )
    problems += [f"{name}: a row for a URL that does not exist" for name in set(MATRIX) - seen]
    assert not problems, "\n".join(problems)


def test_reads(world, clients):
    failures = _run(world, clients, {"GET"})
    assert not failures, f"{len(failures)} wrong cells:\n" + "\n".join(failures)
    # Each marker is shown to its audience somewhere: its absence elsewhere means something.
    unseen = [m.text for m in world.markers if m.text not in world.seen]
    assert not unseen, f"markers no page shows: {unseen}"


def test_writes(world, clients):
    failures = _run(world, clients, {"POST", "PUT", "PATCH", "DELETE"})
    assert not failures, f"{len(failures)} wrong cells:\n" + "\n".join(failures)


def test_the_admin_site_is_for_the_platform_admin_only(world, clients):
    """The admin site is one row group: its index, every model's list and one object's page
    (resident A's account) are the platform admin's; everyone else is sent to the admin login."""
    urls = [reverse("admin:index")]
    urls += [
        reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        for model in admin.site._registry
    ]
    urls.append(reverse("admin:accounts_user_change", args=[world.users["res_a"].pk]))
    failures = []
    for url in urls:
        for role in ROLES:
            response, body = _request(clients[role], "GET", url, None, api=False)
            expected = "allow" if role == "admin" else "deny"
            got = _outcome(response, "GET", role, admin_site=True)
            if got != expected:
                failures.append(f"{url} as {role}: expected {expected}, got {response.status_code}")
            elif role != "admin" and any(m.found_in(body) for m in world.markers):
                failures.append(f"{url} as {role}: the refusal shows A's data")
    assert not failures, "\n".join(failures)


# --- A's objects named in the body ------------------------------------------------------------
# Someone else's object given by id in a request body: refused exactly as an id that does not
# exist is (same status, same body), so the answer is not even an oracle of what exists.

MISSING = 987654321
MISSING_UUID = "00000000-0000-4000-8000-000000000000"


@dataclass
class BodyCase:
    label: str
    role: str
    url: Callable
    body: Callable  # (world, the object's id) -> the request body
    ref: Callable  # world -> the id of A's object
    missing: object = MISSING


BODY_CASES = [
    BodyCase(
        "resident B books for A's family member",
        "res_b",
        lambda o: "/api/v1/bookings/",
        lambda o, ref: {"slot": o.slot_free.pk, "dependant": ref, "idempotency_key": "k1"},
        lambda o: o.dependant_a.pk,
    ),
    BodyCase(
        "resident B books at A's address",
        "res_b",
        lambda o: "/api/v1/bookings/",
        lambda o, ref: {"slot": o.slot_free.pk, "address": ref, "idempotency_key": "k2"},
        lambda o: o.address_a.pk,
    ),
    BodyCase(
        "resident B plans for A's family member",
        "res_b",
        lambda o: "/api/v1/me/plans/",
        lambda o, ref: {"listing": o.listing_a.pk, "weekdays": [1], "dependant": ref},
        lambda o: o.dependant_a.pk,
    ),
    BodyCase(
        "resident B complains about A's booking",
        "res_b",
        lambda o: "/api/v1/complaints/",
        lambda o, ref: {"booking": ref, "category": "service_quality", "description": "很差"},
        lambda o: str(o.booking_done.pk),
        MISSING_UUID,
    ),
    BodyCase(
        "resident B posts a need at A's address",
        "res_b",
        lambda o: "/api/v1/needs/",
        lambda o, ref: {
            "domain": "eldercare",
            "category": "elder_meals",
            "place": "home",
            "address": ref,
            "max_distance_km": 5,
            "windows": [{"weekday": 2, "start": "11:00", "end": "13:00"}],
            "budget_min_fen": 1000,
            "budget_max_fen": 3000,
        },
        lambda o: o.address_a.pk,
    ),
    BodyCase(
        "provider B confirms A's booking in bulk",
        "prov_b",
        lambda o: f"/api/v1/providers/{o.provider_b.pk}/bookings/bulk/",
        lambda o, ref: {"items": [{"booking": ref, "action": "confirm"}]},
        lambda o: str(o.booking_active.pk),
        MISSING_UUID,
    ),
    BodyCase(
        "provider B edits A's listing in bulk",
        "prov_b",
        lambda o: f"/api/v1/providers/{o.provider_b.pk}/listings/bulk/",
        lambda o, ref: {"items": [{"id": ref, "title": "改了"}]},
        lambda o: o.listing_a.pk,
    ),
    BodyCase(
        "provider B replaces A's schedule in bulk",
        "prov_b",
        lambda o: f"/api/v1/providers/{o.provider_b.pk}/schedules/bulk/",
        lambda o, ref: {"items": [{"listing": ref, "rules": []}]},
        lambda o: o.listing_a.pk,
    ),
    BodyCase(
        "resident B asks for social work at A's saved address",
        "res_b",
        lambda o: "/api/v1/socialorgs/socialwork/requests/",
        lambda o, ref: {
            "target_group": "elderly",
            "saved_address": ref,
            "description": "需要探访",
        },
        lambda o: o.address_a.pk,
    ),
    BodyCase(
        "provider B appeals A's credit event",
        "prov_b",
        lambda o: "/api/v1/credit/appeals/",
        lambda o, ref: {"event": ref, "statement": "已整改"},
        lambda o: o.appeal_a.event_id,
    ),
]


@pytest.mark.parametrize("body_case", BODY_CASES, ids=lambda c: c.label)
def test_an_object_of_a_named_in_the_body_is_as_good_as_missing(world, clients, body_case):
    client, url = clients[body_case.role], body_case.url(world)
    theirs, theirs_body = _request(
        client, "POST", url, body_case.body(world, body_case.ref(world)), api=True
    )
    missing, missing_body = _request(
        client, "POST", url, body_case.body(world, body_case.missing), api=True
    )

    assert theirs.status_code in (400, 403, 404), theirs_body
    assert (theirs.status_code, theirs_body) == (missing.status_code, missing_body)


@pytest.mark.parametrize(
    ("label", "url", "body"),
    [
        (
            "plans an inspection of provider A",
            "/api/v1/inspections/",
            lambda o: {
                "provider": str(o.provider_a.pk),
                "domain": "eldercare",
                "kind": "routine",
                "due_on": str(timezone.localdate() + dt.timedelta(days=7)),
            },
        ),
        (
            "puts provider A on the black list",
            "/api/v1/credit/lists/",
            lambda o: {
                "provider": str(o.provider_a.pk),
                "list": "black",
                "reason": "测试",
                "basis": "测试",
                "starts_on": str(timezone.localdate()),
            },
        ),
        (
            "decides provider A's review",
            lambda o: f"/api/v1/providers/{o.provider_a.pk}/transitions/",
            lambda o: {"action": "suspend", "reason": "测试"},
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_the_official_outside_the_district_cannot_act_on_provider_a(
    world, clients, label, url, body
):
    url = url(world) if callable(url) else url
    response, content = _request(clients["off_out"], "POST", url, body(world), api=True)

    assert response.status_code in (403, 404), content
    # The official covering it may (the same request gets through the permission).
    allowed, content = _request(clients["off_in"], "POST", url, body(world), api=True)
    assert allowed.status_code in (200, 201), content
