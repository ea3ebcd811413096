"""Demo listings: two or three per approved organisation, with weekly schedules and two
weeks of slots. Bulk-created; organisations that already have listings are left alone."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from providers.demo import HAND_MADE
from providers.domains import Domain
from providers.models import Branch, Provider
from services.models import Category, Listing, ScheduleRule, Slot
from services.services.listings import categories_load, set_search_terms
from services.services.schedules import _desired_slots
from services.services.visibility import listings_refresh_visibility

# category code -> (title, price in fen, unit, delivery, weekday rules, slot minutes, capacity)
OFFERS = {
    Domain.ELDERCARE: [
        ("elder_meals", "社区长者食堂午餐", 1500, "visit", "at_branch", (0, 6), (11, 13), 60, 40),
        (
            "elder_home_nursing",
            "上门生活照料（2小时）",
            8000,
            "visit",
            "at_home",
            (0, 5),
            (9, 17),
            120,
            2,
        ),
        (
            "elder_day_care",
            "日间照料（含午餐午休）",
            6000,
            "day",
            "at_branch",
            (0, 5),
            (8, 17),
            540,
            20,
        ),
        ("elder_bathing", "助浴服务", 6000, "visit", "at_home", (1, 4), (9, 16), 90, 1),
    ],
    Domain.CHILDCARE: [
        (
            "child_full_day",
            "全日托（18–36月龄）",
            320000,
            "month",
            "at_branch",
            (0, 5),
            (8, 18),
            600,
            15,
        ),
        (
            "child_half_day",
            "半日托（上午班）",
            180000,
            "month",
            "at_branch",
            (0, 5),
            (8, 12),
            240,
            10,
        ),
        ("child_hourly", "计时托", 5000, "hour", "at_branch", (0, 5), (9, 17), 60, 4),
    ],
    Domain.DOMESTIC: [
        (
            "home_routine_cleaning",
            "日常保洁（3小时）",
            12000,
            "visit",
            "at_home",
            (0, 7),
            (8, 18),
            180,
            3,
        ),
        ("home_deep_cleaning", "深度保洁", 38000, "visit", "at_home", (0, 7), (8, 17), 240, 2),
        (
            "home_hospital_escort",
            "医院陪护（日间）",
            22000,
            "day",
            "at_home",
            (0, 7),
            (8, 20),
            720,
            2,
        ),
    ],
    Domain.HEALTH: [
        (
            "health_family_doctor",
            "家庭医生签约（基础包）",
            0,
            "package",
            "at_branch",
            (0, 5),
            (8, 12),
            30,
            4,
        ),
        (
            "health_chronic_followup",
            "高血压糖尿病随访",
            0,
            "visit",
            "at_branch",
            (0, 5),
            (14, 17),
            30,
            3,
        ),
        (
            "health_home_nursing",
            "上门护理（换药、导管护理）",
            15000,
            "visit",
            "at_home",
            (0, 5),
            (9, 17),
            60,
            1,
        ),
    ],
}
SLOT_DAYS = 14
SLOTTED_LISTINGS = 1500
HAND_MADE_NAMES = {row[0] for row in HAND_MADE}
PACKAGE_CATEGORIES = {"elder_meals", "elder_home_nursing"}


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    categories_load()  # there from the migration, but a flushed test database lacks it
    categories = {c.code: c for c in Category.objects.all()}
    providers = list(
        Provider.objects.filter(status=Provider.Status.APPROVED, listings__isnull=True)
        .prefetch_related("branches")
        .order_by("credit_code")
    )
    listings, rules_by_listing = [], []
    for provider in providers:
        branch: Branch | None = next(iter(provider.branches.all()), None)
        domain = provider.domains[0] if provider.domains else None
        if branch is None or domain not in OFFERS:
            continue
        rng = random.Random(provider.credit_code)  # noqa: S311 - demo data
        offers = rng.sample(OFFERS[domain], k=min(len(OFFERS[domain]), rng.randint(2, 3)))
        if provider.name in HAND_MADE_NAMES:
            offers = OFFERS[domain]  # the personas' organisations offer everything
        for code, title, price, unit, delivery, days, hours, minutes, capacity in offers:
            listing = Listing(
                # A 20-use card (次卡) on meals and home care: prepaid, held, released per use.
                package_uses=20 if code in PACKAGE_CATEGORIES else None,
                package_price_fen=price * 18 if code in PACKAGE_CATEGORIES else None,
                package_valid_days=90 if code in PACKAGE_CATEGORIES else None,
                provider=provider,
                branch=branch,
                category=categories[code],
                title=title,
                description=f"{provider.name}提供的{categories[code].name}服务。",
                price_fen=price,
                price_unit=unit,
                delivery_mode=delivery,
                duration_minutes=minutes,
                capacity_per_slot=capacity,
                status=Listing.Status.PUBLISHED,
                languages=["普通话", "四川话"],
                subsidies=["advanced_age", "disability"] if domain == Domain.ELDERCARE else [],
                age_min_months=18 if code == "child_full_day" else None,
                age_max_months=36 if domain == Domain.CHILDCARE else None,
            )
            set_search_terms(listing)
            listings.append(listing)
            rules_by_listing.append(
                [
                    ScheduleRule(
                        weekday=day,
                        start=dt.time(hours[0]),
                        end=dt.time(hours[1]),
                        slot_minutes=minutes,
                        capacity=capacity,
                    )
                    for day in range(*days)
                ]
            )
    Listing.objects.bulk_create(listings, batch_size=2000)
    rules = []
    for listing, listing_rules in zip(listings, rules_by_listing, strict=True):
        for rule in listing_rules:
            rule.listing = listing
            rules.append(rule)
    ScheduleRule.objects.bulk_create(rules, batch_size=5000)
    for listing in listings:
        if listing.delivery_mode == Listing.DeliveryMode.AT_HOME:
            listing.service_divisions.add(listing.branch.division_id)

    # Two weeks of slots for the first copy of the city; the copies made for --scale get
    # schedules only (the nightly job fills them), so a 200k-listing database stays sane.
    now = timezone.now()
    slots = []
    for listing in listings[:SLOTTED_LISTINGS]:
        desired = _desired_slots(listing, timezone.localdate(now), SLOT_DAYS)
        slots += [
            Slot(listing=listing, starts_at=start, ends_at=end, capacity=cap, remaining=cap)
            for start, (end, cap) in desired.items()
            if start > now
        ]
    Slot.objects.bulk_create(slots, batch_size=5000, ignore_conflicts=True)
    listings_refresh_visibility()
    log(f"services: {len(listings)} new listings, {len(rules)} schedule rules, {len(slots)} slots")
    seed_resident_records(log=log)


def seed_resident_records(*, log: Callable[[str], object]) -> None:
    """王芳's saved address and her father as a family member, 李娜's mother (王芳), a
    family-doctor package in 武侯区, and one paid booking on 幸福里's desk. Once only."""
    from portal.accounts.models import User
    from providers.models import StaffMember
    from services.gateways.sandbox import SandboxGateway
    from services.models import Address, Dependant, FamilyDoctorPackage, Payment
    from services.services import bookings, payments

    wang = User.objects.filter(phone="+8613800000001").first()
    li = User.objects.filter(phone="+8613800000002").first()
    if wang is None or li is None or wang.addresses.exists():
        return
    # 王芳's home, which her daughter also keeps as "妈妈家" to book home visits for her.
    home, _mothers = (
        Address.objects.create(
            owner=owner,
            label=label,
            division_id="510107",
            detail="武侯区浆洗街街道洗面桥街 8 号 3 栋 2 单元 501",
            latitude="30.641200",
            longitude="104.043100",
            is_default=True,
        )
        for owner, label in ((wang, "家"), (li, "妈妈家"))
    )
    Dependant.objects.create(
        owner=wang,
        name="王建国",
        relationship=Dependant.Relationship.PARENT,
        gender=Dependant.Gender.MALE,
        birth_date=dt.date(1942, 5, 1),
        care_notes="高血压，行动较慢",
        authority=Dependant.Authority.CONSENT,
    )
    Dependant.objects.create(
        owner=li,
        name="王芳",
        relationship=Dependant.Relationship.PARENT,
        gender=Dependant.Gender.FEMALE,
        authority=Dependant.Authority.CONSENT,
    )
    health = (
        Provider.objects.filter(
            status=Provider.Status.APPROVED, domains__contains=["health"], division_id="510107"
        )
        .order_by("credit_code")
        .first()
    )
    if health is not None:
        package = FamilyDoctorPackage.objects.create(
            provider=health,
            name="家庭医生基础签约服务包",
            description="健康档案、慢病随访、健康咨询，每年一次健康评估。",
            annual_fee_fen=0,
        )
        package.included_categories.set(["health_family_doctor", "health_chronic_followup"])
        package.team.set(StaffMember.objects.filter(provider=health, is_active=True)[:3])
    meals = Listing.objects.filter(
        provider__name="幸福里养老服务中心", category_id="elder_meals", is_public=True
    ).first()
    slot = meals and meals.slots.filter(starts_at__gt=timezone.now(), remaining__gt=0).first()
    booked = 0
    if slot is not None:
        booking = bookings.booking_create(
            resident=wang, slot_id=slot.pk, idempotency_key="demo-first-booking", address=home
        )
        payment = booking.payments.filter(status=Payment.Status.PENDING).first()
        if payment is not None:
            body, signature = SandboxGateway().charge(
                reference=payment.gateway_reference, amount_fen=payment.amount_fen
            )
            payments.callback_receive(gateway="sandbox", body=body, signature=signature)
        booked = 1
    log(f"services: resident addresses and family members, {booked} demo booking")
