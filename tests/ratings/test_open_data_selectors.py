"""The ratings app's open-data selectors: current grades, completed inspections and list
entries of organisations (row-level, streamed by COPY), complaint counts and de-identified
closed cases, and the names openData must never publish.

Time is frozen on 2026-03-15 10:00 in Asia/Shanghai. The complaints:

- open: 幸福里 (武侯区), filed 03-02, still received;
- booked: provider C (武侯区, eldercare and domestic) about a booked eldercare listing, filed
  03-05 10:00, resolved 03-10 09:00 (5 days);
- township: 幸福里 but filed in a township of 武侯区, 03-06 → 03-08, resolved (2 days);
- midnight: 小橡树 (锦江区, childcare), filed 03-01 00:30 and rejected 03-01 23:30 local time
  (UTC: 02-28 16:30, so a UTC month would say February and a UTC day count 1);
- february: provider C without a booking (two domains: no domain), 02-10 → 02-11,
  not accepted;
- january: 幸福里, filed 01-31 23:00, resolved 02-02 (2 days).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection

from portal.accounts.models import Division
from providers.models import Provider
from ratings.models import Complaint, CreditListEntry, Inspection
from ratings.selectors import (
    OPEN_COMPLAINT_CASE_KEYS,
    OPEN_COMPLAINT_STAT_KEYS,
    OPEN_CREDIT_LIST_KEYS,
    OPEN_GRADE_KEYS,
    OPEN_INSPECTION_KEYS,
    open_complaint_case_rows,
    open_complaint_stat_rows,
    open_credit_list_rows,
    open_grade_rows,
    open_inspection_rows,
    person_names,
)
from services.models import Booking
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.providers.factories import ProviderFactory, StaffMemberFactory
from tests.ratings.factories import (
    ComplaintFactory,
    CreditListEntryFactory,
    GradeFactory,
    InspectionFactory,
    review_row,
)
from tests.services.factories import DependantFactory, SlotFactory, book, public_listing

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 3, 15, 10, 0, tzinfo=SHANGHAI)
TODAY = NOW.date()
WUHOU, JINJIANG, TOWNSHIP = "510107", "510104", "510107001"
# What the residents and officials wrote: free text that must appear in no published row.
DESCRIPTION = "护理员陈静对我母亲王建国态度恶劣，电话13800001234"
OUTCOME_TEXT = "经查属实，已约谈机构负责人，王芳已收到退款"
FINDINGS = "护理员王小芳未按规定交接班，住户李秀英跌倒未上报"
REMOVAL_REASON = "经复核撤销，申请人赵某某"


@pytest.fixture
def frozen():
    with time_machine.travel(NOW, tick=False):
        yield NOW


def at(month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SHANGHAI)


def copied(queryset) -> list[list[str]]:
    """The queryset's SQL run by PostgreSQL under COPY ... TO STDOUT WITH CSV, as openData
    streams it: one parsed CSV record per line."""
    sql, params = queryset.query.sql_with_params()
    buffer = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(
            cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH CSV", params).decode(), buffer
        )
    text = buffer.getvalue()
    records = list(csv.reader(io.StringIO(text)))
    assert len(text.splitlines()) == len(records)
    return records


def as_csv(rows: list[dict]) -> list[list[str]]:
    """What COPY writes for these rows: NULL as an empty field, everything else as text."""
    return [["" if value is None else str(value) for value in row.values()] for row in rows]


def leaked(rows, secrets) -> list[str]:
    """The secrets found anywhere in the rows' values (dicts, tuples or CSV records)."""
    text = repr(list(rows))
    return [secret for secret in secrets if secret in text]


# --- grades


@pytest.fixture
def grades(db, provider_a, official_city):
    """幸福里: an old 二级 (still valid but superseded), the current 三级, an expired health
    grade and a grade that only starts tomorrow; a current grade of an unapproved, of a
    black-listed and of a suspended provider."""
    grade = {"awarded_by": official_city}
    old = GradeFactory(
        provider=provider_a,
        value="2",
        label="二级",
        valid_from=dt.date(2024, 1, 1),
        valid_until=dt.date(2027, 1, 1),
        **grade,
    )
    current = GradeFactory(
        provider=provider_a,
        value="3",
        label="三级",
        valid_from=dt.date(2025, 6, 1),
        valid_until=dt.date(2028, 5, 31),
        **grade,
    )
    health = GradeFactory(
        provider=provider_a,
        domain="health",
        value="B",
        label="B级",
        valid_from=dt.date(2022, 1, 1),
        valid_until=TODAY - dt.timedelta(days=1),
        **grade,
    )
    GradeFactory(
        provider=provider_a,
        domain="domestic",
        value="A",
        label="A级",
        valid_from=TODAY + dt.timedelta(days=1),
        valid_until=dt.date(2029, 1, 1),
        **grade,
    )
    for hidden in (
        ProviderFactory(status=Provider.Status.SUBMITTED),
        ProviderFactory(standing=Provider.Standing.BLACKLISTED),
        ProviderFactory(status=Provider.Status.SUSPENDED),
    ):
        GradeFactory(provider=hidden, valid_from=dt.date(2025, 1, 1), **grade)
    return old, current, health


def test_grade_rows_are_the_grades_in_force_of_public_providers(grades, provider_a):
    _old, current, _health = grades

    rows = list(open_grade_rows(today=TODAY))

    assert rows == [
        {
            "id": current.pk,
            "provider_id": provider_a.pk,
            "provider_name": "幸福里养老服务中心",
            "domain": "eldercare",
            "grade": "3",
            "awarded_on": dt.date(2025, 6, 1),
            "valid_until": dt.date(2028, 5, 31),
        }
    ]
    assert tuple(rows[0]) == OPEN_GRADE_KEYS


def test_grade_rows_on_an_earlier_day_show_the_grade_then_in_force(grades):
    old, _current, health = grades

    rows = list(open_grade_rows(today=dt.date(2025, 5, 31)))

    # The day before the 三级 took effect: the 二级, and the health grade not yet expired.
    assert [(row["id"], row["grade"]) for row in rows] == [(old.pk, "2"), (health.pk, "B")]


def test_grade_rows_default_to_today_in_shanghai(grades, frozen):
    # The expired health grade ended yesterday; tomorrow's domestic grade is not yet in force.
    assert [row["domain"] for row in open_grade_rows()] == ["eldercare"]


def test_grade_rows_run_under_copy_and_name_no_person(grades, provider_a, official_city):
    rows = list(open_grade_rows(today=TODAY))

    records = copied(open_grade_rows(today=TODAY))

    assert records == as_csv(rows)
    assert len(records) == 1
    people = [official_city.name, provider_a.legal_representative, provider_a.contact_phone]
    assert leaked(records, people) == []


# --- inspections


@pytest.fixture
def inspections(db, provider_a, official_jinjiang):
    """幸福里: a passed routine inspection, a failed spot check and a completed one with no
    pass/fail recorded; a planned one; a completed one of an unapproved provider."""
    done = {
        "provider": provider_a,
        "status": Inspection.Status.COMPLETED,
        "inspector": official_jinjiang,
        "findings": FINDINGS,
    }
    passed = InspectionFactory(
        inspected_on=dt.date(2026, 1, 20), score=Decimal("86.5"), passed=True, **done
    )
    failed = InspectionFactory(
        kind=Inspection.Kind.SPOT_CHECK,
        inspected_on=dt.date(2026, 2, 3),
        score=Decimal("58.0"),
        passed=False,
        rectification_due=dt.date(2026, 3, 3),
        **done,
    )
    unknown = InspectionFactory(
        kind=Inspection.Kind.COMPLAINT,
        inspected_on=dt.date(2026, 2, 9),
        score=Decimal("0.0"),
        passed=None,
        **done,
    )
    InspectionFactory(provider=provider_a, inspector=official_jinjiang)
    InspectionFactory(
        provider=ProviderFactory(status=Provider.Status.SUBMITTED),
        status=Inspection.Status.COMPLETED,
        inspected_on=dt.date(2026, 1, 5),
        score=Decimal("90.0"),
        passed=True,
    )
    return passed, failed, unknown


def test_inspection_rows_are_completed_inspections_of_public_providers(inspections, provider_a):
    passed, failed, unknown = inspections
    base = {"provider_id": provider_a.pk, "provider_name": "幸福里养老服务中心"}

    rows = list(open_inspection_rows())

    assert rows == [
        {
            "id": passed.pk,
            **base,
            "kind": "routine",
            "completed_on": dt.date(2026, 1, 20),
            "score": Decimal("86.5"),
            "result": "passed",
        },
        {
            "id": failed.pk,
            **base,
            "kind": "spot_check",
            "completed_on": dt.date(2026, 2, 3),
            "score": Decimal("58.0"),
            "result": "failed",
        },
        {
            "id": unknown.pk,
            **base,
            "kind": "complaint",
            "completed_on": dt.date(2026, 2, 9),
            "score": Decimal("0.0"),
            "result": None,
        },
    ]
    assert tuple(rows[0]) == OPEN_INSPECTION_KEYS


def test_inspection_rows_run_under_copy_without_inspector_or_findings(
    inspections, official_jinjiang
):
    rows = list(open_inspection_rows())

    records = copied(open_inspection_rows())

    assert records == as_csv(rows)
    assert len(records) == 3
    assert leaked(records, [official_jinjiang.name, FINDINGS, "王小芳", "李秀英"]) == []


# --- credit lists


@pytest.fixture
def entries(db, provider_a, provider_b, official_wuhou):
    """A black-listed provider's open-ended black entry and 幸福里's red entry until next
    year; 小橡树's black entry that ended last week, a removed one, and a draft's."""
    listed_by = {"created_by": official_wuhou}
    blacklisted = ProviderFactory(name="恶邻家政服务部", standing=Provider.Standing.BLACKLISTED)
    black = CreditListEntryFactory(
        provider=blacklisted,
        starts_on=dt.date(2026, 1, 8),
        reason="虐待老人，情节严重",
        **listed_by,
    )
    red = CreditListEntryFactory(
        provider=provider_a,
        list=CreditListEntry.List.RED,
        reason="连续三年无投诉，评定为五级",
        starts_on=dt.date(2025, 12, 1),
        ends_on=dt.date(2026, 12, 1),
        **listed_by,
    )
    ended = CreditListEntryFactory(
        provider=provider_b,
        starts_on=dt.date(2025, 3, 1),
        ends_on=TODAY - dt.timedelta(days=7),
        **listed_by,
    )
    CreditListEntryFactory(
        provider=provider_a,
        starts_on=dt.date(2026, 2, 1),
        removed_at=at(3, 1),
        removed_by=official_wuhou,
        removal_reason=REMOVAL_REASON,
        **listed_by,
    )
    CreditListEntryFactory(
        provider=ProviderFactory(status=Provider.Status.DRAFT), starts_on=dt.date(2026, 1, 2)
    )
    return black, red, ended


def test_credit_list_rows_are_the_entries_in_force_of_registered_organisations(entries, provider_a):
    black, red, _ended = entries

    rows = list(open_credit_list_rows(today=TODAY))

    assert rows == [
        {
            "id": black.pk,
            "provider_id": black.provider_id,
            "provider_name": "恶邻家政服务部",
            "credit_code": black.provider.credit_code,
            "list_kind": "black",
            "reason": "虐待老人，情节严重",
            "listed_on": dt.date(2026, 1, 8),
            "until": None,
        },
        {
            "id": red.pk,
            "provider_id": provider_a.pk,
            "provider_name": "幸福里养老服务中心",
            "credit_code": provider_a.credit_code,
            "list_kind": "red",
            "reason": "连续三年无投诉，评定为五级",
            "listed_on": dt.date(2025, 12, 1),
            "until": dt.date(2026, 12, 1),
        },
    ]
    assert tuple(rows[0]) == OPEN_CREDIT_LIST_KEYS


def test_credit_list_rows_on_an_earlier_day(entries, frozen):
    black, _red, ended = entries
    day = dt.date(2026, 1, 7)  # the ended entry still ran, the black one had not started

    ids = [row["id"] for row in open_credit_list_rows(today=day)]
    default_ids = [row["id"] for row in open_credit_list_rows()]

    assert ended.pk in ids
    assert black.pk not in ids
    assert ended.pk not in default_ids
    assert black.pk in default_ids


def test_credit_list_rows_run_under_copy_and_name_no_official(entries, official_wuhou):
    rows = list(open_credit_list_rows(today=TODAY))

    records = copied(open_credit_list_rows(today=TODAY))

    assert records == as_csv(rows)
    assert len(records) == 2
    assert leaked(records, [official_wuhou.name, REMOVAL_REASON, "张三", "028-85551234"]) == []


# --- complaints


@pytest.fixture
def complaints(db, frozen, wang_fang, official_wuhou, provider_a, provider_b):
    Division.objects.create(
        code=TOWNSHIP,
        name="浆洗街街道",
        level=Division.Level.TOWNSHIP,
        parent_id=WUHOU,
        latitude="30.64",
        longitude="104.04",
    )
    provider_c = ProviderFactory(name="康乐居家服务中心", domains=["eldercare", "domestic"])
    slot = SlotFactory(listing=public_listing(provider_c))
    dependant = DependantFactory(owner=wang_fang)
    booking = book(wang_fang, slot, dependant=dependant)
    Booking.objects.filter(pk=booking.pk).update(
        staff=StaffMemberFactory(provider=provider_c, name="王小芳")
    )
    filed = {
        "resident": wang_fang,
        "handler": official_wuhou,
        "description": DESCRIPTION,
        "desired_outcome": "退还费用并道歉",
    }
    resolved = {"status": Complaint.Status.RESOLVED, "upheld": True, "outcome": OUTCOME_TEXT}
    S, C = Complaint.Status, Complaint.Category
    return {
        "open": ComplaintFactory(provider=provider_a, created_at=at(3, 2), **filed),
        "booked": ComplaintFactory(
            provider=provider_c,
            booking=booking,
            created_at=at(3, 5),
            closed_at=at(3, 10, 9),
            **resolved,
            **filed,
        ),
        "township": ComplaintFactory(
            provider=provider_a,
            division_id=TOWNSHIP,
            created_at=at(3, 6),
            closed_at=at(3, 8),
            **{**resolved, "upheld": False},
            **filed,
        ),
        "midnight": ComplaintFactory(
            provider=provider_b,
            category=C.FEES,
            status=S.REJECTED,
            upheld=False,
            outcome=OUTCOME_TEXT,
            created_at=at(3, 1, 0, 30),
            closed_at=at(3, 1, 23, 30),
            **filed,
        ),
        "february": ComplaintFactory(
            provider=provider_c,
            category=C.SAFETY,
            status=S.NOT_ACCEPTED,
            outcome=OUTCOME_TEXT,
            created_at=at(2, 10),
            closed_at=at(2, 11),
            **filed,
        ),
        "january": ComplaintFactory(
            provider=provider_a,
            category=C.OTHER,
            created_at=at(1, 31, 23),
            closed_at=at(2, 2),
            **resolved,
            **filed,
        ),
    }


def test_complaint_stats_count_per_filing_month_district_category_and_outcome(complaints):
    rows = open_complaint_stat_rows(months=2)

    assert rows == [
        {
            "month": "2026-02",
            "district": WUHOU,
            "category": "safety",
            "outcome": "not_accepted",
            "complaints": 1,
        },
        {
            "month": "2026-03",
            "district": JINJIANG,
            "category": "fees",
            "outcome": "rejected",
            "complaints": 1,
        },
        {
            "month": "2026-03",
            "district": WUHOU,
            "category": "service_quality",
            "outcome": "open",
            "complaints": 1,
        },
        {
            "month": "2026-03",
            "district": WUHOU,
            "category": "service_quality",
            "outcome": "resolved",
            "complaints": 2,
        },
    ]
    assert tuple(rows[0]) == OPEN_COMPLAINT_STAT_KEYS


def test_complaint_stats_window_is_whole_months_ending_with_todays(complaints):
    three = open_complaint_stat_rows(months=3)
    from_april = open_complaint_stat_rows(months=1, today=dt.date(2026, 4, 1))

    assert three[0] == {
        "month": "2026-01",
        "district": WUHOU,
        "category": "other",
        "outcome": "resolved",
        "complaints": 1,
    }
    assert sum(row["complaints"] for row in three) == 6
    assert from_april == []


def test_complaint_stats_are_one_query(complaints, django_assert_num_queries):
    with django_assert_num_queries(1):
        open_complaint_stat_rows()


def test_complaint_stats_refuse_an_empty_window(db):
    with pytest.raises(ValueError, match="months"):
        open_complaint_stat_rows(months=0)


def test_complaint_case_rows_are_closed_complaints_without_identity(complaints):
    rows = list(open_complaint_case_rows())

    assert [tuple(row.values()) for row in rows] == [
        ("2026-01", WUHOU, "eldercare", "other", "resolved", 2),
        ("2026-02", WUHOU, None, "safety", "not_accepted", 1),
        ("2026-03", JINJIANG, "childcare", "fees", "rejected", 0),
        ("2026-03", WUHOU, "eldercare", "service_quality", "resolved", 2),
        ("2026-03", WUHOU, "eldercare", "service_quality", "resolved", 5),
    ]
    assert tuple(rows[0]) == OPEN_COMPLAINT_CASE_KEYS


def test_complaint_case_rows_run_under_copy(complaints):
    rows = list(open_complaint_case_rows())

    records = copied(open_complaint_case_rows())

    assert records == as_csv(rows)
    assert len(records) == 5


def test_no_complaint_output_holds_a_person_or_free_text(complaints, wang_fang, official_wuhou):
    secrets = [
        wang_fang.name,
        wang_fang.phone,
        official_wuhou.name,
        DESCRIPTION,
        OUTCOME_TEXT,
        "王建国",  # the person served (the booking's dependant)
        "王小芳",  # the caregiver of the booking
        "退还费用并道歉",
        complaints["booked"].reference,
        "康乐居家服务中心",
    ]
    outputs = [
        open_complaint_stat_rows(months=3),
        list(open_complaint_case_rows()),
        copied(open_complaint_case_rows()),
    ]

    assert [leaked(output, secrets) for output in outputs] == [[], [], []]


# --- person names


def test_person_names_are_the_people_ratings_rows_refer_to(
    complaints, grades, inspections, entries, staff_a, daughter, django_assert_num_queries
):
    booking = complaints["booked"].booking
    review = review_row(booking, overall=2)
    review.moderated_by = OfficialFactory(name="吴刚")
    review.save(update_fields=["moderated_by"])
    ComplaintFactory(resident=UserFactory(name=""))  # no name, nothing to add

    with django_assert_num_queries(1):
        names = person_names()

    assert names == {
        "王芳",  # complainant and reviewer
        "赵敏",  # handler and lister (official_wuhou)
        "孙丽",  # inspector (official_jinjiang)
        "周强",  # who awarded the grades (official_city)
        "吴刚",  # moderator
        "王建国",  # the person served in the complained-of booking
        "王小芳",  # its caregiver
        # the inspector and lister the factories made for the unapproved and draft providers
        *_factory_officials(),
    }
    assert staff_a.name not in names  # a user no ratings row refers to
    assert daughter.name not in names


def _factory_officials() -> set[str]:
    """Officials the factories created with random names (the inspection of the unapproved
    provider and the draft's list entry)."""
    inspector = Inspection.objects.get(provider__status=Provider.Status.SUBMITTED).inspector
    lister = CreditListEntry.objects.get(provider__status=Provider.Status.DRAFT).created_by
    return {inspector.name, lister.name}
