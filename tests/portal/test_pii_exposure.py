"""Exposure scan: where does a resident's personal data appear in clear, and for whom?

One resident (林晓梅, mobile 13912345678, an ID number she typed into a booking note and a
complaint, her phone in a need, a home address, her father's diabetes in his care notes) has
a booking, a completed booking with a review, a complaint, a matched need and a family-doctor
contract at provider A. Then every GET page and API response the URL configuration reaches
(walked from the resolver, so a new route has to be classified below) is fetched as each role;
the clear values may appear only where the table `CLEAR_FOR` says that role needs them. Every
page that shows a clear value to staff, an official or an admin must have written an audit
entry naming the viewer as actor and the resident as subject.
"""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone

from matching.models import Need
from matching.services.needs import need_create
from portal.accounts.models import User
from portal.audit.models import AuditEntry
from portal.identifiers import resident_id_check_char
from portal.privacy import mask_phone
from ratings.services.complaints import complaint_transition
from services.models import FamilyDoctorContract, FamilyDoctorPackage
from tests.accounts.factories import UserFactory
from tests.matching.factories import matchable_listing, need_data, offer, proposals
from tests.ratings.factories import completed_booking, file_complaint, review_row
from tests.services.factories import AddressFactory, DependantFactory, book
from tests.volunteers import factories as vol_factories
from volunteers.services import redemption_create as timebank_redemption_create
from volunteers.services import signup_create as vol_signup_create

pytestmark = pytest.mark.django_db

PHONE = "13912345678"
ID_NUMBER = "51010719500315123" + resident_id_check_char("51010719500315123")
ADDRESS = "武侯区浆洗街街道洗面桥街8号3栋2单元501室"
NAME = "林晓梅"
HEALTH = "二型糖尿病"
# What must not appear in clear: the value, and the part of it a masked form hides.
CLEAR = {
    "phone": PHONE,
    "id_number": ID_NUMBER,
    "address": "3栋2单元501室",
    "name": NAME,
    "health": HEALTH,
}
ALL = frozenset(CLEAR)

# Where each role is shown what in clear (the resident themself sees everything of theirs):
# the booked provider's booking detail (to deliver the service), the handling official's case
# (to call the complainant back), an administrator's account page. Everywhere else: masked.
CLEAR_FOR: dict[str, dict[str, frozenset[str]]] = {
    "anonymous": {},
    "other_resident": {},
    "booked_provider_staff": {
        "services:staff-booking": ALL,
        # She gave anonymously to staff_a's charity: its ledger desk names her (audited).
        "socialorgs:charity-ledger": frozenset({"name"}),
        # staff_a's organisation serves her social-work request: the case (audited read).
        "socialorgs:sw-org-request": frozenset({"address", "phone", "id_number"}),
        "api-sw-org-request": frozenset({"address", "phone", "id_number"}),
    },
    "other_provider_staff": {},
    "handling_official": {
        "ratings:complaint-official": frozenset({"name", "phone", "id_number"}),
        "complaint-detail": frozenset({"name", "phone", "id_number"}),
        # 民政 supervising the charity she gave to reads its ledger (audited).
        "socialorgs:charity-official-project": frozenset({"name"}),
    },
    "official_out_of_jurisdiction": {},
    "official_not_handling": {
        "socialorgs:charity-official-project": frozenset({"name"}),
    },
    "admin": {
        "admin:accounts_user_change": frozenset({"name", "phone"}),
    },
}

# Parameterised routes that never carry a resident's data, and why.
NOT_ABOUT_RESIDENTS = {
    "division-detail": "reference data",
    "category-detail": "reference data",
    "api-gateway-callback": "POST only (signed gateway callbacks)",
    "api-certificate-create": "staff certificates, POST only",
    "api-certificate-revoke": "POST only",
    "api-certificate-delete": "DELETE only",
    "api-opendata-decide": "open-data applications are organisations'",
    "api-opendata-key": "open-data applications are organisations'",
    "api-opendata-run-create": "POST only",
    "api-opendata-run": "release runs hold aggregates",
    "open-dataset": "published data passed the personal-data gate",
    "open-releases": "published data passed the personal-data gate",
    "open-release": "published data passed the personal-data gate",
    "open-file": "published data passed the personal-data gate",
    "hsds-service": "organisations' public data",
    "hsds-organization": "organisations' public data",
    "hsds-location": "organisations' public data",
    "accounts:password-reset-confirm": "a token form",
    "providers:logo": "an image",
    "providers:licence-scan": "an organisation's licence",
    "providers:licence-delete": "POST only",
    "providers:certificate-new": "a form about staff",
    "providers:official-decide": "POST only",
    "providers:branch-edit": "an organisation's branch",
    "providers:staff-edit-member": "a staff member (audited separately)",
    "services:photo": "a listing photo",
    "services:exception-new": "POST only",
    "services:listing-status": "POST only",
    "services:photo-new": "a form",
    "services:sandbox-cashier": "the gateway's page: reference and amount",
    "services:my-family-remove": "POST only",
    "services:my-address-delete": "POST only",
    "services:my-plan-status": "POST only",
    "services:my-doctor-renew": "POST only",
    "services:desk-action": "POST only",
    "ratings:review-photo": "no photo seeded",
    "ratings:inspection-detail": "inspections are about organisations",
    "ratings:inspection-record": "inspections are about organisations",
    "ratings:inspection-rectified": "inspections are about organisations",
    "ratings:inspection-photo": "inspections are about organisations",
    "api-inspection": "inspections are about organisations",
    "api-inspection-record": "inspections are about organisations",
    "api-inspection-rectified": "inspections are about organisations",
    "ratings:complaint-file": "no evidence file seeded",
    "ratings:credit-appeal-decide": "appeals are organisations'",
    "ratings:credit-appeal-evidence": "appeals are organisations'",
    "ratings:credit-list-remove": "POST only",
    "api-credit-list-remove": "POST only",
    "api-credit-appeal-decide": "POST only",
    "matching:proxy-need": "a 代办 need's person has no account",
    "opendata:dataset": "published data passed the personal-data gate",
    "opendata:apply": "a form",
    "opendata:application": "organisations' applications",
    "opendata:key-issue": "POST only",
    "opendata:dataset-edit": "catalogue metadata",
    "opendata:run-now": "POST only",
    "opendata:run": "release runs hold aggregates",
    "opendata:run-progress": "release runs hold aggregates",
    "opendata:application-review": "organisations' applications",
    "opendata:key-revoke": "POST only",
    "api-volorg-decide": "POST only",
    "volunteers:certificate-revoke": "POST only",
    "api-vol-dispute-raise": "POST only",
    "api-vol-dispute-resolve": "POST only",
    "api-vol-certificate-revoke": "POST only",
    "api-activity-checkin": "POST only",
    "api-signup-decide": "POST only",
    "api-signup-cancel": "POST only",
    "api-signup-attendance": "POST only",
    "api-hours-confirm": "POST only",
    "volunteers:timebank-service-status": "POST only",
    "volunteers:timebank-redemption-cancel": "POST only",
    "volunteers:timebank-redemption-fulfil": "POST only",
    "api-timebank-service": "PATCH only",
    "api-timebank-redemption-fulfil": "POST only",
    "api-timebank-redemption-cancel": "POST only",
    "volunteers:commend": "POST only",
    "volunteers:signup-cancel": "POST only",
    "volunteers:activity-cancel": "POST only",
    "volunteers:signup-action": "POST only",
    # The organiser's explicit request for an accepted volunteer's name and phone: POST only,
    # audit-logged (tests/volunteers/test_pages_organisers.py).
    "volunteers:signup-contact": "POST only",
    # The same for the person a time-bank redemption serves, while it waits
    # (tests/volunteers/test_timebank_contact.py); the redemption's page shows them masked.
    "volunteers:org-redemption-contact": "POST only",
    "socialorgs:charity-project-close": "POST only",
    "api-charity-donate": "POST only",
    "api-charity-entries": "POST only",
    "api-charity-pledge-confirm": "POST only",
    "api-charity-pledge-cancel": "POST only",
    "socialorgs:credit-list-remove": "POST only",
    "socialorgs:illegal-status": "POST only",
    "api-socialorg-penalties": "POST only",
    "api-socialorg-licences": "POST only",
    "api-socialorg-list-entries": "POST only",
    "api-socialorg-list-entry-remove": "POST only",
    "api-socialorg-illegal-status": "POST only",
    "api-socialorg-complaint": "POST only",
    # The registry: 民政's explicit, audited read of a legal representative's full name
    # (tests/socialorgs/test_registry_profile.py); every GET shows it masked.
    "socialorgs:official-legal-rep": "POST only",
    "socialorgs:official-evaluation-revoke": "POST only",
    "api-socialorg-status": "POST only",
    "api-socialorg-charity": "POST only",
    "api-socialorg-owner": "POST only",
    "api-socialorg-report-review": "POST only",
    "api-socialorg-evaluation-revoke": "POST only",
    "socialorgs:sw-project-status": "POST only",
    "socialorgs:sw-catalogue-status": "POST only",
    "api-sw-project-publish": "POST only",
    "api-sw-project-close": "POST only",
    "api-sw-worker": "PATCH only (a social worker's record)",
    "api-sw-request-accept": "POST only",
    "api-sw-request-decline": "POST only",
    "api-sw-request-cancel": "POST only",
    "api-sw-request-review": "POST only",
    "api-sw-org-request-decline": "POST only",
    "api-sw-org-request-complete": "POST only",
    "api-sw-catalogue-publish": "POST only",
    "api-sw-catalogue-withdraw": "POST only",
    "socialorgs:sw-review-moderate": "POST only",
    "socialorgs:sw-review-report": "POST only",
    "api-sw-review-moderate": "POST only",
    "api-sw-review-report": "POST only",
}


def _route_args(seed) -> dict[str, list[dict]]:
    """Values for each parameterised route that may show something of the resident."""
    a, b = seed["provider_a"].pk, seed["provider_b"].pk
    booking, done = seed["booking"], seed["done"]
    listing = booking.listing_id
    complaint, need = seed["complaint"].pk, seed["need"].pk
    providers = [{"pk": a}, {"pk": b}]
    vol_org, vol_activity = [{"pk": seed["vol_org"].pk}], [{"pk": seed["vol_activity"].pk}]
    charity = [{"pk": seed["charity_org"].pk}]
    filing = [{"filing_number": seed["charity_project"].filing_number}]
    social_org = [{"credit_code": seed["social_org"].credit_code}]
    org_complaint = seed["org_complaint"].pk
    registry = [{"credit_code": seed["registry_org"].credit_code}]
    registry_report = seed["registry_report"]
    sw_project, sw_request = [{"pk": seed["sw_project"].pk}], [{"pk": seed["sw_request"].pk}]
    return {
        # Social work: staff_a's organisation (social_org) serves her request (accepted).
        "socialorgs:project-detail": sw_project,
        "socialorgs:sw-org": social_org,
        "socialorgs:sw-request": sw_request,
        "socialorgs:sw-review": sw_request,
        "socialorgs:sw-desk": social_org,
        "socialorgs:sw-workers": social_org,
        "socialorgs:sw-project-new": social_org,
        "socialorgs:sw-worker": [{"pk": seed["sw_worker"].pk}],
        "socialorgs:sw-project": sw_project,
        "socialorgs:sw-org-request": sw_request,
        "api-sw-project": sw_project,
        "api-sw-org": social_org,
        "api-sw-org-projects": social_org,
        "api-sw-org-workers": social_org,
        "api-sw-org-requests": social_org,
        "api-sw-request": sw_request,
        "api-sw-org-request": sw_request,
        # The registry: she is the legal representative of an organisation staff_a runs.
        "socialorgs:detail": registry,
        "socialorgs:official-org": registry,
        "socialorgs:official-edit": registry,
        "socialorgs:official-status": registry,
        "socialorgs:official-charity": registry,
        "socialorgs:official-owner": registry,
        "socialorgs:official-evaluate": registry,
        "socialorgs:official-report": [{"pk": registry_report.pk}],
        "socialorgs:mine-org": registry,
        "socialorgs:mine-report": [{**registry[0], "year": registry_report.year}],
        "api-socialorg-detail": registry,
        "api-socialorg-members": registry,
        "api-socialorg-reports": registry,
        "api-socialorg-evaluations": registry,
        # Her complaint about a social organisation: its accounts read it masked (the case's
        # text with identifiers redacted); the handling official as any complaint's.
        "socialorgs:complain": social_org,
        "socialorgs:credit-desk": social_org,
        "socialorgs:org-complaint": [{"pk": org_complaint}],
        "socialorgs:charity-org": [{"credit_code": seed["charity_org"].credit_code}],
        "socialorgs:charity-project": filing,
        "socialorgs:charity-donate": filing,
        "socialorgs:charity-ledger": filing,
        "socialorgs:charity-official-project": filing,
        "socialorgs:charity-project-new": charity,
        "socialorgs:charity-disclosures": charity,
        "api-charity-project": filing,
        "api-charity-verify": filing,
        "api-charity-flow": filing,
        "api-volunteer-public": [{"pk": seed["volunteer"].pk}],
        "volunteers:dispute-raise": [{"pk": seed["vol_record"].pk}],
        "volunteers:org-disputes": vol_org,
        "api-vol-org-disputes": vol_org,
        "volunteers:certificate-pdf": [{"pk": seed["vol_certificate"].pk}],
        "api-vol-certificate-pdf": [{"pk": seed["vol_certificate"].pk}],
        "volunteers:timebank-redeem": [{"pk": seed["tb_redemption"].service_id}],
        "volunteers:org-redemption": [{"pk": seed["tb_redemption"].pk}],
        "volunteers:org-redemptions": vol_org,
        "volunteers:org-timebank-services": vol_org,
        "api-timebank-statement": [{"pk": seed["tb_redemption"].account_id}],
        "api-volorg-timebank-services": vol_org,
        "api-volorg-redemptions": vol_org,
        "api-volunteer-record": [{"pk": seed["volunteer"].pk}],
        "api-volunteer-commendations": [{"pk": seed["volunteer"].pk}],
        "volunteers:profile": [{"number": seed["volunteer"].number}],
        "volunteers:official-organisation": vol_org,
        "api-volorg-detail": vol_org,
        "api-volorg-members": vol_org,
        "api-volorg-activities": vol_org,
        "api-activity-detail": vol_activity,
        "api-activity-signups": vol_activity,
        "api-activity-code": vol_activity,
        "volunteers:activity": vol_activity,
        "volunteers:activity-manage": vol_activity,
        "volunteers:activity-code": vol_activity,
        "volunteers:activity-qr": vol_activity,
        "volunteers:organisation-manage": vol_org,
        "api-provider-listings": providers,
        "api-listing-bulk": providers,
        "api-schedule-bulk": providers,
        "api-listing-schedule": [{"listing_id": listing}],
        "api-listing-status": [{"listing_id": listing}],
        "api-provider-bookings": providers,
        "api-provider-bookings-bulk": providers,
        "listing-detail": [{"pk": listing}],
        "listing-slots": [{"pk": listing}],
        "booking-detail": [{"pk": booking.pk}, {"pk": done.pk}],
        "booking-cancel": [{"pk": booking.pk}],
        "booking-cancellation-quote": [{"pk": booking.pk}],
        "booking-reschedule": [{"pk": booking.pk}],
        "dependant-detail": [{"pk": seed["dependant"].pk}],
        "address-detail": [{"pk": seed["address"].pk}],
        "plan-detail": [{"pk": 1}],
        "plan-set-status": [{"pk": 1}],
        "contract-renew": [{"pk": seed["contract"].pk}],
        "provider-detail": providers,
        "provider-branches": providers,
        "provider-licences": providers,
        "provider-review-events": providers,
        "provider-staff": providers,
        "provider-transitions": providers,
        "api-review-create": [{"pk": done.pk}],
        "api-listing-reviews": [{"listing_id": done.listing_id}],
        "api-review-reply": [{"pk": seed["review"].pk}],
        "api-review-report": [{"pk": seed["review"].pk}],
        "api-review-moderate": [{"pk": seed["review"].pk}],
        "api-provider-grades": providers,
        "complaint-detail": [{"pk": complaint}, {"pk": org_complaint}],
        "complaint-messages": [{"pk": complaint}],
        "complaint-rate": [{"pk": complaint}],
        "complaint-transition": [{"pk": complaint}],
        "api-provider-credit": providers,
        "api-provider-credit-commend": providers,
        "need-detail": [{"pk": need}],
        "need-withdraw": [{"pk": need}],
        "candidate-accept": [{"pk": seed["candidate"].pk}],
        "candidate-decline": [{"pk": seed["candidate"].pk}],
        "candidate-respond": [{"pk": seed["candidate"].pk}],
        "provider-leads": providers,
        "providers:public-detail": providers,
        "providers:staff-detail": providers,
        "providers:staff-edit": providers,
        "providers:staff-submit": providers,
        "providers:branch-new": providers,
        "providers:licence-new": providers,
        "providers:staff-list": providers,
        "providers:staff-new": providers,
        "providers:official-detail": providers,
        "services:public-detail": [{"listing_id": listing}],
        "services:staff-listings": providers,
        "services:listing-new": providers,
        "services:listing-edit": [{"listing_id": listing}],
        "services:schedule": [{"listing_id": listing}],
        "services:book": [{"listing_id": listing, "slot_id": booking.slot_id}],
        "services:plan-new": [{"listing_id": listing}],
        "services:package-buy": [{"listing_id": listing}],
        "services:my-booking": [{"pk": booking.pk}, {"pk": done.pk}],
        "services:desk": providers,
        "services:desk-calendar": providers,
        "services:desk-export": providers,
        "services:staff-booking": [{"pk": booking.pk}, {"pk": done.pk}],
        "ratings:review-new": [{"pk": done.pk}],
        "ratings:listing-reviews": [{"listing_id": done.listing_id}],
        "ratings:review-report": [{"pk": seed["review"].pk}],
        "ratings:provider-reviews": providers,
        "ratings:review-reply": [{"pk": a, "review_id": seed["review"].pk}],
        "ratings:review-moderate": [{"pk": seed["review"].pk}],
        "ratings:provider-inspections": providers,
        "ratings:my-complaint": [{"pk": complaint}, {"pk": org_complaint}],
        "ratings:complaint-official": [{"pk": complaint}, {"pk": org_complaint}],
        "ratings:provider-complaints": providers,
        "ratings:complaint-staff": [{"pk": complaint}],
        "ratings:credit-official": providers,
        "ratings:credit-commend": providers,
        "ratings:credit-list-add": providers,
        "ratings:credit-provider": providers,
        "ratings:dashboard-export": [
            {"table": table}
            for table in ("complaints", "risk", "grades", "credit", "licences", "inspections")
        ],
        "ratings:provider-quality": providers,
        "matching:my-need": [{"pk": need}],
        "matching:need-progress": [{"pk": need}],
        "matching:need-withdraw": [{"pk": need}],
        "matching:candidate-accept": [{"pk": seed["candidate"].pk}],
        "matching:candidate-decline": [{"pk": seed["candidate"].pk}],
        "matching:leads": providers,
        "matching:lead-respond": [{"pk": seed["candidate"].pk}],
    }


# Query strings that change what a list shows (the desk's other views).
EXTRA_QUERIES = {
    "services:desk": ["?view=upcoming", "?view=requested", "?view=past"],
    "api-provider-bookings": ["?view=upcoming", "?view=past"],
    "ratings:complaint-board": ["?status=accepted"],
}


def _routes():
    """(name, parameter names) of every named route outside the admin, once each."""

    def walk(patterns, prefix, namespaces):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = namespaces + ((pattern.namespace,) if pattern.namespace else ())
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif pattern.name:
                yield (
                    prefix + str(pattern.pattern),
                    ":".join((*namespaces, pattern.name)),
                    tuple(sorted(pattern.pattern.regex.groupindex)),
                )

    seen = {}
    for path, name, params in walk(get_resolver().url_patterns, "", ()):
        if path.startswith("admin/") or name in seen:
            continue
        seen[name] = params
    return seen


def _admin_urls(seed) -> list[tuple[str, str]]:
    from django.contrib import admin

    urls = []
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
        urls.append((name, reverse(name)))
    resident = seed["resident"]
    name = "admin:accounts_user_change"
    urls.append((name, reverse(name, args=[resident.pk])))
    entry = AuditEntry.objects.order_by("pk").first()
    name = "admin:audit_auditentry_change"
    urls.append((name, reverse(name, args=[entry.pk])))
    return urls


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode("utf-8", "replace")
    return response.content.decode("utf-8", "replace")


@pytest.fixture
def seed(provider_a, provider_b, staff_a, staff_b, official_wuhou):
    resident = UserFactory(phone="+86" + PHONE, name=NAME)
    address = AddressFactory(owner=resident, detail=ADDRESS)
    dependant = DependantFactory(
        owner=resident, name="林建国", care_notes=f"{HEALTH}，需低糖饮食", phone=""
    )
    _listing, slot = matchable_listing(provider_a)
    booking = book(
        resident,
        slot,
        dependant=dependant,
        address=address,
        note=f"首次上门请核对身份证 {ID_NUMBER}",
    )
    done = completed_booking(resident, provider_a, staff_a)
    review = review_row(done, overall=4)
    complaint = file_complaint(
        resident,
        provider=provider_a,
        booking=done,
        description=f"护理员迟到两小时。请回电 {PHONE}，身份证 {ID_NUMBER}。",
    )
    complaint = complaint_transition(complaint=complaint, action="accept", actor=official_wuhou)
    need = need_create(
        resident=resident,
        data=need_data(resident, address=address.pk, text=f"母亲行动不便，电话 {PHONE}"),
    )
    [candidate] = proposals(need, [offer(provider_a)])
    package = FamilyDoctorPackage.objects.create(provider=provider_a, name="基础包")
    contract = FamilyDoctorContract.objects.create(
        package=package,
        resident=resident,
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate() + dt.timedelta(days=365),
    )
    assert Need.objects.get(pk=need.pk).status == Need.Status.MATCHED
    # She volunteers (registered with her ID number) at provider A's staff's team, and wrote
    # her phone and ID number into the sign-up's note.
    volunteer = vol_factories.volunteer(resident, id_number=ID_NUMBER)
    vol_org = vol_factories.organisation(staff_a)
    vol_activity = vol_factories.activity(vol_org)
    vol_signup_create(
        activity=vol_activity,
        user=resident,
        position_id=vol_activity.positions.get().pk,
        note=f"电话 {PHONE}，身份证 {ID_NUMBER}",
    )
    # She banked eldercare hours at that team and asked it for a service, her phone and ID
    # number in the request's note.
    vol_factories.banked(volunteer, org=vol_org, days_ago=3)
    tb_redemption = timebank_redemption_create(
        user=resident,
        service=vol_factories.timebank_service(vol_org),
        wanted_on=timezone.localdate() + dt.timedelta(days=1),
        note=f"电话 {PHONE}，身份证 {ID_NUMBER}",
    )
    # She disputes the hours of an earlier activity there, her phone and ID number in the
    # reason (the organiser's queue shows them masked), and holds a certificate.
    vol_record = vol_factories.hour_record(
        vol_factories.activity(vol_org, starts_in=-dt.timedelta(days=9)), volunteer
    )
    vol_factories.dispute(vol_record, reason=f"请回电 {PHONE}，身份证 {ID_NUMBER}")
    vol_certificate = vol_factories.certificate(volunteer)
    # She gave anonymously online to a charity staff_a runs (武侯区), which confirmed the money:
    # the public sees 匿名爱心人士, its desk and 民政 covering it her name. A second pledge
    # waits for its money: the desk lists it with her name masked.
    from tests.socialorgs import factories_charity as charity_factories

    charity_project = charity_factories.project(charity_factories.charity(staff_a))
    charity_factories.donate_online(charity_project, resident, "50", anonymous=True)
    charity_factories.pledge(charity_project, resident, "30")
    # She complained about a social organisation staff_a runs (武侯区), her phone and ID
    # number in the text; 武侯区 (official_wuhou) took the case.
    from socialorgs.services.complaints import org_complaint_file
    from tests.socialorgs.factories import socialorg

    social_org = socialorg(staff_a, division_id="510107")
    org_complaint = org_complaint_file(
        resident=resident,
        organisation=social_org,
        category="fees",
        description=f"培训费不退。请回电 {PHONE}，身份证 {ID_NUMBER}。",
    )
    org_complaint = complaint_transition(
        complaint=org_complaint, action="accept", actor=official_wuhou
    )
    # She is the legal representative of a social organisation staff_a runs (武侯区), with
    # last year's report waiting for review: every page shows her name masked.
    from tests.socialorgs.factories_registry import report as so_report

    registry_org = socialorg(staff_a, division_id="510107", legal_rep_name=NAME)
    registry_report = so_report(registry_org, timezone.localdate().year - 1, status="submitted")
    # She asked for social work for her father at home, her phone and ID number in the need;
    # the organisation staff_a runs serves it (accepted): its case page shows them in full
    # (an audited read), its lists masked and redacted.
    from tests.socialorgs import factories_socialwork as sw_factories

    sw_project = sw_factories.project(social_org)
    sw_worker = sw_factories.worker(social_org)
    sw_request = sw_factories.accepted(
        resident,
        project_=sw_project,
        address=ADDRESS,
        description=f"父亲独居，电话 {PHONE}，身份证 {ID_NUMBER}",
    )
    # Her review of an earlier case of it, held for a listed word, with her phone and ID
    # number in the text: the moderating officials' queue (page and API) shows them masked
    # and never names her.
    sw_factories.review(sw_project, resident=resident, text=f"诈骗！回电 {PHONE}，{ID_NUMBER}")
    return {
        "sw_project": sw_project,
        "sw_worker": sw_worker,
        "sw_request": sw_request,
        "registry_org": registry_org,
        "registry_report": registry_report,
        "social_org": social_org,
        "org_complaint": org_complaint,
        "charity_org": charity_project.organisation,
        "charity_project": charity_project,
        "volunteer": volunteer,
        "tb_redemption": tb_redemption,
        "vol_record": vol_record,
        "vol_certificate": vol_certificate,
        "vol_org": vol_org,
        "vol_activity": vol_activity,
        "resident": resident,
        "address": address,
        "dependant": dependant,
        "booking": booking,
        "done": done,
        "review": review,
        "complaint": complaint,
        "need": need,
        "candidate": candidate,
        "contract": contract,
        "provider_a": provider_a,
        "provider_b": provider_b,
    }


def _viewer(role, request, seed) -> User | None:
    fixtures = {
        "anonymous": None,
        "resident": None,
        "other_resident": "daughter",
        "booked_provider_staff": "staff_a",
        "other_provider_staff": "staff_b",
        "handling_official": "official_wuhou",
        "official_out_of_jurisdiction": "official_jinjiang",
        "official_not_handling": "official_city",
        "admin": "platform_admin",
    }
    if role == "resident":
        return seed["resident"]
    name = fixtures[role]
    return request.getfixturevalue(name) if name else None


def test_every_parameterised_route_is_classified():
    """A new route with parameters must say which objects to fetch it with, or why it never
    shows a resident's data; otherwise the scan would silently skip it."""
    routes = {name for name, params in _routes().items() if params}
    classified = set(NOT_ABOUT_RESIDENTS) | _classified_names()
    missing = sorted(routes - classified)
    assert not missing, f"classify these routes in test_pii_exposure.py: {missing}"


def _classified_names() -> set[str]:
    """The routes `_route_args` covers (read with stand-in objects: no database needed)."""
    fake = {
        key: type(
            "Obj",
            (),
            {
                "pk": 1,
                "listing_id": 1,
                "slot_id": 1,
                "number": "1",
                "service_id": 1,
                "account_id": 1,
                "filing_number": "1",
                "credit_code": "1",
                "year": 2024,
            },
        )()
        for key in (
            "provider_a",
            "provider_b",
            "booking",
            "done",
            "complaint",
            "need",
            "dependant",
            "address",
            "contract",
            "review",
            "candidate",
            "volunteer",
            "vol_org",
            "vol_activity",
            "tb_redemption",
            "vol_record",
            "vol_certificate",
            "charity_org",
            "charity_project",
            "social_org",
            "org_complaint",
            "registry_org",
            "registry_report",
            "sw_project",
            "sw_worker",
            "sw_request",
        )
    }
    return set(_route_args(fake))


ROLES = [
    "anonymous",
    "resident",
    "other_resident",
    "booked_provider_staff",
    "other_provider_staff",
    "handling_official",
    "official_out_of_jurisdiction",
    "official_not_handling",
    "admin",
]


@pytest.mark.parametrize("role", ROLES)
def test_clear_personal_data_appears_only_where_the_role_needs_it(role, request, seed, client):
    resident = seed["resident"]
    viewer = _viewer(role, request, seed)
    if viewer is not None:
        client.force_login(viewer)
    allowed = CLEAR_FOR.get(role)
    args = _route_args(seed)

    targets: list[tuple[str, str]] = []
    for name, params in _routes().items():
        if name in NOT_ABOUT_RESIDENTS:
            continue
        for kwargs in args.get(name, [{}]) if params else [{}]:
            url = reverse(name, kwargs=kwargs or None)
            targets.append((name, url))
            targets.extend((name, url + query) for query in EXTRA_QUERIES.get(name, []))
    if role == "admin":
        targets.extend(_admin_urls(seed))

    leaks, unaudited, clear_pages = [], [], []
    fetched = 0
    for name, url in targets:
        before = AuditEntry.objects.filter(
            actor=viewer if viewer is not None else None,
            subject=resident,
            action="personal_data.read",
        ).count()
        response = client.get(url, HTTP_ACCEPT="text/html,application/json")
        if response.status_code != 200:
            continue
        fetched += 1
        body = _body(response)
        found = {kind for kind, value in CLEAR.items() if value in body}
        if not found:
            continue
        clear_pages.append(name)
        if allowed is None:  # the resident themself
            continue
        permitted = allowed.get(name, frozenset())
        if found - permitted:
            leaks.append((url, sorted(found - permitted)))
        after = AuditEntry.objects.filter(
            actor=viewer, subject=resident, action="personal_data.read"
        ).count()
        if viewer is not None and after != before + 1:
            unaudited.append((url, after - before))

    # About 45 pages answer an anonymous visitor and 65-95 a signed-in role (2026-12).
    assert fetched >= 40, f"the scan reached only {fetched} pages: too few to mean anything"
    assert not leaks, f"{role} sees clear personal data: {leaks}"
    assert not unaudited, f"{role} saw clear personal data without one audit entry: {unaudited}"
    if role == "resident":
        # The resident sees their own data (a sanity check that the seed reaches the pages).
        assert "services:my-booking" in clear_pages
        assert "ratings:my-complaint" in clear_pages
    for name in allowed or {}:
        assert name in clear_pages, f"{role} should see the resident's data on {name}"


def test_the_booked_providers_lists_show_the_phone_masked(seed, staff_a, client):
    client.force_login(staff_a)
    provider = seed["provider_a"]
    response = client.get(
        reverse("api-provider-bookings", kwargs={"pk": provider.pk}) + "?view=upcoming"
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert mask_phone(PHONE) in body
    assert PHONE not in body


def test_the_seed_values_are_what_the_scan_looks_for():
    from portal.identifiers import validate_resident_id

    validate_resident_id(ID_NUMBER)
    assert re.fullmatch(r"1[3-9]\d{9}", PHONE)
