"""Complaints: filing, the handling state machine, deadlines in working days, messages, the
rating of the handling, escalation of overdue complaints and the upheld signal."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from providers.models import Provider
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Complaint
from ratings.services import complaints as service
from ratings.signals import complaint_upheld
from ratings.workdays import add_working_days, deadline_after, is_working_day
from tests.accounts.factories import OfficialFactory
from tests.providers.factories import PDF_BYTES, ProviderFactory
from tests.ratings.factories import PNG_BYTES, evidence, file_complaint
from tests.services.factories import SlotFactory, book, public_listing

TZ = ZoneInfo("Asia/Shanghai")
# Friday 9 January 2026, 10:00 in Chengdu: the weekend follows.
FRIDAY = dt.datetime(2026, 1, 9, 10, 0, tzinfo=TZ)
S = Complaint.Status


def local(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=TZ)


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def booking(clock, wang_fang, provider_a):
    return book(wang_fang, SlotFactory(listing=public_listing(provider_a, price_fen=0)))


@pytest.fixture
def complaint(clock, wang_fang, booking):
    return file_complaint(wang_fang, booking=booking)


def at(complaint, status, official) -> Complaint:
    """Take the complaint to `status` through the legal path."""
    path = {
        S.RECEIVED: [],
        S.ACCEPTED: ["accept"],
        S.NOT_ACCEPTED: ["not_accept"],
        S.INVESTIGATING: ["accept", "investigate"],
        S.RESOLVED: ["accept", "investigate", "resolve"],
        S.REJECTED: ["accept", "investigate", "reject"],
    }[status]
    for action in path:
        complaint = service.complaint_transition(
            complaint=complaint,
            action=action,
            actor=official,
            note="不属于本部门受理范围" if action == "not_accept" else "",
            outcome="经查属实，责令整改" if action in ("resolve", "reject") else "",
            upheld=True if action == "resolve" else None,
        )
    return complaint


# --- Working days ----------------------------------------------------------------------------


def test_weekends_and_public_holidays_are_not_working_days():
    assert is_working_day(dt.date(2026, 1, 9))  # a Friday
    assert not is_working_day(dt.date(2026, 1, 10))  # Saturday
    assert not is_working_day(dt.date(2026, 10, 1))  # 国庆节, a Thursday
    assert is_working_day(dt.date(2026, 10, 10))  # a Saturday worked instead (调休)


def test_counting_skips_the_weekend():
    assert add_working_days(dt.date(2026, 1, 9), 2) == dt.date(2026, 1, 13)  # Fri → Tue
    assert add_working_days(dt.date(2026, 1, 10), 2) == dt.date(2026, 1, 13)  # Sat → Tue


def test_counting_skips_a_holiday_week_and_counts_its_make_up_saturday():
    # Wednesday 30 September: 1–7 October are off, Thu 8 and Fri 9 count, Sat 10 is worked.
    assert add_working_days(dt.date(2026, 9, 30), 2) == dt.date(2026, 10, 9)
    assert add_working_days(dt.date(2026, 9, 30), 3) == dt.date(2026, 10, 10)
    # Qingming: Friday 3 April, then Sat–Mon off.
    assert add_working_days(dt.date(2026, 4, 3), 1) == dt.date(2026, 4, 7)


def test_a_deadline_ends_at_the_close_of_the_last_working_day():
    assert deadline_after(FRIDAY, 2) == local(2026, 1, 13, 23, 59, 59)
    # Resolution from Monday 28 September: 15 working days across the National Day week.
    assert deadline_after(local(2026, 9, 28, 9), 15) == local(2026, 10, 23, 23, 59, 59)


# --- Filing --------------------------------------------------------------------------------------


def test_a_resident_files_about_her_booking_and_the_officials_and_provider_are_told(
    clock,
    wang_fang,
    booking,
    provider_a,
    staff_a,
    official_wuhou,
    official_city,
    official_jinjiang,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        complaint = file_complaint(wang_fang, booking=booking, desired_outcome="退款并道歉")

    assert complaint.status == S.RECEIVED
    assert complaint.provider == provider_a  # derived from the booking
    assert complaint.division_id == "510107"
    assert complaint.reference.startswith("TS260109")
    # Filed on Friday: two working days are Monday and Tuesday.
    assert complaint.stage_due_at == local(2026, 1, 13, 23, 59, 59)
    assert complaint.events.get().to_status == S.RECEIVED
    told = set(
        Notification.objects.filter(kind="complaint.received").values_list("recipient", flat=True)
    )
    assert told == {official_wuhou.pk, official_city.pk, staff_a.pk}
    assert AuditEntry.objects.filter(action="complaint.filed", actor=wang_fang).exists()


def test_a_complaint_about_an_organisation_without_a_booking(clock, wang_fang, provider_b):
    complaint = file_complaint(wang_fang, provider=provider_b, category="fees")
    assert complaint.provider == provider_b
    assert complaint.division_id == "510104"
    assert complaint.booking is None


def test_evidence_is_stored_with_the_type_read_from_its_content(clock, wang_fang, booking):
    complaint = file_complaint(
        wang_fang,
        booking=booking,
        files=[evidence("a.pdf"), evidence("photo.jpg", PNG_BYTES)],
    )
    files = list(complaint.files.all())
    assert [f.content_type for f in files] == ["application/pdf", "image/png"]
    assert all(f.file.name.startswith("private/complaints/") for f in files)
    assert all(f.file.name.count("complaints") == 1 for f in files)
    assert files[0].file.read() == PDF_BYTES


def test_it_refuses_a_booking_that_is_not_hers(clock, daughter, booking):
    with pytest.raises(RatingsError) as error:
        file_complaint(daughter, booking=booking)
    assert error.value.code == "not_your_booking"
    assert error.value.field == "booking"
    assert not Complaint.objects.exists()


def test_the_provider_must_match_the_booking(clock, wang_fang, booking, provider_b):
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang, booking=booking, provider=provider_b)
    assert error.value.code == "provider_mismatch"


def test_only_residents_file_complaints(clock, staff_a, provider_b):
    with pytest.raises(RatingsForbidden):
        file_complaint(staff_a, provider=provider_b)


def test_it_needs_a_provider_or_a_booking(clock, wang_fang):
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang)
    assert error.value.field == "provider"


def test_a_provider_never_registered_cannot_be_complained_about(clock, wang_fang):
    draft = ProviderFactory(status=Provider.Status.DRAFT)
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang, provider=draft)
    assert error.value.code == "unknown_provider"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"category": ""}, "category"),
        ({"category": "made_up"}, "category"),
        ({"description": "   "}, "description"),
        ({"description": "长" * 2001}, "description"),
        ({"desired_outcome": "长" * 301}, "desired_outcome"),
    ],
)
def test_bad_input_is_refused_on_its_field(clock, wang_fang, booking, values, field):
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang, booking=booking, **values)
    assert error.value.field == field
    assert not Complaint.objects.exists()


def test_more_than_five_files_are_refused(clock, wang_fang, booking):
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang, booking=booking, files=[evidence() for _ in range(6)])
    assert error.value.code == "too_many_files"
    assert not Complaint.objects.exists()


def test_a_file_of_the_wrong_type_is_refused_whatever_its_name(clock, wang_fang, booking):
    fake = SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang, booking=booking, files=[fake])
    assert error.value.code == "file_type"
    assert error.value.field == "files"
    assert not Complaint.objects.exists()


def test_a_file_over_ten_megabytes_is_refused(clock, wang_fang, booking):
    big = evidence("big.pdf", PDF_BYTES + b"0" * (10 * 1024 * 1024))
    with pytest.raises(RatingsError) as error:
        file_complaint(wang_fang, booking=booking, files=[big])
    assert error.value.code == "file_too_large"


# --- Transitions -------------------------------------------------------------------------------


def test_accepting_starts_fifteen_working_days_and_notifies_both_sides(
    clock, complaint, wang_fang, staff_a, official_wuhou, django_capture_on_commit_callbacks
):
    clock.move_to(local(2026, 1, 12, 9))  # Monday
    with django_capture_on_commit_callbacks(execute=True):
        complaint = service.complaint_transition(
            complaint=complaint, action="accept", actor=official_wuhou
        )
    assert complaint.status == S.ACCEPTED
    assert complaint.handler == official_wuhou
    # 15 working days after Monday 12 January: three weeks on, Monday 2 February.
    assert complaint.stage_due_at == local(2026, 2, 2, 23, 59, 59)
    event = complaint.events.last()
    assert (event.from_status, event.to_status, event.actor) == (
        S.RECEIVED,
        S.ACCEPTED,
        official_wuhou,
    )
    assert AuditEntry.objects.filter(action="complaint.accept", actor=official_wuhou).exists()
    assert Notification.objects.filter(recipient=wang_fang, kind="complaint.accepted").exists()
    assert Notification.objects.filter(recipient=staff_a, kind="complaint.accepted").exists()


def test_not_accepting_needs_a_reason_and_closes_the_case(complaint, official_wuhou):
    with pytest.raises(RatingsError) as error:
        service.complaint_transition(
            complaint=complaint, action="not_accept", actor=official_wuhou, note=" "
        )
    assert error.value.field == "note"
    complaint = service.complaint_transition(
        complaint=complaint, action="not_accept", actor=official_wuhou, note="属于民事纠纷"
    )
    assert complaint.status == S.NOT_ACCEPTED
    assert complaint.outcome == "属于民事纠纷"
    assert complaint.closed_at is not None
    assert complaint.stage_due_at is None


def test_investigating_keeps_the_resolution_deadline(complaint, official_wuhou):
    accepted = at(complaint, S.ACCEPTED, official_wuhou)
    investigating = service.complaint_transition(
        complaint=accepted, action="investigate", actor=official_wuhou, note="约谈机构负责人"
    )
    assert investigating.status == S.INVESTIGATING
    assert investigating.stage_due_at == accepted.stage_due_at
    assert investigating.events.last().note == "约谈机构负责人"


def test_resolving_needs_an_outcome_and_whether_it_is_upheld(complaint, official_wuhou):
    complaint = at(complaint, S.INVESTIGATING, official_wuhou)
    with pytest.raises(RatingsError) as error:
        service.complaint_transition(complaint=complaint, action="resolve", actor=official_wuhou)
    assert set(error.value.fields) == {"outcome", "upheld"}
    with pytest.raises(RatingsError) as error:
        service.complaint_transition(
            complaint=complaint, action="resolve", actor=official_wuhou, outcome="属实"
        )
    assert error.value.field == "upheld"
    complaint = service.complaint_transition(
        complaint=complaint, action="resolve", actor=official_wuhou, outcome="属实", upheld=False
    )
    assert (complaint.status, complaint.upheld, complaint.outcome) == (S.RESOLVED, False, "属实")
    assert complaint.closed_at is not None


def test_rejecting_needs_an_outcome_and_records_it_as_not_upheld(complaint, official_wuhou):
    complaint = at(complaint, S.INVESTIGATING, official_wuhou)
    with pytest.raises(RatingsError) as error:
        service.complaint_transition(complaint=complaint, action="reject", actor=official_wuhou)
    assert error.value.field == "outcome"
    complaint = service.complaint_transition(
        complaint=complaint, action="reject", actor=official_wuhou, outcome="监控显示按时到达"
    )
    assert (complaint.status, complaint.upheld) == (S.REJECTED, False)


LEGAL = {(source, name) for name, t in service.TRANSITIONS.items() for source in t.sources}


@pytest.mark.parametrize(
    ("status", "action"),
    [
        (status, action)
        for status in S.values
        for action in service.TRANSITIONS
        if (status, action) not in LEGAL
    ],
)
def test_every_illegal_transition_is_a_conflict(complaint, official_wuhou, status, action):
    complaint = at(complaint, status, official_wuhou)
    events = complaint.events.count()
    with pytest.raises(RatingsConflict) as error:
        service.complaint_transition(
            complaint=complaint,
            action=action,
            actor=official_wuhou,
            note="说明",
            outcome="结果",
            upheld=True,
        )
    assert error.value.code == "illegal_transition"
    assert error.value.status == 409
    complaint.refresh_from_db()
    assert complaint.status == status
    assert complaint.events.count() == events


def test_an_unknown_action_is_bad_input(complaint, official_wuhou):
    with pytest.raises(RatingsError) as error:
        service.complaint_transition(complaint=complaint, action="close", actor=official_wuhou)
    assert error.value.code == "unknown_action"


def test_only_officials_covering_the_division_handle_it(
    complaint, official_jinjiang, official_city, wang_fang, staff_a
):
    for outsider in (official_jinjiang, wang_fang, staff_a):
        with pytest.raises(RatingsForbidden):
            service.complaint_transition(complaint=complaint, action="accept", actor=outsider)
    complaint = service.complaint_transition(
        complaint=complaint, action="accept", actor=official_city
    )
    assert complaint.status == S.ACCEPTED


def test_an_upheld_resolution_sends_the_signal_after_commit(
    complaint, official_wuhou, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, complaint, **kwargs):
        received.append(complaint.pk)

    complaint_upheld.connect(listener)
    try:
        complaint = at(complaint, S.INVESTIGATING, official_wuhou)
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            service.complaint_transition(
                complaint=complaint,
                action="resolve",
                actor=official_wuhou,
                outcome="属实",
                upheld=True,
            )
        assert received == []  # not before the commit
        for callback in callbacks:
            callback()
        assert received == [complaint.pk]
    finally:
        complaint_upheld.disconnect(listener)


def test_a_resolution_not_upheld_sends_no_signal(
    complaint, official_wuhou, django_capture_on_commit_callbacks
):
    received = []

    def listener(sender, complaint, **kwargs):
        received.append(complaint.pk)

    complaint_upheld.connect(listener)
    try:
        complaint = at(complaint, S.INVESTIGATING, official_wuhou)
        with django_capture_on_commit_callbacks(execute=True):
            service.complaint_transition(
                complaint=complaint,
                action="resolve",
                actor=official_wuhou,
                outcome="不属实",
                upheld=False,
            )
        assert received == []
    finally:
        complaint_upheld.disconnect(listener)


# --- Messages and the rating of the handling ---------------------------------------------------


def test_the_provider_answers_and_the_resident_is_told(
    complaint, staff_a, wang_fang, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        message = service.complaint_message(
            complaint=complaint, author=staff_a, text="已联系家属致歉，并调整排班。"
        )
    assert service.speaker_of(complaint, message) == "provider"
    assert Notification.objects.filter(recipient=wang_fang, kind="complaint.message").exists()


def test_the_resident_and_the_handling_official_write_too(complaint, wang_fang, official_wuhou):
    service.complaint_message(complaint=complaint, author=wang_fang, text="补充：当天下雨。")
    complaint = at(complaint, S.ACCEPTED, official_wuhou)
    service.complaint_message(complaint=complaint, author=official_wuhou, text="请机构说明。")
    assert complaint.messages.count() == 2


def test_others_may_not_write_in_the_case(
    complaint, official_wuhou, staff_b, daughter, official_jinjiang, official_city
):
    complaint = at(complaint, S.ACCEPTED, official_wuhou)  # 赵敏 handles it now
    for outsider in (staff_b, daughter, official_jinjiang, official_city):
        with pytest.raises(RatingsForbidden):
            service.complaint_message(complaint=complaint, author=outsider, text="你好")
    assert not complaint.messages.exists()


def test_an_empty_message_or_a_closed_case_is_refused(complaint, wang_fang, official_wuhou):
    with pytest.raises(RatingsError) as error:
        service.complaint_message(complaint=complaint, author=wang_fang, text="  ")
    assert error.value.field == "text"
    complaint = at(complaint, S.NOT_ACCEPTED, official_wuhou)
    with pytest.raises(RatingsConflict) as error:
        service.complaint_message(complaint=complaint, author=wang_fang, text="为什么？")
    assert error.value.code == "closed"


def test_the_handling_is_rated_once_after_the_case_is_closed(complaint, wang_fang, official_wuhou):
    with pytest.raises(RatingsConflict) as error:
        service.complaint_rate_handling(complaint=complaint, resident=wang_fang, rating=5)
    assert error.value.code == "not_closed"
    complaint = at(complaint, S.RESOLVED, official_wuhou)
    complaint = service.complaint_rate_handling(complaint=complaint, resident=wang_fang, rating=4)
    assert complaint.handling_rating == 4
    with pytest.raises(RatingsConflict) as error:
        service.complaint_rate_handling(complaint=complaint, resident=wang_fang, rating=1)
    assert error.value.code == "already_rated"
    complaint.refresh_from_db()
    assert complaint.handling_rating == 4


@pytest.mark.parametrize("rating", [0, 6, "5", True])
def test_a_rating_outside_one_to_five_is_refused(complaint, wang_fang, official_wuhou, rating):
    complaint = at(complaint, S.REJECTED, official_wuhou)
    with pytest.raises(RatingsError) as error:
        service.complaint_rate_handling(complaint=complaint, resident=wang_fang, rating=rating)
    assert error.value.field == "rating"


def test_only_the_complainant_rates(complaint, daughter, official_wuhou):
    complaint = at(complaint, S.REJECTED, official_wuhou)
    with pytest.raises(RatingsForbidden):
        service.complaint_rate_handling(complaint=complaint, resident=daughter, rating=3)


# --- Escalation --------------------------------------------------------------------------------


def overdue_notices() -> list:
    return list(
        Notification.objects.filter(kind="complaint.overdue").values_list("recipient", flat=True)
    )


def test_nothing_is_escalated_before_the_deadline(clock, complaint, official_city):
    clock.move_to(local(2026, 1, 13, 23, 0))  # Tuesday evening, still in time
    assert service.complaints_escalate() == 0
    complaint.refresh_from_db()
    assert complaint.escalated_at is None
    assert overdue_notices() == []


def test_an_overdue_complaint_goes_to_the_city_once(
    clock, complaint, official_wuhou, official_city
):
    clock.move_to(local(2026, 1, 14, 0, 5))  # Wednesday: the accept stage ran out
    assert service.complaints_escalate() == 1
    assert service.complaints_escalate() == 0  # running twice notifies once
    complaint.refresh_from_db()
    assert complaint.escalated_at == local(2026, 1, 14, 0, 5)
    assert overdue_notices() == [official_city.pk]
    assert complaint.events.filter(from_status=S.RECEIVED, to_status=S.RECEIVED).count() == 1
    assert AuditEntry.objects.filter(action="complaint.escalated").count() == 1


def test_the_job_is_idempotent_even_when_the_flag_was_lost(clock, complaint, official_city):
    clock.move_to(local(2026, 1, 14, 9))
    service.complaints_escalate()
    Complaint.objects.filter(pk=complaint.pk).update(escalated_at=None)  # killed halfway
    service.complaints_escalate()
    assert overdue_notices() == [official_city.pk]


def test_each_stage_is_escalated_on_its_own(clock, complaint, official_wuhou, official_city):
    clock.move_to(local(2026, 1, 14, 9))
    service.complaints_escalate()
    complaint = service.complaint_transition(
        complaint=complaint, action="accept", actor=official_wuhou
    )
    assert complaint.escalated_at is None  # a new stage with its own deadline
    clock.move_to(complaint.stage_due_at - dt.timedelta(minutes=1))
    assert service.complaints_escalate() == 0
    clock.move_to(complaint.stage_due_at + dt.timedelta(minutes=1))
    assert service.complaints_escalate() == 1
    assert service.complaints_escalate() == 0
    assert overdue_notices() == [official_city.pk, official_city.pk]


def test_without_city_officials_the_district_is_told(clock, complaint, official_wuhou):
    clock.move_to(local(2026, 1, 20, 9))
    service.complaints_escalate()
    assert overdue_notices() == [official_wuhou.pk]


def test_the_nearest_broader_jurisdiction_is_told(clock, complaint, official_wuhou):
    province = OfficialFactory(name="省厅", jurisdiction_id="510000")
    clock.move_to(local(2026, 1, 20, 9))
    service.complaints_escalate()
    assert overdue_notices() == [province.pk]


def test_closed_complaints_are_never_escalated(clock, complaint, official_wuhou, official_city):
    at(complaint, S.NOT_ACCEPTED, official_wuhou)
    clock.move_to(local(2026, 3, 2, 9))
    assert service.complaints_escalate() == 0
    assert overdue_notices() == []


def test_the_task_runs_the_job(clock, complaint, official_city):
    from ratings.tasks import escalate_complaints

    clock.move_to(local(2026, 1, 14, 9))
    assert escalate_complaints.delay().get() == 1
    assert overdue_notices() == [official_city.pk]


def test_the_same_complaint_sent_twice_in_a_row_is_one_case(wang_fang, provider_a):
    from ratings.services.complaints import complaint_file

    first = complaint_file(
        resident=wang_fang, provider=provider_a, category="service_quality", description="迟到"
    )
    again = complaint_file(
        resident=wang_fang, provider=provider_a, category="service_quality", description="迟到"
    )
    assert again.pk == first.pk
