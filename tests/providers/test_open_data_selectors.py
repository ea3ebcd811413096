"""The providers app's open-data selectors: public organisations and branches as rows that
PostgreSQL can COPY to CSV, and the person names the open-data gate looks for."""

import csv
import datetime as dt
import io
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.db import connection

from providers.models import Provider
from providers.selectors import (
    OPEN_BRANCH_KEYS,
    OPEN_PROVIDER_KEYS,
    open_branch_rows,
    open_provider_rows,
    person_names,
)
from tests.providers.factories import BranchFactory, ProviderFactory, StaffMemberFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")


def copy_csv(queryset) -> list[list[str]]:
    """Run the queryset's own SQL the way openData does: COPY (<sql>) TO STDOUT WITH CSV."""
    sql, params = queryset.query.sql_with_params()
    buf = io.StringIO()
    with connection.cursor() as cursor:
        cursor.copy_expert(cursor.mogrify(f"COPY ({sql}) TO STDOUT WITH CSV", params).decode(), buf)
    return list(csv.reader(io.StringIO(buf.getvalue())))


@pytest.fixture
def published(db) -> Provider:
    """An approved organisation with everything the directory shows filled in."""
    return ProviderFactory(
        name="锦程居家养老服务中心",
        domains=["eldercare", "domestic"],
        legal_representative="欧阳建华",
        contact_phone="028 8555 1234",
        description="为武侯区长者提供助餐、助洁服务。",
        official_grade="四星级",
        official_grade_until=dt.date(2026, 12, 31),
        credit_grade="A",
        quality_score=4.567,
        review_count=12,
        # 01:30 on 2 March in Shanghai, still 1 March in UTC.
        decided_at=dt.datetime(2024, 3, 1, 17, 30, tzinfo=dt.UTC),
    )


# --- open_provider_rows ------------------------------------------------------------------------


def test_a_public_provider_appears_with_its_published_values(published):
    row = open_provider_rows().get(id=published.pk)

    assert list(row) == list(OPEN_PROVIDER_KEYS)
    assert row == {
        "id": published.pk,
        "name": "锦程居家养老服务中心",
        "credit_code": published.credit_code,
        "domains": "eldercare;domestic",
        "division_code": "510107",
        "description": "为武侯区长者提供助餐、助洁服务。",
        "contact_phone": "02885551234",
        "official_grade": "四星级",
        "official_grade_until": dt.date(2026, 12, 31),
        "credit_grade": "A",
        "quality_score": 4.57,
        "review_count": 12,
        "approved_on": dt.date(2024, 3, 2),
    }


def test_an_unrated_provider_has_no_score_and_no_grade_date(published):
    Provider.objects.filter(pk=published.pk).update(quality_score=None, official_grade_until=None)

    row = open_provider_rows().get(id=published.pk)

    assert row["quality_score"] is None
    assert row["official_grade_until"] is None


@pytest.mark.parametrize(
    "state",
    [
        {"status": Provider.Status.DRAFT},
        {"status": Provider.Status.SUBMITTED},
        {"status": Provider.Status.REJECTED},
        {"status": Provider.Status.REVOKED},
        {"standing": Provider.Standing.SUSPENDED},
        {"standing": Provider.Standing.BLACKLISTED},
    ],
)
def test_an_organisation_the_public_may_not_see_is_left_out(published, state):
    hidden = ProviderFactory(**state)

    ids = {row["id"] for row in open_provider_rows()}

    assert ids == {published.pk}
    assert hidden.pk not in ids


@pytest.mark.parametrize(
    ("phone", "shown"),
    [
        ("028-85551234", "028-85551234"),
        ("028-85551234-801", "028-85551234-801"),
        ("400-123-4567", "400-123-4567"),
        ("13812345678", ""),
        ("+86 138 1234 5678", ""),
        ("", ""),
    ],
)
def test_only_a_landline_or_service_line_is_published_as_the_contact_phone(phone, shown):
    provider = ProviderFactory(contact_phone=phone)

    assert open_provider_rows().get(id=provider.pk)["contact_phone"] == shown


def test_no_provider_row_holds_the_legal_representative_or_staff_names(published):
    StaffMemberFactory(provider=published, name="王小芳")

    values = [str(value) for row in open_provider_rows() for value in row.values()]

    assert not [v for v in values if "欧阳建华" in v or "王小芳" in v]


def test_provider_rows_run_under_copy_with_one_column_per_key(published):
    ProviderFactory(quality_score=None, decided_at=None, description='含"引号",和逗号\n换行')
    rows = open_provider_rows()

    lines = copy_csv(rows)

    assert len(lines) == rows.count() == 2
    assert {len(line) for line in lines} == {len(OPEN_PROVIDER_KEYS)}
    published_line = next(line for line in lines if line[0] == str(published.pk))
    assert published_line[3] == "eldercare;domestic"
    assert published_line[10] == "4.57"
    assert published_line[12] == "2024-03-02"


def test_provider_rows_are_ordered_by_id(published):
    ProviderFactory.create_batch(3)

    ids = [row["id"] for row in open_provider_rows()]

    assert ids == sorted(ids)


# --- open_branch_rows --------------------------------------------------------------------------


def test_a_branch_of_a_public_provider_appears_with_its_published_values(published):
    branch = BranchFactory(
        provider=published,
        name="浆洗街助餐点",
        beds=30,
        places=None,
        staff_capacity=8,
        accessibility=["step_free", "lift"],
    )

    rows = list(open_branch_rows())

    assert len(rows) == 1
    assert list(rows[0]) == list(OPEN_BRANCH_KEYS)
    assert rows[0] == {
        "id": branch.pk,
        "provider_id": published.pk,
        "name": "浆洗街助餐点",
        "address": "武侯区浆洗街街道洗面桥横街9号",
        "division_code": "510107",
        "latitude": Decimal("30.642000"),
        "longitude": Decimal("104.043200"),
        "opening_hours": "周一至周日 08:00–20:00",
        "beds": 30,
        "places": None,
        "staff_capacity": 8,
        "accessibility": "step_free;lift",
    }


def test_branches_of_providers_the_public_may_not_see_are_left_out(published):
    shown = BranchFactory(provider=published)
    BranchFactory(provider=ProviderFactory(status=Provider.Status.SUBMITTED))
    BranchFactory(provider=ProviderFactory(standing=Provider.Standing.BLACKLISTED))

    assert [row["id"] for row in open_branch_rows()] == [shown.pk]


def test_no_branch_row_holds_the_legal_representative_or_staff_names(published):
    BranchFactory(provider=published)
    StaffMemberFactory(provider=published, name="王小芳")

    values = [str(value) for row in open_branch_rows() for value in row.values()]

    assert values
    assert not [v for v in values if "欧阳建华" in v or "王小芳" in v]


def test_branch_rows_run_under_copy_with_one_column_per_key(published):
    BranchFactory(provider=published, accessibility=["braille"])
    BranchFactory(provider=published, accessibility=[], name="无设施, 但有逗号")
    rows = open_branch_rows()

    lines = copy_csv(rows)

    assert len(lines) == rows.count() == 2
    assert {len(line) for line in lines} == {len(OPEN_BRANCH_KEYS)}
    assert sorted(line[11] for line in lines) == ["", "braille"]


# --- person_names ------------------------------------------------------------------------------


def test_person_names_hold_staff_and_legal_representatives_of_every_provider(published):
    StaffMemberFactory(provider=published, name="王小芳")
    draft = ProviderFactory(status=Provider.Status.DRAFT, legal_representative="李四")
    StaffMemberFactory(provider=draft, name=" 赵六 ", is_active=False)
    ProviderFactory(legal_representative="")

    names = person_names()

    assert {"欧阳建华", "王小芳", "李四", "赵六"} <= names
    assert "" not in names
