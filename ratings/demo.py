"""Demo quality data: 王芳's completed and reviewed booking at 幸福里 (through the real
services, money included), and, for the full city, reviews, inspections with grades,
complaints at every stage (some overdue), credit events and list entries so that every
board has something real to show. Runs once: it stops when 王芳's demo review exists.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable

from django.utils import timezone

from portal.accounts.models import User
from providers.models import Provider
from ratings.dimensions import dimension_codes
from ratings.models import Complaint, CreditListEntry, Inspection, Review

WANG = "+8613800000001"
COMMENTS = [
    "饭菜可口，分量足，工作人员很耐心。",
    "护理员准时上门，手法专业，老人很满意。",
    "环境干净，活动丰富，就是周末人有点多。",
    "价格实惠，服务周到，会继续预约。",
    "沟通及时，改期也很方便。",
    "总体不错，希望增加口味清淡的菜。",
]


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    wang = User.objects.filter(phone=WANG).first()
    if wang is None or Review.objects.filter(resident=wang).exists():
        return
    reviewed = _wang_fang_reviews_her_lunch(wang)
    if minimal:
        log(f"ratings: {reviewed} demo review")
        return
    rng = random.Random(37276)  # noqa: S311 - demo data
    reviews = _reviews(rng)
    inspections = _inspections(rng)
    complaints = _complaints(rng, wang)
    credit = _credit(rng)
    from ratings.services.scores import scores_recompute_all

    scores_recompute_all()
    log(
        f"ratings: {reviews + reviewed} reviews, {inspections} inspections, "
        f"{complaints} complaints, {credit} credit events and list entries"
    )


def _past_slot(listing, days_ago: int):
    from services.models import Slot

    start = (timezone.now() - dt.timedelta(days=days_ago)).replace(
        hour=11, minute=0, second=0, microsecond=0
    )
    slot, _ = Slot.objects.get_or_create(
        listing=listing,
        starts_at=start,
        defaults={
            "ends_at": start + dt.timedelta(hours=1),
            "capacity": 40,
            "remaining": 40,
            "generated": False,
        },
    )
    return slot


def _wang_fang_reviews_her_lunch(wang) -> int:
    """A real booking, paid into escrow, delivered and released, then reviewed."""
    from ratings.services.reviews import review_create
    from services.gateways.sandbox import SandboxGateway
    from services.models import Listing, Payment
    from services.services import bookings, payments

    listing = Listing.objects.filter(
        provider__name="幸福里养老服务中心", category_id="elder_meals", is_public=True
    ).first()
    owner = User.objects.filter(phone="+8613900000001").first()
    if listing is None or owner is None:
        return 0
    slot = _past_slot(listing, days_ago=3)
    booking = bookings.booking_create(
        resident=wang,
        slot_id=slot.pk,
        idempotency_key="demo-reviewed-lunch",
        now=slot.starts_at - dt.timedelta(days=1),
    )
    payment = booking.payments.filter(status=Payment.Status.PENDING).first()
    if payment is not None:
        body, signature = SandboxGateway().charge(
            reference=payment.gateway_reference, amount_fen=payment.amount_fen
        )
        payments.callback_receive(gateway="sandbox", body=body, signature=signature)
    for action in ("confirm", "start", "complete"):
        booking = bookings.booking_transition(booking=booking, action=action, actor=owner)
    # A second completed lunch she has not reviewed yet (for the browser journey).
    second = bookings.booking_create(
        resident=wang,
        slot_id=_past_slot(listing, days_ago=2).pk,
        idempotency_key="demo-unreviewed-lunch",
        now=slot.starts_at,
    )
    pending = second.payments.filter(status=Payment.Status.PENDING).first()
    if pending is not None:
        body, signature = SandboxGateway().charge(
            reference=pending.gateway_reference, amount_fen=pending.amount_fen
        )
        payments.callback_receive(gateway="sandbox", body=body, signature=signature)
    for action in ("confirm", "start", "complete"):
        bookings.booking_transition(booking=second, action=action, actor=owner)
    review_create(
        booking=booking,
        resident=wang,
        overall=5,
        dimensions=dict.fromkeys(dimension_codes(listing.category.domain), 5),
        text="午餐荤素搭配，老人吃得很开心，工作人员态度好。",
    )
    return 1


def _demo_residents(count: int) -> list[User]:
    from portal.accounts.demo import ensure_user

    return [ensure_user(f"138001{i:05d}", f"居民{i:03d}", User.Role.RESIDENT) for i in range(count)]


def _reviews(rng: random.Random) -> int:
    """Completed bookings (paid offline: price 0 in the demo) reviewed by demo residents,
    for a sample of providers in 武侯区 and 锦江区."""
    from django.db.models import F

    from services.models import Booking, BookingEvent, Listing, Slot

    residents = _demo_residents(40)
    listings = list(
        Listing.objects.filter(is_public=True, district__in=["510107", "510104"])
        .select_related("category", "provider")
        .order_by("id")[:120]
    )
    created = 0
    for index, listing in enumerate(listings):
        domain = listing.category.domain
        mood = rng.choice([4.6, 4.2, 3.6, 2.6])  # some providers are worse than others
        for n in range(rng.randint(1, 6)):
            resident = residents[(index * 7 + n) % len(residents)]
            slot = _past_slot(listing, days_ago=5 + n)
            booking = Booking.objects.create(
                reference=f"BKDEMO{listing.pk:06d}{n:02d}",
                resident=resident,
                listing=listing,
                provider=listing.provider,
                slot=slot,
                starts_at=slot.starts_at,
                ends_at=slot.ends_at,
                status=Booking.Status.COMPLETED,
                price_fen=0,
                free_cancel_hours=listing.free_cancel_hours,
                late_cancel_fee_pct=listing.late_cancel_fee_pct,
                confirm_by=slot.starts_at,
                idempotency_key=f"demo-review-{listing.pk}-{n}",
                note="线下支付（演示数据）",
            )
            # Made without booking_create, so take its place here: remaining = capacity − held.
            Slot.objects.filter(pk=slot.pk).update(remaining=F("remaining") - 1)
            BookingEvent.objects.create(
                booking=booking, from_status="in_service", to_status="completed", at=slot.ends_at
            )
            overall = max(1, min(5, round(rng.gauss(mood, 0.7))))
            Review.objects.create(
                booking=booking,
                resident=resident,
                provider=listing.provider,
                listing=listing,
                domain=domain,
                overall=overall,
                dimensions={
                    code: max(1, min(5, overall + rng.choice([-1, 0, 0, 1])))
                    for code in dimension_codes(domain)
                },
                text=rng.choice(COMMENTS) if overall >= 4 else "等待时间长，服务一般。",
                created_at=slot.ends_at + dt.timedelta(hours=3),
            )
            created += 1
    return created


def _inspections(rng: random.Random) -> int:
    """Inspections recorded through the service by the district officials, so grades, credit
    events and rectification deadlines follow the real rules."""
    from ratings.checklists import checklist_for_domain
    from ratings.services.inspections import inspection_plan, inspection_record

    officials = {
        "510107": User.objects.filter(phone="+8613700000001").first(),  # 武侯区 民政
        "510104": User.objects.filter(phone="+8613700000002").first(),  # 锦江区 卫健
    }
    domain_of = {"510107": "eldercare", "510104": "childcare"}
    done = 0
    for division, official in officials.items():
        if official is None:
            continue
        domain = domain_of[division]
        checklist = checklist_for_domain(domain)
        providers = Provider.objects.filter(
            division_id=division, status="approved", approved_domains__contains=[domain]
        ).order_by("credit_code")[:25]
        for provider in providers:
            inspection = inspection_plan(
                official=official,
                provider=provider,
                kind=rng.choice(["routine", "spot_check"]),
                due_on=timezone.localdate(),
                domain=domain,
            )
            quality = rng.choice([0.95, 0.85, 0.75, 0.65, 0.45])
            items = {
                item.code: round(float(item.max_score) * min(1.0, rng.gauss(quality, 0.05)))
                for item in checklist.items
            }
            failed = sum(items.values()) < 0.6 * float(checklist.max_total)
            inspection_record(
                inspection=inspection,
                official=official,
                items=items,
                findings="消防通道堆放杂物；护理记录不全。" if failed else "",
                rectification_due=timezone.localdate() + dt.timedelta(days=14) if failed else None,
            )
            if failed and rng.random() < 0.5:
                # An older failure whose rectification deadline has passed: overdue on the board.
                Inspection.objects.filter(pk=inspection.pk).update(
                    inspected_on=timezone.localdate() - dt.timedelta(days=20),
                    rectification_due=timezone.localdate() - dt.timedelta(days=3),
                )
            done += 1
        # Planned ones too, so the board shows what is due.
        for provider in Provider.objects.filter(
            division_id=division, status="approved", approved_domains__contains=[domain]
        ).order_by("-credit_code")[:5]:
            inspection_plan(
                official=official,
                provider=provider,
                kind="spot_check",
                due_on=timezone.localdate() + dt.timedelta(days=rng.randint(3, 25)),
                domain=domain,
            )
    return done


def _complaints(rng: random.Random, wang) -> int:
    from ratings.services.complaints import complaint_file, complaint_transition

    official = User.objects.filter(phone="+8613700000001").first()
    residents = _demo_residents(40)
    providers = list(
        Provider.objects.filter(division_id="510107", status="approved").order_by("credit_code")[
            :12
        ]
    )
    made = 0
    for index, provider in enumerate(providers):
        complaint = complaint_file(
            resident=residents[index],
            provider=provider,
            category=rng.choice(list(Complaint.Category.values)),
            description=rng.choice(
                ["上门护理员多次迟到。", "预付的月卡余额无法退还。", "送餐温度不够，饭菜偏凉。"]
            ),
            desired_outcome="希望机构改进并给出说明。",
        )
        made += 1
        stage = index % 4
        if stage == 0:
            # Left unaccepted past its deadline: overdue on the board.
            Complaint.objects.filter(pk=complaint.pk).update(
                stage_due_at=timezone.now() - dt.timedelta(days=1),
                created_at=timezone.now() - dt.timedelta(days=4),
            )
            continue
        complaint = complaint_transition(complaint=complaint, action="accept", actor=official)
        if stage >= 2:
            complaint = complaint_transition(
                complaint=complaint, action="investigate", actor=official
            )
        if stage == 3:
            complaint_transition(
                complaint=complaint,
                action="resolve",
                actor=official,
                outcome="经核实投诉属实，已责令机构整改并退还费用。",
                upheld=True,
            )
    return made


def _credit(rng: random.Random) -> int:
    from ratings.services.credit import credit_commend, list_add

    official = User.objects.filter(phone="+8613700000001").first()
    providers = list(
        Provider.objects.filter(division_id="510107", status="approved")
        .exclude(name="幸福里养老服务中心")
        .order_by("-credit_code")[:3]
    )
    if official is None or len(providers) < 3:
        return 0
    credit_commend(
        official=official,
        provider=providers[0],
        occurred_on=timezone.localdate() - dt.timedelta(days=30),
        note="获评区级敬老文明号",
    )
    list_add(
        official=official,
        provider=providers[1],
        list=CreditListEntry.List.RED,
        reason="连续三年检查优良，无投诉",
        basis="《成都市养老服务机构信用管理办法》（演示）",
        starts_on=timezone.localdate() - dt.timedelta(days=60),
    )
    list_add(
        official=official,
        provider=providers[2],
        list=CreditListEntry.List.BLACK,
        reason="挪用老人预付费用，拒不退还",
        basis="《养老机构管理办法》第四十六条（演示）",
        starts_on=timezone.localdate() - dt.timedelta(days=10),
    )
    return 3
