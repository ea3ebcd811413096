"""The officials' quality board (jurisdiction only, CSV) and the provider's quality page."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from providers.models import Provider
from ratings.models import Complaint


def _complaint(provider, resident, *, days_overdue=0):
    return Complaint.objects.create(
        reference=f"TS-{provider.pk.hex[:6]}-{days_overdue}",
        resident=resident,
        provider=provider,
        division_id=provider.division_id,
        category=Complaint.Category.SERVICE_QUALITY,
        description="送餐迟到两小时",
        stage_due_at=timezone.now() - dt.timedelta(days=days_overdue),
    )


def test_the_board_counts_only_the_officials_jurisdiction(
    client, official_wuhou, provider_a, provider_b, wang_fang
):
    Provider.objects.filter(pk__in=[provider_a.pk, provider_b.pk]).update(
        status="approved", quality_score=2.8, review_count=5, credit_grade="C"
    )
    _complaint(provider_a, wang_fang, days_overdue=2)
    _complaint(provider_b, wang_fang, days_overdue=2)
    client.force_login(official_wuhou)
    board = client.get(reverse("ratings:dashboard")).context["board"]
    assert board["providers"] == 1
    received = next(s for s in board["complaints_by_stage"] if s["status"] == "received")
    assert (received["total"], received["overdue"]) == (1, 1)
    assert [row["provider"].pk for row in board["risk"]] == [provider_a.pk]


def test_each_table_exports_as_csv(client, official_wuhou, provider_a):
    Provider.objects.filter(pk=provider_a.pk).update(
        status="approved", quality_score=2.0, review_count=4
    )
    client.force_login(official_wuhou)
    body = client.get(reverse("ratings:dashboard-export", args=["risk"])).content.decode(
        "utf-8-sig"
    )
    assert provider_a.name in body
    assert client.get(reverse("ratings:dashboard-export", args=["nonsense"])).status_code == 404


def test_residents_and_providers_do_not_see_the_board(client, wang_fang, staff_a):
    for user in (wang_fang, staff_a):
        client.force_login(user)
        assert client.get(reverse("ratings:dashboard")).status_code == 403


def test_the_provider_sees_its_own_quality_page_only(
    client, staff_a, staff_b, provider_a, wang_fang
):
    _complaint(provider_a, wang_fang)
    client.force_login(staff_a)
    page = client.get(reverse("ratings:provider-quality", args=[provider_a.pk]))
    assert page.context["quality"]["open_complaints"] == 1
    client.force_login(staff_b)
    assert client.get(reverse("ratings:provider-quality", args=[provider_a.pk])).status_code == 404
