"""Inspections and grades: the checklists and grading rules, planning (who may inspect what),
双随机 draws, recording a result (scores, grade, rectification, follow-up), rectification."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from providers.models import Provider
from ratings import checklists, selectors
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Grade, Inspection, InspectionItem, InspectionPhoto
from ratings.services import inspections as service
from ratings.signals import inspection_completed
from tests.accounts.factories import OfficialFactory
from tests.providers.factories import ProviderFactory
from tests.ratings.factories import (
    GradeFactory,
    InspectionFactory,
    full_marks,
    inspection_photo,
)

pytestmark = pytest.mark.django_db

K = Inspection.Kind


def today() -> dt.date:
    return timezone.localdate()


def plan(official, provider, *, domain="eldercare", kind=K.ROUTINE, days=7, **kwargs):
    return service.inspection_plan(
        official=official,
        provider=provider,
        kind=kind,
        due_on=today() + dt.timedelta(days=days),
        domain=domain,
        **kwargs,
    )


def record(inspection, official, items, *, findings="", rectification_due=None, **kwargs):
    return service.inspection_record(
        inspection=inspection,
        official=official,
        items=items,
        findings=findings,
        rectification_due=rectification_due,
        **kwargs,
    )


# --- The checklists and the grading rules -------------------------------------------------------


def test_the_eldercare_checklist_follows_the_four_areas_of_gbt_37276_with_1000_points():
    checklist = checklists.checklist_for_domain("eldercare")

    assert checklist.max_total == Decimal(1000)
    assert [area for area, _items in checklist.areas()] == ["环境", "设施设备", "运营管理", "服务"]
    assert len(checklist.codes) == len(set(checklist.codes)) == 18


def test_each_service_domain_with_inspections_has_one_checklist():
    assert sorted(checklists.checklist_domains()) == [
        "childcare",
        "domestic",
        "eldercare",
        "health",
    ]
    assert checklists.checklist_for_domain("sports") is None


@pytest.mark.parametrize(
    ("domain", "score", "maximum", "grade", "passed"),
    [
        ("eldercare", "900", 1000, "五级", True),
        ("eldercare", "899.9", 1000, "四级", True),
        ("eldercare", "800", 1000, "四级", True),
        ("eldercare", "700", 1000, "三级", True),
        ("eldercare", "600", 1000, "二级", True),
        ("eldercare", "599.9", 1000, "一级", False),
        ("eldercare", "500", 1000, "一级", False),
        ("eldercare", "499.9", 1000, None, False),
        ("health", "90", 100, "A级", True),
        ("health", "75", 100, "B级", True),
        ("health", "74.9", 100, "C级", True),
        ("health", "60", 100, "C级", True),
        ("health", "59.9", 100, "D级", False),
        ("childcare", "105", 140, "B级", True),  # 75 % of a 140-point checklist
    ],
)
def test_grades_and_pass_follow_the_percentage_of_the_maximum(
    domain, score, maximum, grade, passed
):
    result = checklists.grade_for(
        domain=domain, score=Decimal(score), max_total=Decimal(maximum), inspected_on=today()
    )

    assert (result.label if result else None) == grade
    assert checklists.passes(Decimal(score), Decimal(maximum)) is passed


def test_eldercare_grades_last_three_years_and_others_one_year_inclusive():
    assert checklists.grade_validity("eldercare", dt.date(2026, 5, 1)) == dt.date(2029, 4, 30)
    assert checklists.grade_validity("health", dt.date(2026, 5, 1)) == dt.date(2027, 4, 30)
    assert checklists.grade_validity("domestic", dt.date(2028, 2, 29)) == dt.date(2029, 2, 27)


# --- Planning -----------------------------------------------------------------------------------


def test_an_official_plans_an_inspection_of_a_provider_in_their_jurisdiction(
    official_wuhou, provider_a
):
    inspection = plan(official_wuhou, provider_a)

    assert inspection.status == Inspection.Status.PLANNED
    assert inspection.checklist == "eldercare-gbt37276"
    assert inspection.inspector == official_wuhou
    assert AuditEntry.objects.filter(action="inspection.planned", target_id=inspection.pk)


def test_a_city_official_of_the_supervising_department_covers_the_district(
    official_city, provider_a
):
    assert plan(official_city, provider_a).provider == provider_a


def test_an_official_outside_the_jurisdiction_is_refused(official_jinjiang, provider_a):
    with pytest.raises(RatingsForbidden) as exc:
        plan(official_jinjiang, provider_a)

    assert exc.value.code == "out_of_jurisdiction"
    assert not Inspection.objects.exists()


def test_an_official_of_another_department_is_refused(provider_a):
    """卫健 of 武侯区 covers the district but does not supervise eldercare (民政 does)."""
    health_wuhou = OfficialFactory(jurisdiction_id="510107", department="health")

    with pytest.raises(RatingsForbidden) as exc:
        plan(health_wuhou, provider_a)

    assert exc.value.code == "wrong_department"


@pytest.mark.parametrize(
    ("change", "field", "code"),
    [
        ({"days": -1}, "due_on", "due_in_past"),
        ({"kind": K.FOLLOW_UP}, "follow_up_of", "follow_up_mismatch"),
        ({"kind": "audit"}, "kind", "invalid_kind"),
        ({"domain": "sports"}, "domain", "no_checklist"),
    ],
)
def test_planning_refuses_bad_input(official_wuhou, provider_a, change, field, code):
    with pytest.raises(RatingsError) as exc:
        plan(official_wuhou, provider_a, **change)

    assert (exc.value.field, exc.value.code) == (field, code)


def test_only_a_domain_the_provider_offers_is_inspected(provider_b):
    health_jinjiang_colleague = OfficialFactory(jurisdiction_id="510104", department="health")

    with pytest.raises(RatingsError) as exc:
        plan(health_jinjiang_colleague, provider_b, domain="health")

    assert exc.value.code == "domain_not_offered"


def test_a_draft_registration_is_not_inspected(official_wuhou, provider_a):
    provider_a.status = Provider.Status.DRAFT
    provider_a.save()

    with pytest.raises(RatingsError) as exc:
        plan(official_wuhou, provider_a)

    assert exc.value.code == "provider_not_registered"


# --- 双随机 spot checks -------------------------------------------------------------------------


@pytest.fixture
def eldercare_pool(provider_a):
    """Eight approved eldercare providers in 武侯区 (with A), and some that must never be drawn:
    two in 锦江区, one suspended, one childcare-only."""
    pool = [provider_a, *ProviderFactory.create_batch(7, division_id="510107")]
    ProviderFactory.create_batch(2, division_id="510104")
    ProviderFactory(division_id="510107", status=Provider.Status.SUSPENDED)
    ProviderFactory(division_id="510107", domains=["childcare"])
    return pool


def draw(official, *, count=3, seed=2026):
    return service.inspections_draw_spot_checks(
        official=official, domain="eldercare", count=count, seed=seed
    )


def test_a_spot_check_draw_is_reproducible_with_its_seed(official_wuhou, eldercare_pool):
    first = [i.provider_id for i in draw(official_wuhou)]
    Inspection.objects.all().delete()
    again = [i.provider_id for i in draw(official_wuhou)]

    assert first == again
    assert len(set(first)) == 3
    entry = AuditEntry.objects.filter(action="inspection.spot_checks_drawn").latest("id")
    assert entry.detail["seed"] == 2026
    assert entry.detail["pool"] == 8
    assert entry.detail["providers"] == [str(pk) for pk in first]


def test_a_draw_picks_only_approved_providers_of_the_domain_in_the_jurisdiction(
    official_wuhou, eldercare_pool
):
    drawn = draw(official_wuhou, count=50)

    assert {i.provider_id for i in drawn} == {p.pk for p in eldercare_pool}
    assert {(i.kind, i.domain, i.inspector_id) for i in drawn} == {
        (K.SPOT_CHECK, "eldercare", official_wuhou.pk)
    }
    assert {i.due_on for i in drawn} == {today() + dt.timedelta(days=30)}
    # Everyone drawn now has a spot check planned: nobody is left to draw.
    with pytest.raises(RatingsError) as exc:
        draw(official_wuhou)
    assert exc.value.code == "nobody_to_draw"


def test_the_sample_depends_only_on_candidates_and_seed():
    candidates = list(range(100))

    assert service.spot_check_sample(candidates, count=5, seed=7) == service.spot_check_sample(
        candidates, count=5, seed=7
    )
    assert service.spot_check_sample(candidates[:2], count=5, seed=7) in ([0, 1], [1, 0])


def test_a_draw_is_refused_to_another_department_and_for_bad_counts(
    official_jinjiang, official_wuhou
):
    with pytest.raises(RatingsForbidden):
        service.inspections_draw_spot_checks(
            official=official_jinjiang, domain="eldercare", count=1, seed=1
        )
    with pytest.raises(RatingsError) as exc:
        draw(official_wuhou, count=0)
    assert exc.value.field == "count"


# --- Recording the result -----------------------------------------------------------------------

# The worked example: 1000 points, 117.5 deducted → 882.5 = 88.3 % → 四级, passed.
DEDUCTIONS = {"S2": Decimal(90), "S4": Decimal(60), "M3": Decimal(20), "E2": Decimal("27.5")}


def test_a_worked_eldercare_example_scores_882_5_and_earns_grade_four(
    official_wuhou, provider_a, staff_a, django_capture_on_commit_callbacks
):
    inspection = plan(official_wuhou, provider_a)
    sent = []

    def receiver(sender, inspection, **kwargs):
        sent.append(inspection.pk)

    inspection_completed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            inspection = record(
                inspection,
                official_wuhou,
                full_marks("eldercare", **DEDUCTIONS),
                findings="膳食留样记录不全；用药管理登记缺漏。",
            )
    finally:
        inspection_completed.disconnect(receiver)

    assert inspection.score == Decimal("882.5")
    assert inspection.passed is True
    assert inspection.inspected_on == today()
    assert inspection.status == Inspection.Status.COMPLETED
    assert InspectionItem.objects.filter(inspection=inspection).count() == 18
    assert InspectionItem.objects.get(inspection=inspection, code="S2").score == Decimal(90)
    grade = Grade.objects.get(inspection=inspection)
    assert (grade.domain, grade.value, grade.label) == ("eldercare", "4", "四级")
    assert grade.valid_from == today()
    assert grade.valid_until == checklists.grade_validity("eldercare", today())
    provider_a.refresh_from_db()
    assert provider_a.official_grade == "四级"
    assert provider_a.official_grade_until == grade.valid_until
    # No follow-up for a passed inspection.
    assert not Inspection.objects.filter(follow_up_of=inspection).exists()
    notice = Notification.objects.get(recipient=staff_a, kind="inspection_recorded")
    assert "882.5 / 1000" in notice.body
    assert "88.3%" in notice.body
    assert AuditEntry.objects.filter(action="inspection.recorded", target_id=inspection.pk)
    assert sent == [inspection.pk]


def test_a_missing_item_is_a_field_error_naming_it_and_nothing_is_written(
    official_wuhou, provider_a
):
    inspection = plan(official_wuhou, provider_a)
    scores = full_marks("eldercare")
    del scores["S6"]

    with pytest.raises(RatingsError) as exc:
        record(inspection, official_wuhou, scores)

    assert exc.value.code == "items_invalid"
    fields = exc.value.field_errors()
    assert fields["items.S6"] == ["请为此项打分。"]
    assert "S6" in fields["items"][0]
    inspection.refresh_from_db()
    assert inspection.status == Inspection.Status.PLANNED
    assert not InspectionItem.objects.exists()
    assert not Grade.objects.exists()


def test_unknown_codes_and_scores_out_of_range_are_field_errors(official_wuhou, provider_a):
    inspection = plan(official_wuhou, provider_a)
    scores = full_marks("eldercare", E1=31, E2=-1, E3="很好", E4="12.25")
    scores["Z9"] = 5

    with pytest.raises(RatingsError) as exc:
        record(inspection, official_wuhou, scores)

    fields = exc.value.field_errors()
    assert set(fields) == {"items", "items.Z9", "items.E1", "items.E2", "items.E3", "items.E4"}
    assert "30" in fields["items.E1"][0]


def test_a_failed_inspection_needs_findings_and_a_rectification_date(official_wuhou, provider_a):
    inspection = plan(official_wuhou, provider_a)
    failing = full_marks("eldercare", S1=0, S2=0, S3=0, S4=0, S5=0)  # 400 points left

    with pytest.raises(RatingsError) as exc:
        record(inspection, official_wuhou, failing, findings="")
    assert exc.value.field == "findings"
    with pytest.raises(RatingsError) as exc:
        record(inspection, official_wuhou, failing, findings="服务记录缺失。")
    assert exc.value.field == "rectification_due"
    with pytest.raises(RatingsError) as exc:
        record(
            inspection,
            official_wuhou,
            failing,
            findings="服务记录缺失。",
            rectification_due=today(),
        )
    assert exc.value.code == "rectification_due_too_early"


def test_a_failed_inspection_plans_a_follow_up_the_day_after_the_deadline(
    official_wuhou, provider_a
):
    earlier = GradeFactory(
        provider=provider_a, valid_from=today() - dt.timedelta(days=400), label="三级"
    )
    inspection = plan(official_wuhou, provider_a)
    deadline = today() + dt.timedelta(days=30)

    inspection = record(
        inspection,
        official_wuhou,
        full_marks("eldercare", S1=0, S2=0, S3=0, S4=0, S5=0, S6=0),  # 340 = 34 %
        findings="照护计划缺失，膳食无留样。",
        rectification_due=deadline,
    )

    assert inspection.passed is False
    assert inspection.rectification_due == deadline
    follow_up = Inspection.objects.get(follow_up_of=inspection)
    assert (follow_up.kind, follow_up.status, follow_up.due_on) == (
        K.FOLLOW_UP,
        Inspection.Status.PLANNED,
        deadline + dt.timedelta(days=1),
    )
    # Below 50 %: no eldercare grade, and the earlier grade ended yesterday.
    assert not Grade.objects.filter(inspection=inspection).exists()
    earlier.refresh_from_db()
    assert earlier.valid_until == today() - dt.timedelta(days=1)
    provider_a.refresh_from_db()
    assert (provider_a.official_grade, provider_a.official_grade_until) == ("", None)


def test_a_passed_follow_up_confirms_the_rectification(official_wuhou, provider_a):
    failed = record(
        plan(official_wuhou, provider_a),
        official_wuhou,
        full_marks("eldercare", S1=0, S2=0, S3=0, S4=0),
        findings="照护计划缺失。",
        rectification_due=today() + dt.timedelta(days=10),
    )
    follow_up = Inspection.objects.get(follow_up_of=failed)

    record(follow_up, official_wuhou, full_marks("eldercare"))

    failed.refresh_from_db()
    assert failed.rectified_on == today()
    assert Grade.objects.get(inspection=follow_up).label == "五级"
    assert [g.label for g in selectors.grades_current(provider=provider_a)] == ["五级"]


def test_an_inspection_is_recorded_only_once(official_wuhou, provider_a):
    inspection = plan(official_wuhou, provider_a)
    record(inspection, official_wuhou, full_marks("eldercare"))

    with pytest.raises(RatingsConflict) as exc:
        record(inspection, official_wuhou, full_marks("eldercare"))

    assert exc.value.code == "already_recorded"
    assert Grade.objects.count() == 1


def test_recording_is_refused_outside_the_jurisdiction(official_jinjiang, provider_a):
    inspection = InspectionFactory(provider=provider_a)

    with pytest.raises(RatingsForbidden):
        record(inspection, official_jinjiang, full_marks("eldercare"))


def test_photos_are_kept_and_other_files_refused(official_wuhou, provider_a):
    inspection = plan(official_wuhou, provider_a)

    with pytest.raises(RatingsError) as exc:
        record(
            inspection,
            official_wuhou,
            full_marks("eldercare"),
            photos=[inspection_photo("x.png", b"%PDF-1.4 not an image")],
        )
    assert exc.value.field == "photos"

    record(inspection, official_wuhou, full_marks("eldercare"), photos=[inspection_photo()])
    photo = InspectionPhoto.objects.get(inspection=inspection)
    assert photo.content_type == "image/png"
    assert photo.image.name.startswith("private/inspections/")


def test_the_displayed_grade_is_that_of_the_first_domain_with_one(official_wuhou):
    provider = ProviderFactory(division_id="510107", domains=["eldercare", "health"])
    health_wuhou = OfficialFactory(jurisdiction_id="510107", department="health")

    record(plan(health_wuhou, provider, domain="health"), health_wuhou, full_marks("health"))
    provider.refresh_from_db()
    assert provider.official_grade == "A级"

    record(
        plan(official_wuhou, provider),
        official_wuhou,
        full_marks("eldercare", S1=0, S2=50),  # 780 = 78 % → 三级
    )
    provider.refresh_from_db()
    assert provider.official_grade == "三级"
    assert provider.official_grade_until == checklists.grade_validity("eldercare", today())


def test_an_expired_grade_is_not_current_and_the_daily_refresh_clears_it(provider_a):
    GradeFactory(provider=provider_a, domain="eldercare")
    service.provider_grade_refresh(provider=provider_a)
    assert provider_a.official_grade == "三级"

    with time_machine.travel(timezone.now() + dt.timedelta(days=3 * 366), tick=False):
        assert selectors.grades_current(provider=provider_a) == []
        assert service.grades_expire() == 1
        assert service.grades_expire() == 0

    provider_a.refresh_from_db()
    assert (provider_a.official_grade, provider_a.official_grade_until) == ("", None)


# --- Rectification ------------------------------------------------------------------------------


@pytest.fixture
def failed(official_wuhou, provider_a):
    return record(
        plan(official_wuhou, provider_a),
        official_wuhou,
        full_marks("eldercare", S1=0, S2=0, S3=0, S4=0),
        findings="照护计划缺失。",
        rectification_due=today() + dt.timedelta(days=10),
    )


def test_an_official_confirms_the_rectification(failed, official_wuhou, staff_a):
    inspection = service.inspection_rectified(
        inspection=failed, official=official_wuhou, rectified_on=today()
    )

    assert inspection.rectified_on == today()
    assert Notification.objects.filter(recipient=staff_a, kind="inspection_rectified").exists()
    with pytest.raises(RatingsConflict):
        service.inspection_rectified(
            inspection=failed, official=official_wuhou, rectified_on=today()
        )


def test_a_rectification_date_must_lie_between_inspection_and_today(failed, official_wuhou):
    with pytest.raises(RatingsError) as exc:
        service.inspection_rectified(
            inspection=failed,
            official=official_wuhou,
            rectified_on=today() + dt.timedelta(days=1),
        )
    assert exc.value.field == "rectified_on"


def test_a_passed_inspection_has_nothing_to_rectify(official_wuhou, provider_a):
    passed = record(plan(official_wuhou, provider_a), official_wuhou, full_marks("eldercare"))

    with pytest.raises(RatingsConflict):
        service.inspection_rectified(
            inspection=passed, official=official_wuhou, rectified_on=today()
        )


def test_overdue_rectifications_are_found_by_the_state_filter(failed, official_wuhou):
    assert not selectors.inspection_list_for_official(official=official_wuhou, state="overdue")

    with time_machine.travel(timezone.now() + dt.timedelta(days=11), tick=False):
        overdue = selectors.inspection_list_for_official(official=official_wuhou, state="overdue")
        assert list(overdue) == [failed]
