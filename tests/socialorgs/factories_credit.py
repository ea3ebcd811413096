"""Factories and personas of the credit and complaint tests: 民政 officials of 武侯区, 锦江区 and
成都市, a 卫健 official of 武侯区 (reads, does not act), and an organisation of 武侯区 with its
owner, a manager and a member."""

from __future__ import annotations

from django.utils import timezone

from portal.accounts.models import User
from socialorgs.models import OrgMembership
from socialorgs.services import credit as services
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import socialorg

WUHOU, JINJIANG, CITY = "510107", "510104", "510100"


def civil_official(jurisdiction: str = WUHOU, **kwargs) -> User:
    return OfficialFactory(
        jurisdiction_id=jurisdiction, department=User.Department.CIVIL_AFFAIRS, **kwargs
    )


def health_official(jurisdiction: str = WUHOU, **kwargs) -> User:
    return OfficialFactory(
        jurisdiction_id=jurisdiction, department=User.Department.HEALTH, **kwargs
    )


def org_with_staff(division: str = WUHOU, **kwargs):
    """An organisation with an owner, a manager and a member account (residents)."""
    owner, manager, member = UserFactory(), UserFactory(), UserFactory()
    org = socialorg(owner, division_id=division, **kwargs)
    OrgMembership.objects.create(organisation=org, user=manager, role="manager")
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    return org, owner, manager, member


def penalty(official, org, *, number: str = "武民罚〔2026〕1号", kind: str = "fine", **kwargs):
    values = {
        "decision_number": number,
        "kind": kind,
        "facts": "未按规定办理变更登记，擅自设立分支机构。",
        "basis": "《社会组织登记管理条例》第三十条",
        "decided_on": kwargs.pop("decided_on", timezone.localdate()),
        "decided_by": "成都市武侯区民政局",
        "amount_yuan": "5000" if kind in ("fine", "confiscation") else None,
        **kwargs,
    }
    return services.penalty_record(actor=official, organisation=org, **values)


def listed(official, org, *, list: str = "abnormal", **kwargs):
    values = {
        "reason": "未按规定报送年度工作报告",
        "basis": "《社会组织信用信息管理办法》第十一条",
        "starts_on": timezone.localdate(),
        **kwargs,
    }
    return services.list_add(actor=official, organisation=org, list=list, **values)
