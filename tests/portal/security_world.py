"""A small city with one object of every kind a page URL names, built through the apps'
services (and the test factories), for the web-security crawl in test_web_security.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth.tokens import default_token_generator
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _png(name: str = "photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PNG, content_type="image/png")


def _pdf(name: str = "file.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


@dataclass
class World:
    users: dict
    objects: dict = field(default_factory=dict)
    seeds: list = field(default_factory=list)


def build(*, provider_a, wang_fang, staff_a, official_wuhou, official_city, platform_admin):
    """Objects for every page: provider A (approved, 武侯区) with a logo, licence, branch, staff
    member and certificate, a listing with a photo and slots, bookings (completed and reviewed
    with a photo, paid and waiting), a complaint with a file, inspections with a photo, credit
    events with an appeal and a list entry, a matched need with candidates, a proxy need and
    the open-data catalogue with a release, an application and a key."""
    from matching.models import Need
    from openData.models import Dataset
    from openData.selectors import dataset_field_names
    from openData.services import access, releases
    from openData.services.catalogue import catalogue_sync
    from providers.models import Provider
    from providers.services.registration import provider_update
    from ratings.models import CreditEvent
    from ratings.services.complaints import complaint_file
    from ratings.services.credit import appeal_submit, list_add
    from ratings.services.inspections import inspection_plan, inspection_record
    from ratings.services.reviews import review_create
    from services.services.listings import listing_photo_add
    from tests.matching.factories import NeedFactory, RunFactory, proposals
    from tests.openData.test_access import CREDIT_CODE
    from tests.providers.factories import (
        BranchFactory,
        CertificateFactory,
        ProviderFactory,
        StaffMemberFactory,
    )
    from tests.ratings.factories import (
        CreditEventFactory,
        completed_booking,
        full_marks,
        ratings_for,
    )
    from tests.services.factories import (
        AddressFactory,
        DependantFactory,
        SlotFactory,
        book,
        pay,
        public_listing,
    )

    provider = provider_a
    objects: dict = {"provider": provider}
    provider_update(provider=provider, actor=staff_a, logo=_png("logo.png"))
    listing = public_listing(provider)
    objects["listing"] = listing
    objects["branch"] = listing.branch
    objects["licence"] = provider.licences.first()
    staff_member = StaffMemberFactory(provider=provider)
    CertificateFactory(staff=staff_member)
    objects["staff_member"] = staff_member
    objects["photo"] = listing_photo_add(listing=listing, actor=staff_a, image=_png())
    objects["free_slot"] = SlotFactory(
        listing=listing, starts_at=(timezone.now() + dt.timedelta(days=5)).replace(minute=0)
    )

    # A resident's own things.
    AddressFactory(owner=wang_fang)
    DependantFactory(owner=wang_fang)
    done = completed_booking(wang_fang, provider, staff_a, listing=listing)
    review = review_create(
        booking=done,
        resident=wang_fang,
        overall=4,
        dimensions=ratings_for(listing.category.domain, 4),
        text="饭菜可口，送餐准时。",
        photos=[_png()],
    )
    objects["review"] = review
    objects["unreviewed"] = completed_booking(wang_fang, provider, staff_a, listing=listing)
    waiting = book(
        wang_fang,
        SlotFactory(
            listing=listing,
            starts_at=(timezone.now() + dt.timedelta(days=9)).replace(minute=0, second=0),
        ),
    )
    objects["waiting_booking"] = waiting
    paid = book(
        wang_fang,
        SlotFactory(
            listing=listing,
            starts_at=(timezone.now() + dt.timedelta(days=10)).replace(minute=0, second=0),
        ),
    )
    pay(paid)
    objects["paid_booking"] = paid

    complaint = complaint_file(
        resident=wang_fang,
        provider=provider,
        category="service_quality",
        description="护理员服务态度恶劣，多次催促老人。",
        files=[_pdf("receipt.pdf")],
    )
    objects["complaint"] = complaint

    # Inspections: one recorded (with a failed item and a photo), one planned.
    today = timezone.localdate()
    inspection = inspection_plan(
        official=official_wuhou,
        provider=provider,
        kind="routine",
        due_on=today + dt.timedelta(days=3),
        domain="eldercare",
    )
    from ratings import checklists

    first_item = checklists.checklist_for_domain("eldercare").items[0].code
    inspection_record(
        inspection=inspection,
        official=official_wuhou,
        items=full_marks("eldercare", **{first_item: 0}),
        findings="消防通道堆放杂物。",
        rectification_due=today + dt.timedelta(days=14),
        photos=[_png("site.png")],
    )
    objects["inspection"] = inspection
    objects["planned_inspection"] = inspection_plan(
        official=official_wuhou,
        provider=provider,
        kind="routine",
        due_on=today + dt.timedelta(days=30),
        domain="eldercare",
    )

    # Credit: a negative event appealed with evidence, a red-list entry.
    event = CreditEventFactory(provider=provider, kind=CreditEvent.Kind.COMPLAINT_UPHELD)
    objects["appeal"] = appeal_submit(
        provider=provider,
        event=event,
        actor=staff_a,
        statement="已完成整改，加强护理员培训。",
        evidence=_pdf("rectified.pdf"),
    )
    other = ProviderFactory(division_id="510107")
    BranchFactory(provider=other)
    objects["list_entry"] = list_add(
        official=official_wuhou,
        provider=other,
        list="red",
        reason="连续三年无投诉，服务质量优秀",
        basis="《成都市养老服务条例》",
        starts_on=today,
    )
    objects["pending_provider"] = ProviderFactory(
        division_id="510107", status=Provider.Status.SUBMITTED
    )

    # Matching: wang_fang's matched need with two candidates; a 代办 need of the official.
    need = NeedFactory(resident=wang_fang)
    offers = [(listing, objects["free_slot"])]
    second = public_listing(provider)
    offers.append((second, SlotFactory(listing=second)))
    candidates = proposals(need, offers, run=RunFactory(need=need))
    objects["need"] = need
    # A second need whose run is still queued: its page polls the progress fragment.
    waiting_need = NeedFactory(resident=wang_fang)
    RunFactory(need=waiting_need, status="queued", progress=0, finished_at=None)
    objects["waiting_need"] = waiting_need
    objects["candidate"] = candidates[0]
    proxy = NeedFactory(
        resident=official_city,
        proxy_name="李秀英",
        proxy_phone="13800009999",
        status=Need.Status.OPEN,
    )
    objects["proxy_need"] = proxy
    objects["lead"] = proposals(proxy, [(listing, None)], run=RunFactory(need=proxy))[0]

    # Open data: the catalogue, a published release, an application with a key.
    catalogue_sync()
    cases = Dataset.objects.get(slug="complaint-cases")
    with TestCase.captureOnCommitCallbacks(execute=True):
        run = releases.run_request(dataset=cases)
    run.refresh_from_db()
    objects["run"] = run
    # A second release queued (its task would start when the transaction commits).
    objects["queued_run"] = releases.run_request(dataset=cases)
    application = access.application_submit(
        dataset=cases,
        applicant=staff_a,
        field_names=dataset_field_names(cases),
        organisation_name="成都社会服务研究院",
        credit_code=CREDIT_CODE,
        purpose="研究各区县投诉办结用时的差异。",
        fields=["district", "month", "days_to_close"],
        duration_days=30,
        security_measures="专人管理，加密存储，不向第三方提供，期满删除。",
        agreement_accepted=True,
    )
    application = access.application_decide(
        application=application, official=official_city, approve=True
    )
    objects["application"] = application
    objects["key"], _secret = access.key_issue(application=application, user=staff_a)

    # Volunteers' recognition: a volunteer with confirmed hours this year (her public profile,
    # the ranking), and a volunteer organisation waiting for the officials' review.
    from tests.accounts.factories import UserFactory
    from tests.volunteers import factories as vol_factories
    from volunteers.models import HourRecord, Organisation

    ranked = vol_factories.volunteer(UserFactory(name="欧阳志愿"))
    team = vol_factories.organisation(staff_a, name="浆洗街志愿服务队")
    served = vol_factories.activity(team, starts_in=-dt.timedelta(hours=4), hours=2)
    vol_factories.hour_record(served, ranked, status=HourRecord.Status.CONFIRMED)
    objects["ranked_volunteer"] = ranked
    objects["pending_volunteer_org"] = vol_factories.organisation(
        staff_a, name="望江志愿服务队", status=Organisation.Status.SUBMITTED
    )

    # The time bank: 王芳's eldercare hours banked at a team staff_a runs, a service the team
    # lists (its redeem page) and her request for it (the team's queue and its detail page).
    from volunteers.models import Volunteer
    from volunteers.services import redemption_create

    saver = Volunteer.objects.filter(user=wang_fang).first() or vol_factories.volunteer(wang_fang)
    tb_team = vol_factories.organisation(staff_a, name="时间银行志愿服务队")
    vol_factories.banked(saver, org=tb_team, days_ago=6)
    objects["timebank_service"] = vol_factories.timebank_service(tb_team)
    objects["timebank_redemption"] = redemption_create(
        user=wang_fang,
        service=objects["timebank_service"],
        wanted_on=today + dt.timedelta(days=1),
    )

    # Volunteers' pages: an upcoming activity of staff_a's team (the search lists it, its page
    # takes sign-ups) with 王芳 accepted (the organiser's rows: attendance, contact, the code).
    from volunteers.services import signup_create, signup_decide

    upcoming = vol_factories.activity(
        team, title="周末陪伴独居老人", starts_in=dt.timedelta(days=3)
    )
    signup_decide(
        signup=signup_create(
            activity=upcoming, user=wang_fang, position_id=upcoming.positions.first().pk
        ),
        actor=staff_a,
        accept=True,
    )
    objects["volunteer_activity"] = upcoming

    # Certificates and disputes: 王芳's certificate (its PDF, the public check) and her open
    # dispute of a record at staff_a's team (her dispute page, the organiser's queue).
    holder = Volunteer.objects.get(user=wang_fang)
    objects["volunteer_certificate"] = vol_factories.certificate(holder)
    disputed = vol_factories.hour_record(
        vol_factories.activity(team, starts_in=-dt.timedelta(days=9), hours=2), holder
    )
    objects["volunteer_dispute"] = vol_factories.dispute(disputed)

    # Charity: staff_a owns a charity with an open project (a donation and a disbursement on
    # its chain, a disclosure published): the public page, its donation form, the ledger desk.
    from tests.socialorgs import factories_charity as charity_factories

    fund = charity_factories.project(charity_factories.charity(staff_a))
    charity_factories.donate(fund, "300.00", anonymous=True)
    charity_factories.disburse(fund, "100.00")
    # 王芳's online pledge waits for the money: her donate page lists it (with its cancel
    # form), the ledger desk too (with 确认到账 and 未到账，取消).
    charity_factories.pledge(fund, wang_fang, "50.00")
    objects["charity_project"] = fund

    # Social organisations, the registry: staff_a owns one in 武侯区 with last year's report
    # waiting for review and a 5A grade (一网通查 lists it; the city's 民政 reaches its pages and
    # the review; staff_a its report form).
    from tests.socialorgs.factories_registry import evaluation as so_evaluation
    from tests.socialorgs.factories_registry import indexed_org
    from tests.socialorgs.factories_registry import report as so_report

    registered = indexed_org(staff_a, name="浆洗街社会工作服务中心", division_id="510107")
    so_report(registered, today.year - 1, status="submitted")
    so_evaluation(registered, grade=5, awarded_on=today, official=official_city)
    objects["social_organisation"] = registered

    # Credit and complaints: the organisation on 活动异常名录, an exposure in 武侯区, and
    # 王芳's complaint about it (its owner staff_a reads and answers it; the city's 民政 sees it
    # on the board and the organisation's credit desk).
    from socialorgs.services.complaints import org_complaint_file
    from socialorgs.services.credit import illegal_org_expose
    from tests.socialorgs.factories_credit import listed as so_listed

    so_listed(official_city, registered)
    illegal_org_expose(
        actor=official_city,
        name="武侯国学养生总会",
        description="未经登记发展会员。",
        division="510107",
        basis="《取缔非法民间组织暂行办法》第二条",
        exposed_on=today,
    )
    objects["social_org_complaint"] = org_complaint_file(
        resident=wang_fang,
        organisation=registered,
        category="fees",
        description="培训费收取后不开票。",
    )

    # Social work: the organisation runs an active project with a social worker; 王芳 accepted
    # it for her father (the organisation's case page) and a completed case waits for her
    # review (her request pages, the review form).
    from tests.socialorgs import factories_socialwork as sw_factories

    sw_project = sw_factories.project(registered, title="浆洗街长者关爱社工服务")
    sw_factories.worker(registered)
    sw_factories.accepted(wang_fang, project_=sw_project)
    sw_factories.completed(wang_fang, project_=sw_project, target_group="disabled")
    # A held review waits for the officials (the moderation page's forms); a published one
    # carries the residents' report form on the project's page.
    sw_factories.review(sw_project)
    sw_factories.review(sw_project, status="published")

    users = {
        "anonymous": None,
        "resident": wang_fang,
        "provider": staff_a,
        "official": official_city,
        "admin": platform_admin,
    }
    # Pages no link leads to: the e-mailed password-reset link and the htmx progress
    # fragments (polled only while a run is going).
    uid = urlsafe_base64_encode(force_bytes(wang_fang.pk))
    seeds = [
        reverse(
            "accounts:password-reset-confirm",
            kwargs={"uidb64": uid, "token": default_token_generator.make_token(wang_fang)},
        ),
        reverse("matching:need-progress", args=[waiting_need.pk]),
        reverse("opendata:run-progress", args=[objects["queued_run"].pk]),
        # The ranking a visitor opens first shows another district: the profile directly.
        reverse("volunteers:profile", args=[ranked.number]),
        # The organiser's time-bank pages (also linked from the organisation's own page).
        reverse("volunteers:org-redemptions", args=[tb_team.pk]),
        reverse("volunteers:org-timebank-services", args=[tb_team.pk]),
        # A dispute page opens from the volunteer's hours; the queue from the team's page.
        reverse("volunteers:dispute-raise", args=[disputed.pk]),
        reverse("volunteers:org-disputes", args=[team.pk]),
        # The catalogue has more open datasets than the crawl visits per route: the
        # conditional one's application form directly.
        reverse("opendata:apply", args=["complaint-cases"]),
    ]
    return World(users=users, objects=objects, seeds=seeds)
