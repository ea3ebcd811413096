"""Credit supervision: points and grades, idempotent events, red and black lists (search and
bookings), credit repair, the receivers of upheld complaints and inspections, the nightly job."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import QueryDict
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from providers.models import Provider
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Complaint, CreditAppeal, CreditEvent, CreditListEntry, Inspection
from ratings.services import credit
from ratings.signals import complaint_upheld, inspection_completed
from ratings.tasks import refresh_credit
from services.errors import BookingError
from services.selectors import listing_search
from tests.providers.factories import PDF_BYTES, LicenceFactory, ProviderFactory
from tests.ratings.factories import CreditAppealFactory, CreditEventFactory, CreditListEntryFactory
from tests.services.factories import SlotFactory, book, public_listing

K = CreditEvent.Kind
BASIS = "《养老机构管理办法》第四十六条"
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def upload(name: str = "evidence.pdf", content: bytes = PDF_BYTES) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def today() -> dt.date:
    return timezone.localdate()


def record(provider, kind, *, days_ago=0, source=None, **kwargs):
    return credit.credit_record(
        provider=provider,
        kind=kind,
        occurred_on=today() - dt.timedelta(days=days_ago),
        source=source or f"test:{kind}:{days_ago}:{CreditEvent.objects.count()}",
        **kwargs,
    )


def grade_of(provider) -> str:
    provider.refresh_from_db()
    return provider.credit_grade


def blacklist(official, provider, **kwargs):
    kwargs.setdefault("reason", "虐待老人，情节严重")
    kwargs.setdefault("basis", BASIS)
    kwargs.setdefault("starts_on", today())
    return credit.list_add(official=official, provider=provider, list="black", **kwargs)


def inspection(provider, official, **kwargs) -> Inspection:
    kwargs.setdefault("inspected_on", today())
    kwargs.setdefault("status", Inspection.Status.COMPLETED)
    kwargs.setdefault("score", Decimal("80"))
    kwargs.setdefault("passed", True)
    return Inspection.objects.create(
        provider=provider,
        domain="eldercare",
        kind=Inspection.Kind.ROUTINE,
        checklist="eldercare-gbt37276",
        inspector=official,
        due_on=kwargs["inspected_on"],
        **kwargs,
    )


# --- Points and grade ---------------------------------------------------------------------------


def test_the_worked_example_gives_the_documented_grades(provider_a):
    record(provider_a, K.COMPLAINT_UPHELD)
    record(provider_a, K.GOOD_INSPECTION)
    record(provider_a, K.INSPECTION_FAILED, days_ago=4 * 365)  # too old to count
    assert credit.credit_score(provider=provider_a) == 95
    assert grade_of(provider_a) == "A"

    record(provider_a, K.COMPLAINT_UPHELD)
    assert credit.credit_score(provider=provider_a) == 85
    assert grade_of(provider_a) == "B"

    overdue = record(provider_a, K.RECTIFICATION_OVERDUE)
    assert overdue.points == -20
    assert credit.credit_score(provider=provider_a) == 65
    assert grade_of(provider_a) == "D"

    CreditEvent.objects.filter(pk=overdue.pk).update(voided_at=timezone.now())
    assert credit.credit_grade_refresh(provider=provider_a) == "B"


@pytest.mark.parametrize(
    ("score", "grade"),
    [(120, "A"), (95, "A"), (94, "B"), (85, "B"), (84, "C"), (70, "C"), (69, "D"), (0, "D")],
)
def test_grade_bands(score, grade):
    assert credit.grade_for(score) == grade


def test_the_score_stays_between_0_and_120(provider_a, provider_b):
    for _ in range(3):
        record(provider_a, K.COMMENDATION)
    assert credit.credit_score(provider=provider_a) == 120
    for _ in range(6):
        record(provider_b, K.RECTIFICATION_OVERDUE)
    assert credit.credit_score(provider=provider_b) == 0
    assert grade_of(provider_b) == "D"


def test_each_kind_has_its_documented_points():
    assert credit.POINTS == {
        "complaint_upheld": -10,
        "inspection_failed": -15,
        "rectification_overdue": -20,
        "licence_lapsed": -10,
        "good_inspection": 5,
        "commendation": 10,
    }
    assert set(credit.POINTS) == set(K.values)


def test_recording_the_same_source_twice_records_once(provider_a, staff_a):
    first = record(provider_a, K.COMPLAINT_UPHELD, source="complaint:7")
    again = record(provider_a, K.COMPLAINT_UPHELD, source="complaint:7", note="again")
    assert again.pk == first.pk
    assert CreditEvent.objects.filter(provider=provider_a).count() == 1
    assert credit.credit_score(provider=provider_a) == 90
    assert Notification.objects.filter(recipient=staff_a, kind="credit_event").count() == 1


def test_an_unknown_kind_or_missing_source_is_refused(provider_a):
    with pytest.raises(RatingsError) as exc:
        record(provider_a, "bribery")
    assert exc.value.field == "kind"
    with pytest.raises(RatingsError) as exc:
        credit.credit_record(
            provider=provider_a, kind=K.COMMENDATION, occurred_on=today(), source=" "
        )
    assert exc.value.field == "source"
    assert not CreditEvent.objects.exists()


def test_an_official_commends_providers_in_their_jurisdiction_only(
    provider_a, official_wuhou, official_city, official_jinjiang
):
    event = credit.credit_commend(
        official=official_wuhou, provider=provider_a, occurred_on=today(), note="抗疫表彰"
    )
    assert (event.kind, event.points, event.recorded_by) == (K.COMMENDATION, 10, official_wuhou)
    # The same commendation submitted twice is recorded once.
    credit.credit_commend(
        official=official_city, provider=provider_a, occurred_on=today(), note="抗疫表彰"
    )
    assert CreditEvent.objects.count() == 1
    with pytest.raises(RatingsForbidden):
        credit.credit_commend(
            official=official_jinjiang, provider=provider_a, occurred_on=today(), note="表彰"
        )
    with pytest.raises(RatingsError) as exc:
        credit.credit_commend(
            official=official_wuhou, provider=provider_a, occurred_on=today(), note=""
        )
    assert exc.value.field == "note"
    assert AuditEntry.objects.filter(action="credit.event_recorded", actor=official_wuhou).exists()


# --- Red and black lists ------------------------------------------------------------------------


@pytest.fixture
def slot(provider_a):
    return SlotFactory(listing=public_listing(provider_a), capacity=2)


def search_ids() -> set:
    return {listing.pk for listing in listing_search(params=QueryDict())["results"]}


def test_black_listing_hides_the_listings_and_refuses_bookings(
    provider_a, official_wuhou, staff_a, wang_fang, slot, django_capture_on_commit_callbacks
):
    assert slot.listing_id in search_ids()
    with django_capture_on_commit_callbacks(execute=True):
        entry = blacklist(official_wuhou, provider_a)
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.BLACKLISTED
    assert slot.listing_id not in search_ids()
    # Someone holding the old slot id is told why, and no place is taken.
    with pytest.raises(BookingError) as exc:
        book(wang_fang, slot)
    assert exc.value.code == "provider_suspended"
    assert "信用" in exc.value.message
    slot.refresh_from_db()
    assert slot.remaining == 2
    assert AuditEntry.objects.filter(action="credit.list_added", target_id=str(entry.pk)).exists()
    assert Notification.objects.filter(recipient=staff_a, kind="credit_list").exists()


def test_removing_the_black_list_entry_restores_the_provider(
    provider_a, official_wuhou, wang_fang, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = blacklist(official_wuhou, provider_a)
    with django_capture_on_commit_callbacks(execute=True):
        credit.list_remove(entry=entry, official=official_wuhou, reason="整改到位，经复查合格")
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.NORMAL
    entry.refresh_from_db()
    assert entry.removed_by == official_wuhou
    assert entry.removal_reason == "整改到位，经复查合格"
    assert slot.listing_id in search_ids()
    assert book(wang_fang, slot).pk
    with pytest.raises(RatingsConflict):
        credit.list_remove(entry=entry, official=official_wuhou, reason="再次移出")


def test_removal_does_not_lift_a_suspension_set_for_another_reason(provider_a, official_wuhou):
    entry = blacklist(official_wuhou, provider_a)
    Provider.objects.filter(pk=provider_a.pk).update(standing=Provider.Standing.SUSPENDED)
    credit.list_remove(entry=entry, official=official_wuhou, reason="移出")
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.SUSPENDED


def test_the_red_list_is_only_a_badge(
    provider_a, official_wuhou, slot, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        entry = credit.list_add(
            official=official_wuhou,
            provider=provider_a,
            list="red",
            reason="连续三年服务质量优秀",
            basis="成都市养老服务守信激励办法",
            starts_on=today(),
        )
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.NORMAL
    assert slot.listing_id in search_ids()
    assert entry.get_list_display() == "红名单"


def test_a_provider_is_on_a_list_once(provider_a, official_wuhou):
    blacklist(official_wuhou, provider_a)
    with pytest.raises(RatingsConflict) as exc:
        blacklist(official_wuhou, provider_a)
    assert exc.value.code == "already_listed"
    assert CreditListEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"reason": " "}, "reason"),
        ({"basis": ""}, "basis"),
        ({"starts_on": 3}, "starts_on"),  # days from today
        ({"ends_on": 0}, "ends_on"),
        ({"list": "grey"}, "list"),
    ],
)
def test_bad_list_input_names_the_field(provider_a, official_wuhou, changes, field):
    values = {
        "list": "black",
        "reason": "虐待老人",
        "basis": BASIS,
        "starts_on": today(),
        **changes,
    }
    for name in ("starts_on", "ends_on"):
        if isinstance(changes.get(name), int):
            values[name] = today() + dt.timedelta(days=changes[name])
    with pytest.raises(RatingsError) as exc:
        credit.list_add(official=official_wuhou, provider=provider_a, **values)
    assert exc.value.field == field
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.NORMAL
    assert not CreditListEntry.objects.exists()


def test_officials_outside_the_jurisdiction_cannot_list_or_remove(
    provider_a, official_wuhou, official_jinjiang, staff_a
):
    with pytest.raises(RatingsForbidden):
        blacklist(official_jinjiang, provider_a)
    with pytest.raises(RatingsForbidden):
        blacklist(staff_a, provider_a)
    entry = blacklist(official_wuhou, provider_a)
    with pytest.raises(RatingsForbidden):
        credit.list_remove(entry=entry, official=official_jinjiang, reason="越权")


# --- Credit repair ------------------------------------------------------------------------------


def test_a_granted_appeal_voids_the_event_and_restores_the_grade(
    provider_a, staff_a, official_wuhou
):
    event = record(provider_a, K.RECTIFICATION_OVERDUE)
    record(provider_a, K.COMPLAINT_UPHELD)
    assert grade_of(provider_a) == "C"
    appeal = credit.appeal_submit(
        provider=provider_a,
        event=event,
        actor=staff_a,
        statement="已于上周完成消防通道整改，附复查照片。",
        evidence=upload("photo.png", PNG_BYTES),
    )
    assert appeal.status == CreditAppeal.Status.SUBMITTED
    assert appeal.evidence_type == "image/png"
    assert appeal.evidence.name.startswith("private/appeals/")
    assert Notification.objects.filter(recipient=official_wuhou, kind="credit_appeal").exists()

    credit.appeal_decide(appeal=appeal, official=official_wuhou, grant=True, reason="")
    appeal.refresh_from_db()
    event.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.GRANTED
    assert appeal.decided_by == official_wuhou
    assert event.voided_at is not None
    assert grade_of(provider_a) == "B"
    assert AuditEntry.objects.filter(action="credit.appeal_granted").exists()
    assert Notification.objects.filter(
        recipient=staff_a, kind="credit_appeal", title__contains="已修复"
    ).exists()
    with pytest.raises(RatingsConflict):
        credit.appeal_decide(appeal=appeal, official=official_wuhou, grant=False, reason="改判")


def test_a_refused_appeal_needs_a_reason_and_the_event_keeps_counting(
    provider_a, staff_a, official_wuhou
):
    appeal = CreditAppealFactory(event__provider=provider_a, submitted_by=staff_a)
    with pytest.raises(RatingsError) as exc:
        credit.appeal_decide(appeal=appeal, official=official_wuhou, grant=False, reason=" ")
    assert exc.value.field == "reason"
    reason = "整改材料不足"
    credit.appeal_decide(appeal=appeal, official=official_wuhou, grant=False, reason=reason)
    appeal.refresh_from_db()
    assert appeal.status == CreditAppeal.Status.REFUSED
    assert appeal.decision_reason == "整改材料不足"
    appeal.event.refresh_from_db()
    assert appeal.event.voided_at is None
    # A refused appeal may be followed by a new one.
    again = credit.appeal_submit(
        provider=provider_a, event=appeal.event, actor=staff_a, statement="补充了材料"
    )
    assert again.status == CreditAppeal.Status.SUBMITTED


def test_one_open_appeal_per_event(provider_a, staff_a):
    event = CreditEventFactory(provider=provider_a)
    credit.appeal_submit(provider=provider_a, event=event, actor=staff_a, statement="已整改")
    with pytest.raises(RatingsConflict) as exc:
        credit.appeal_submit(provider=provider_a, event=event, actor=staff_a, statement="再次")
    assert exc.value.code == "appeal_open"


def test_appeal_rules(provider_a, provider_b, staff_a, staff_b, official_wuhou, official_jinjiang):
    event = CreditEventFactory(provider=provider_a)
    with pytest.raises(RatingsForbidden):
        credit.appeal_submit(provider=provider_a, event=event, actor=staff_b, statement="冒名")
    with pytest.raises(RatingsError) as exc:
        credit.appeal_submit(provider=provider_b, event=event, actor=staff_b, statement="别人的")
    assert exc.value.field == "event"
    good = CreditEventFactory(provider=provider_a, kind=K.COMMENDATION, points=10)
    with pytest.raises(RatingsError) as exc:
        credit.appeal_submit(provider=provider_a, event=good, actor=staff_a, statement="加分")
    assert exc.value.code == "not_negative"
    with pytest.raises(RatingsError) as exc:
        credit.appeal_submit(provider=provider_a, event=event, actor=staff_a, statement="")
    assert exc.value.field == "statement"
    fake = SimpleUploadedFile(
        "evidence.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf"
    )
    with pytest.raises(RatingsError) as exc:
        credit.appeal_submit(
            provider=provider_a, event=event, actor=staff_a, statement="已整改", evidence=fake
        )
    assert (exc.value.field, exc.value.code) == ("evidence", "file_type")
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "application/pdf")
    with pytest.raises(RatingsError) as exc:
        credit.appeal_submit(
            provider=provider_a, event=event, actor=staff_a, statement="已整改", evidence=big
        )
    assert exc.value.code == "file_too_large"
    assert not CreditAppeal.objects.exists()

    appeal = credit.appeal_submit(
        provider=provider_a, event=event, actor=staff_a, statement="已整改", evidence=upload()
    )
    with pytest.raises(RatingsForbidden):
        credit.appeal_decide(appeal=appeal, official=official_jinjiang, grant=True, reason="")


# --- Receivers ----------------------------------------------------------------------------------


def test_an_upheld_complaint_costs_ten_points_once(provider_a, wang_fang):
    complaint = Complaint.objects.create(
        reference="TS260105F000001",
        resident=wang_fang,
        provider=provider_a,
        division_id=provider_a.division_id,
        category=Complaint.Category.SERVICE_QUALITY,
        description="上门助浴迟到一个半小时。",
        status=Complaint.Status.RESOLVED,
        upheld=True,
        closed_at=timezone.now(),
    )
    complaint_upheld.send(sender=Complaint, complaint=complaint)
    complaint_upheld.send(sender=Complaint, complaint=complaint)
    event = CreditEvent.objects.get(provider=provider_a)
    assert (event.kind, event.points, event.source) == (
        K.COMPLAINT_UPHELD,
        -10,
        f"complaint:{complaint.pk}",
    )
    assert complaint.reference in event.note
    assert grade_of(provider_a) == "B"


def test_a_failed_inspection_costs_fifteen_points(provider_a, official_wuhou):
    failed = inspection(provider_a, official_wuhou, score=Decimal("52"), passed=False)
    inspection_completed.send(sender=Inspection, inspection=failed)
    inspection_completed.send(sender=Inspection, inspection=failed)
    event = CreditEvent.objects.get(provider=provider_a)
    assert (event.kind, event.points, event.source) == (
        K.INSPECTION_FAILED,
        -15,
        f"inspection:{failed.pk}",
    )


def test_a_good_inspection_earns_five_points_and_an_ordinary_pass_nothing(
    provider_a, official_wuhou
):
    ordinary = inspection(provider_a, official_wuhou, score=Decimal("89.5"))
    inspection_completed.send(sender=Inspection, inspection=ordinary)
    assert not CreditEvent.objects.exists()

    good = inspection(provider_a, official_wuhou, score=Decimal("108"))
    good.items.create(code="E1", area="环境", text="环境", score=58, max_score=60)
    good.items.create(code="E2", area="环境", text="环境", score=50, max_score=60)
    inspection_completed.send(sender=Inspection, inspection=good)
    event = CreditEvent.objects.get(provider=provider_a)
    assert (event.kind, event.points) == (K.GOOD_INSPECTION, 5)


# --- The nightly job ----------------------------------------------------------------------------


def test_the_nightly_job_is_idempotent(
    provider_a, provider_b, official_wuhou, official_jinjiang, django_capture_on_commit_callbacks
):
    start = today()
    with django_capture_on_commit_callbacks(execute=True):
        entry = blacklist(official_wuhou, provider_a, ends_on=start + dt.timedelta(days=10))
    late = inspection(
        provider_a,
        official_wuhou,
        passed=False,
        score=Decimal("50"),
        rectification_due=start + dt.timedelta(days=5),
    )
    done = inspection(
        provider_a,
        official_wuhou,
        passed=False,
        score=Decimal("55"),
        rectification_due=start + dt.timedelta(days=5),
        rectified_on=start + dt.timedelta(days=4),
    )
    tardy = inspection(
        provider_a,
        official_wuhou,
        passed=False,
        score=Decimal("45"),
        rectification_due=start + dt.timedelta(days=5),
        rectified_on=start + dt.timedelta(days=7),
    )
    LicenceFactory(
        provider=provider_b, kind="childcare_filing", valid_until=start + dt.timedelta(days=3)
    )
    quiet = ProviderFactory(division_id="510107")  # no events: graded A

    night = timezone.make_aware(dt.datetime.combine(start + dt.timedelta(days=20), dt.time(1, 20)))
    with time_machine.travel(night, tick=False), django_capture_on_commit_callbacks(execute=True):
        first = refresh_credit.delay().get()
        second = refresh_credit.delay().get()

    assert first["entries_ended"] == 1
    assert first["rectifications_overdue"] == 2
    assert first["licences_lapsed"] == 1
    assert second == {
        "entries_ended": 0,
        "rectifications_overdue": 0,
        "licences_lapsed": 0,
        "grades_changed": 0,
    }
    entry.refresh_from_db()
    assert entry.removed_at is not None
    assert entry.removed_by is None
    provider_a.refresh_from_db()
    assert provider_a.standing == Provider.Standing.NORMAL
    overdue = CreditEvent.objects.filter(kind=K.RECTIFICATION_OVERDUE, provider=provider_a)
    assert {e.source for e in overdue} == {f"rectification:{late.pk}", f"rectification:{tardy.pk}"}
    assert {e.occurred_on for e in overdue} == {start + dt.timedelta(days=6)}
    assert not CreditEvent.objects.filter(source=f"rectification:{done.pk}").exists()
    lapsed = CreditEvent.objects.get(kind=K.LICENCE_LAPSED)
    assert lapsed.provider == provider_b
    assert lapsed.occurred_on == start + dt.timedelta(days=4)
    assert (grade_of(provider_a), grade_of(provider_b), grade_of(quiet)) == ("D", "B", "A")


def test_old_events_stop_counting_at_the_nightly_regrade(provider_a):
    credit.credit_record(
        provider=provider_a,
        kind=K.RECTIFICATION_OVERDUE,
        occurred_on=credit.window_start(today()),
        source="rectification:old",
        points=-40,
    )
    assert grade_of(provider_a) == "D"
    tomorrow = timezone.now() + dt.timedelta(days=1)
    with time_machine.travel(tomorrow, tick=False):
        result = credit.credit_refresh()
    assert result["grades_changed"] >= 1
    assert grade_of(provider_a) == "A"


def test_the_job_runs_nightly_after_listing_visibility():
    entry = settings.CELERY_BEAT_SCHEDULE["refresh-credit"]
    assert entry["task"] == "ratings.tasks.refresh_credit"
    assert (entry["schedule"].hour, entry["schedule"].minute) == ({1}, {20})


def test_an_entry_row_from_the_factory_is_in_force(provider_b):
    entry = CreditListEntryFactory(provider=provider_b, list="red")
    assert credit.list_entries_expire() == 0
    entry.refresh_from_db()
    assert entry.removed_at is None
