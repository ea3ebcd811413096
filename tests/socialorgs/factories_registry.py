"""Factories of the registry tests: input for a registration, annual reports and evaluations
written directly (for states the services reach only over time)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from portal.identifiers import credit_code_check_char
from socialorgs.models import AnnualReport, Evaluation, SocialOrganisation
from socialorgs.services.evaluation import valid_until_for
from socialorgs.services.registry import orgs_reindex
from tests.accounts.factories import OfficialFactory
from tests.socialorgs.factories import credit_code, socialorg


def with_check(first17: str) -> str:
    """A code of 17 characters completed with its GB 32100 check character."""
    return first17 + credit_code_check_char(first17)


def registration(**overrides) -> dict:
    """Valid input for services.registry.org_register (a 民办非企业单位 in 武侯区)."""
    data = {
        "name": "成都市武侯区阳光社会工作服务中心",
        "credit_code": credit_code(SocialOrganisation.Kind.SOCIAL_SERVICE),
        "kind": SocialOrganisation.Kind.SOCIAL_SERVICE,
        "domain": "social_work",
        "business_scope": "社区矫正、青少年服务、老年人关爱",
        "authority": "成都市武侯区民政局",
        "division": "510107",
        "address": "浆洗街街道洗面桥街 18 号",
        "latitude": "30.640000",
        "longitude": "104.040000",
        "legal_rep_name": "欧阳明远",
        "founded_on": dt.date(2016, 5, 10),
        "registered_capital": "30000",
    }
    data.update(overrides)
    return data


def civil_affairs_official(jurisdiction: str = "510107", **kwargs):
    return OfficialFactory(jurisdiction_id=jurisdiction, **kwargs)


def indexed_org(owner=None, **kwargs) -> SocialOrganisation:
    """An organisation (with an owner) whose search vector is written, as registration does."""
    org = socialorg(owner, **kwargs)
    orgs_reindex(queryset=SocialOrganisation.objects.filter(pk=org.pk))
    org.refresh_from_db()
    return org


def report(org, year: int, *, status: str = "draft", **kwargs) -> AnnualReport:
    values = {"activities": "开展社区服务 12 次", "income_fen": 1_000_000}
    if status != "draft":
        values["submitted_at"] = values["first_submitted_at"] = timezone.now()
    if status == "reviewed":
        values.setdefault("result", "qualified")
        values["reviewed_at"] = timezone.now()
    values.update(kwargs)
    return AnnualReport.objects.create(organisation=org, year=year, status=status, **values)


def evaluation(org, *, grade: int = 4, awarded_on: dt.date, official=None, **kwargs) -> Evaluation:
    total = Decimal({5: 920, 4: 850, 3: 750, 2: 650, 1: 550}[grade])
    return Evaluation.objects.create(
        organisation=org,
        basic_conditions=total * Decimal("0.1"),
        governance=total * Decimal("0.4"),
        performance=total * Decimal("0.35"),
        social_evaluation=total * Decimal("0.15"),
        total=total,
        grade=grade,
        awarded_on=awarded_on,
        valid_until=valid_until_for(awarded_on),
        evaluated_by=official or OfficialFactory(),
        **kwargs,
    )
