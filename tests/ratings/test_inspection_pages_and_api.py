"""Inspection pages and API: officials see only their jurisdiction (404 elsewhere), plan, draw,
record against the checklist and confirm rectification; providers read their own results;
the public reads grades in force."""

import datetime as dt
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from ratings.models import Grade, Inspection, InspectionPhoto
from ratings.services import inspections as service
from tests.accounts.factories import OfficialFactory
from tests.providers.factories import ProviderFactory
from tests.ratings.factories import (
    GradeFactory,
    InspectionFactory,
    full_marks,
    inspection_photo,
)

pytestmark = pytest.mark.django_db


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def planned(official_wuhou, provider_a):
    return service.inspection_plan(
        official=official_wuhou,
        provider=provider_a,
        kind="routine",
        due_on=today() + dt.timedelta(days=3),
        domain="eldercare",
    )


@pytest.fixture
def failed(official_wuhou, provider_a):
    inspection = service.inspection_plan(
        official=official_wuhou,
        provider=provider_a,
        kind="routine",
        due_on=today(),
        domain="eldercare",
    )
    return service.inspection_record(
        inspection=inspection,
        official=official_wuhou,
        items=full_marks("eldercare", S1=0, S2=0, S3=0, S4=0, S5=0),
        findings="照护计划缺失，膳食无留样。",
        rectification_due=today() + dt.timedelta(days=20),
        photos=[inspection_photo()],
    )


def item_post(scores: dict, **extra) -> dict:
    return {**{f"item_{code}": str(score) for code, score in scores.items()}, **extra}


# --- Officials' pages ---------------------------------------------------------------------------


def test_the_list_shows_the_jurisdictions_inspections_with_filters(
    client, official_wuhou, planned, failed, provider_b
):
    InspectionFactory(provider=provider_b, domain="childcare")
    client.force_login(official_wuhou)

    page = client.get(reverse("ratings:inspections"))
    assert page.status_code == 200
    follow_up = Inspection.objects.get(follow_up_of=failed)
    assert set(page.context["inspections"]) == {planned, failed, follow_up}
    assert provider_b.name not in page.content.decode()

    page = client.get(reverse("ratings:inspections"), {"state": "completed"})
    assert [i.pk for i in page.context["inspections"]] == [failed.pk]
    assert "460.0 / 1000（46.0%）" in page.content.decode()

    partial = client.get(reverse("ratings:inspections"), {"state": "planned"}, HTTP_HX_REQUEST="1")
    assert "<html" not in partial.content.decode()
    assert 'id="inspection-table"' in partial.content.decode()


def test_the_overdue_filter_shows_rectifications_past_their_deadline(
    client, official_wuhou, failed
):
    client.force_login(official_wuhou)
    assert not client.get(reverse("ratings:inspections"), {"state": "overdue"}).context[
        "inspections"
    ]

    with time_machine.travel(timezone.now() + dt.timedelta(days=21), tick=False):
        client.force_login(official_wuhou)  # the session of three weeks ago has expired
        page = client.get(reverse("ratings:inspections"), {"state": "overdue"})

    assert [i.pk for i in page.context["inspections"]] == [failed.pk]
    assert "整改逾期" in page.content.decode()


def test_the_list_runs_a_fixed_number_of_queries(
    client, official_wuhou, provider_a, django_assert_max_num_queries
):
    InspectionFactory.create_batch(12, provider=provider_a)
    client.force_login(official_wuhou)

    # session, user, unread notices, the jurisdiction's name; count, page, grades
    with django_assert_max_num_queries(7):
        assert client.get(reverse("ratings:inspections")).status_code == 200


def test_an_inspection_outside_the_jurisdiction_does_not_exist_for_the_official(
    client, official_jinjiang, planned, failed
):
    client.force_login(official_jinjiang)

    for name in ("ratings:inspection-detail", "ratings:inspection-record"):
        assert client.get(reverse(name, args=[planned.pk])).status_code == 404
    response = client.post(
        reverse("ratings:inspection-rectified", args=[failed.pk]), {"rectified_on": today()}
    )
    assert response.status_code == 404
    assert client.get(reverse("ratings:inspections")).context["inspections"] == []


def test_residents_and_staff_cannot_open_the_officials_pages(client, wang_fang, staff_a, planned):
    for user in (wang_fang, staff_a):
        client.force_login(user)
        assert client.get(reverse("ratings:inspections")).status_code == 403
        assert (
            client.get(reverse("ratings:inspection-detail", args=[planned.pk])).status_code == 403
        )


def test_the_record_form_groups_the_checklist_by_area_with_maxima(client, official_wuhou, planned):
    client.force_login(official_wuhou)

    page = client.get(reverse("ratings:inspection-record", args=[planned.pk]))

    assert page.status_code == 200
    body = page.content.decode()
    for area in ("环境", "设施设备", "运营管理", "服务"):
        assert f"<legend>{area}</legend>" in body
    assert 'name="item_S2"' in body
    assert 'max="150"' in body


def test_the_record_form_saves_a_result(client, official_wuhou, planned, provider_a):
    client.force_login(official_wuhou)

    response = client.post(
        reverse("ratings:inspection-record", args=[planned.pk]),
        item_post(full_marks("eldercare", S2=100), findings="生活照料记录不全。"),
    )

    assert response.status_code == 302
    planned.refresh_from_db()
    assert (planned.status, planned.score, planned.passed) == ("completed", 950, True)
    provider_a.refresh_from_db()
    assert provider_a.official_grade == "五级"
    detail = client.get(reverse("ratings:inspection-detail", args=[planned.pk]))
    assert "950.0 / 1000" in detail.content.decode()
    assert "生活照料记录不全" in detail.content.decode()


def test_the_record_form_shows_a_missing_item_at_its_input(client, official_wuhou, planned):
    client.force_login(official_wuhou)
    scores = full_marks("eldercare")
    del scores["M4"]

    page = client.post(reverse("ratings:inspection-record", args=[planned.pk]), item_post(scores))

    assert page.status_code == 200
    assert page.context["form"].errors["item_M4"] == ["请为此项打分。"]
    assert "缺少条目：M4" in page.content.decode()
    planned.refresh_from_db()
    assert planned.status == "planned"


def test_the_record_form_is_refused_to_another_department(client, planned):
    health_wuhou = OfficialFactory(jurisdiction_id="510107", department="health")
    client.force_login(health_wuhou)

    assert client.get(reverse("ratings:inspection-detail", args=[planned.pk])).status_code == 200
    assert client.get(reverse("ratings:inspection-record", args=[planned.pk])).status_code == 403


def test_the_plan_form_plans_an_inspection(client, official_wuhou, provider_a, provider_b):
    client.force_login(official_wuhou)
    page = client.get(reverse("ratings:inspection-plan"))
    assert provider_a.name in page.content.decode()
    assert provider_b.name not in page.content.decode()

    response = client.post(
        reverse("ratings:inspection-plan"),
        {
            "provider": provider_a.pk,
            "domain": "eldercare",
            "kind": "routine",
            "due_on": (today() + dt.timedelta(days=5)).isoformat(),
        },
    )

    inspection = Inspection.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:inspection-detail", args=[inspection.pk])


def test_the_plan_form_shows_a_date_in_the_past_at_its_field(client, official_wuhou, provider_a):
    client.force_login(official_wuhou)

    page = client.post(
        reverse("ratings:inspection-plan"),
        {
            "provider": provider_a.pk,
            "domain": "eldercare",
            "kind": "routine",
            "due_on": (today() - dt.timedelta(days=1)).isoformat(),
        },
    )

    assert page.status_code == 200
    assert page.context["form"].errors["due_on"] == ["计划检查日期不能早于今天。"]
    assert not Inspection.objects.exists()


def test_the_draw_form_plans_spot_checks_and_reports_the_seed(client, official_wuhou, provider_a):
    ProviderFactory.create_batch(3, division_id="510107")
    client.force_login(official_wuhou)

    response = client.post(
        reverse("ratings:inspection-draw"), {"domain": "eldercare", "count": 2, "seed": 99}
    )

    assert response.status_code == 302
    assert Inspection.objects.filter(kind="spot_check").count() == 2
    page = client.get(response["Location"])
    assert "99" in page.content.decode()


def test_an_official_confirms_a_rectification_on_the_detail_page(client, official_wuhou, failed):
    client.force_login(official_wuhou)

    response = client.post(
        reverse("ratings:inspection-rectified", args=[failed.pk]),
        {"rectified_on": today().isoformat()},
    )

    assert response.status_code == 302
    failed.refresh_from_db()
    assert failed.rectified_on == today()


# --- The provider's page and photos -------------------------------------------------------------


def test_a_provider_sees_its_completed_inspections_and_what_to_rectify_by_when(
    client, staff_a, provider_a, planned, failed
):
    client.force_login(staff_a)

    page = client.get(reverse("ratings:provider-inspections", args=[provider_a.pk]))

    assert page.status_code == 200
    assert [i.pk for i in page.context["inspections"]] == [failed.pk]  # planned: unannounced
    body = page.content.decode()
    assert "照护计划缺失" in body
    assert failed.rectification_due.isoformat() in body
    assert "一级" not in body  # 46 %: no grade


def test_a_provider_cannot_see_another_providers_inspections(client, staff_b, provider_a, failed):
    client.force_login(staff_b)

    page = client.get(reverse("ratings:provider-inspections", args=[provider_a.pk]))

    assert page.status_code == 404


def test_photos_are_served_to_the_covering_official_and_the_providers_staff(
    client, failed, official_wuhou, official_jinjiang, staff_a, staff_b, wang_fang
):
    photo = InspectionPhoto.objects.get(inspection=failed)
    url = reverse("ratings:inspection-photo", args=[photo.pk])

    assert client.get(url).status_code == 404
    for user, expected in (
        (official_wuhou, 200),
        (staff_a, 200),
        (official_jinjiang, 404),
        (staff_b, 404),
        (wang_fang, 404),
    ):
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == expected, user
        if expected == 200:
            assert response["Content-Type"] == "image/png"
            assert response["Cache-Control"] == "private, no-store"


# --- The API ------------------------------------------------------------------------------------


def test_the_api_lists_the_jurisdictions_inspections(
    api_client, official_wuhou, official_jinjiang, planned, failed
):
    api_client.force_authenticate(official_wuhou)
    body = api_client.get("/api/v1/inspections/", {"state": "completed"}).json()

    assert [row["id"] for row in body["results"]] == [failed.pk]
    row = body["results"][0]
    assert (row["score"], row["max_score"], row["percent"], row["passed"]) == (
        "460.0",
        "1000",
        "46.0",
        False,
    )
    assert row["grade"] is None

    api_client.force_authenticate(official_jinjiang)
    assert api_client.get("/api/v1/inspections/").json()["count"] == 0


def test_the_api_list_runs_a_fixed_number_of_queries(
    api_client, official_wuhou, provider_a, django_assert_max_num_queries
):
    InspectionFactory.create_batch(12, provider=provider_a)
    api_client.force_authenticate(official_wuhou)

    with django_assert_max_num_queries(3):  # count, page, grades
        assert api_client.get("/api/v1/inspections/").status_code == 200


def test_the_api_plans_an_inspection(api_client, official_wuhou, provider_a):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(
        "/api/v1/inspections/",
        {
            "provider": str(provider_a.pk),
            "domain": "eldercare",
            "kind": "routine",
            "due_on": (today() + dt.timedelta(days=3)).isoformat(),
        },
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["status"] == "planned"
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    ("official", "code"),
    [("official_jinjiang", "out_of_jurisdiction"), ("health_wuhou", "wrong_department")],
)
def test_the_api_refuses_to_plan_outside_the_officials_remit(
    api_client, request, provider_a, official, code
):
    if official == "health_wuhou":
        user = OfficialFactory(jurisdiction_id="510107", department="health")
    else:
        user = request.getfixturevalue(official)
    api_client.force_authenticate(user)

    response = api_client.post(
        "/api/v1/inspections/",
        {
            "provider": str(provider_a.pk),
            "domain": "eldercare",
            "kind": "routine",
            "due_on": today().isoformat(),
        },
        format="json",
    )

    assert response.status_code == 403
    assert response.json()["code"] == code
    assert set(response.json()) == {"detail", "code", "fields"}


def test_the_api_records_a_result_with_photos(api_client, official_wuhou, planned):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(
        f"/api/v1/inspections/{planned.pk}/record/",
        {
            "items": json.dumps({k: str(v) for k, v in full_marks("eldercare", S5=35).items()}),
            "findings": "文化娱乐活动偏少。",
            "photos": [inspection_photo(), inspection_photo("b.png")],
        },
        format="multipart",
    )

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["score"], body["percent"], body["passed"]) == ("965.0", "96.5", True)
    assert body["grade"]["label"] == "五级"
    assert len(body["items"]) == 18
    assert len(body["photos"]) == 2


def test_the_api_names_a_missing_item_in_the_fields(api_client, official_wuhou, planned):
    api_client.force_authenticate(official_wuhou)
    scores = {k: float(v) for k, v in full_marks("eldercare").items()}
    del scores["E4"]

    response = api_client.post(
        f"/api/v1/inspections/{planned.pk}/record/",
        {"items": scores, "findings": ""},
        format="json",
    )

    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "items_invalid"
    assert body["fields"]["items.E4"] == ["请为此项打分。"]


def test_the_api_needs_a_rectification_date_for_a_failed_result(
    api_client, official_wuhou, planned
):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(
        f"/api/v1/inspections/{planned.pk}/record/",
        {"items": full_marks("eldercare", S1=0, S2=0, S3=0, S4=0, S5=0), "findings": "差"},
        format="json",
    )

    assert response.status_code == 400
    assert response.json()["fields"] == {"rectification_due": ["检查不合格，请设定整改期限。"]}


def test_the_api_hides_inspections_outside_the_jurisdiction(
    api_client, official_jinjiang, wang_fang, planned
):
    api_client.force_authenticate(official_jinjiang)
    response = api_client.post(
        f"/api/v1/inspections/{planned.pk}/record/",
        {"items": full_marks("eldercare")},
        format="json",
    )
    assert response.status_code == 404
    assert api_client.get(f"/api/v1/inspections/{planned.pk}/").status_code == 404

    api_client.force_authenticate(wang_fang)
    assert api_client.get("/api/v1/inspections/").status_code == 403


def test_the_api_draws_spot_checks(api_client, official_wuhou, provider_a):
    ProviderFactory.create_batch(4, division_id="510107")
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(
        "/api/v1/inspections/draw/", {"domain": "eldercare", "count": 3}, format="json"
    )

    assert response.status_code == 201
    body = response.json()
    assert isinstance(body["seed"], int)
    assert [row["kind"] for row in body["inspections"]] == ["spot_check"] * 3


def test_the_api_confirms_a_rectification(api_client, official_wuhou, failed):
    api_client.force_authenticate(official_wuhou)

    response = api_client.post(
        f"/api/v1/inspections/{failed.pk}/rectified/",
        {"rectified_on": today().isoformat()},
        format="json",
    )

    assert response.status_code == 200
    assert response.json()["rectified_on"] == today().isoformat()


def test_the_public_grades_api_shows_only_grades_in_force(api_client, provider_a):
    GradeFactory(
        provider=provider_a,
        domain="eldercare",
        label="二级",
        value="2",
        valid_from=today() - dt.timedelta(days=3 * 365 + 30),
    )  # expired
    current = GradeFactory(provider=provider_a, domain="eldercare", label="四级", value="4")
    GradeFactory(
        provider=provider_a,
        domain="health",
        label="A级",
        value="A",
        valid_from=today() + dt.timedelta(days=1),
    )  # not yet in force

    response = api_client.get(f"/api/v1/providers/{provider_a.pk}/grades/")

    assert response.status_code == 200
    assert response.json() == [
        {
            "domain": "eldercare",
            "domain_label": "养老",
            "value": "4",
            "label": "四级",
            "valid_from": current.valid_from.isoformat(),
            "valid_until": current.valid_until.isoformat(),
        }
    ]


def test_the_public_grades_api_hides_unpublished_providers(api_client):
    draft = ProviderFactory(status=Provider.Status.DRAFT)
    Grade.objects.all().delete()

    assert api_client.get(f"/api/v1/providers/{draft.pk}/grades/").status_code == 404


def test_the_schema_documents_the_inspection_endpoints(api_client):
    schema = api_client.get("/api/schema/", {"format": "json"}).json()

    for path in (
        "/api/v1/inspections/",
        "/api/v1/inspections/{id}/record/",
        "/api/v1/providers/{id}/grades/",
    ):
        assert path in schema["paths"], path
