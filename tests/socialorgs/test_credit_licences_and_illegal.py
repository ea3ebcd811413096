"""Licences (行政许可), commendations by hand and the exposure list of 非法社会组织: recorded by
民政 covering the organisation (or the division where the body acts), audited, idempotent
where a resubmission is likely, refused with a field on bad input."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from portal.audit.models import AuditEntry
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import IllegalOrganisation, OrgLicence
from socialorgs.selectors import credit as selectors
from socialorgs.services import credit as services
from tests.socialorgs.factories_credit import (
    JINJIANG,
    civil_official,
    health_official,
    org_with_staff,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
TODAY = dt.date(2026, 3, 16)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 3, 16, 10, 0, tzinfo=TZ), tick=False):
        yield


@pytest.fixture
def official():
    return civil_official()


@pytest.fixture
def org():
    return org_with_staff()[0]


def licence(official, org, **kwargs):
    values = {
        "name": "公开募捐资格",
        "number": "武民许〔2026〕3号",
        "issued_by": "成都市武侯区民政局",
        "issued_on": TODAY - dt.timedelta(days=10),
        "valid_until": dt.date(2031, 3, 5),
        "content": "在成都市范围内开展公开募捐",
        **kwargs,
    }
    return services.licence_record(actor=official, organisation=org, **values)


def expose(official, **kwargs):
    values = {
        "name": "中华国学复兴促进总会",
        "description": "未经登记以全国性社会团体名义发展会员、收取会费。",
        "division": "510107",
        "basis": "《取缔非法民间组织暂行办法》第二条",
        "exposed_on": TODAY,
        **kwargs,
    }
    return services.illegal_org_expose(actor=official, **values)


# --- Licences


def test_a_licence_is_recorded_once_and_shown_publicly(official, org):
    first = licence(official, org)
    again = licence(official, org)

    assert again.pk == first.pk
    assert OrgLicence.objects.count() == 1
    assert selectors.public_credit_profile(org)["licences"] == [first]
    assert AuditEntry.objects.filter(action="socialorgs.licence_recorded").count() == 1


def test_a_licence_number_of_another_organisation_is_refused(official, org):
    licence(official, org_with_staff()[0])

    with pytest.raises(SocialOrgConflict):
        licence(official, org)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"valid_until": TODAY - dt.timedelta(days=20)}, "valid_until"),
        ({"issued_on": TODAY + dt.timedelta(days=1)}, "issued_on"),
        ({"name": ""}, "name"),
        ({"number": ""}, "number"),
        ({"content": "文" * 301}, "content"),
    ],
)
def test_bad_licence_input_is_refused(official, org, changes, field):
    with pytest.raises(SocialOrgError) as error:
        licence(official, org, **changes)
    assert error.value.field == field
    assert not OrgLicence.objects.exists()


def test_a_licence_is_recorded_by_civil_affairs_covering_the_organisation_only(org):
    for actor in (civil_official(JINJIANG), health_official()):
        with pytest.raises(NotAllowed):
            licence(actor, org)


# --- Commendations


def test_a_commendation_adds_ten_points_once(official, org):
    services.org_commend(actor=official, organisation=org, occurred_on=TODAY, note="抗疫表彰")
    services.org_commend(actor=official, organisation=org, occurred_on=TODAY, note="抗疫表彰")

    org.refresh_from_db()
    assert org.credit_score == 110
    assert org.credit_events.get().kind == "commendation"


def test_a_commendation_needs_a_reason_and_a_past_date(official, org):
    with pytest.raises(SocialOrgError):
        services.org_commend(actor=official, organisation=org, occurred_on=TODAY, note=" ")
    with pytest.raises(SocialOrgError):
        services.org_commend(
            actor=official, organisation=org, occurred_on=TODAY + dt.timedelta(days=1), note="x"
        )
    with pytest.raises(NotAllowed):
        services.org_commend(
            actor=civil_official(JINJIANG), organisation=org, occurred_on=TODAY, note="x"
        )


# --- 非法社会组织


def test_an_exposure_is_public_until_withdrawn(official):
    illegal = expose(official)
    assert list(selectors.illegal_orgs_public()) == [illegal]

    services.illegal_org_status_set(actor=official, illegal=illegal, status="banned")
    illegal.refresh_from_db()
    assert illegal.status == IllegalOrganisation.Status.BANNED
    assert list(selectors.illegal_orgs_public()) == [illegal]

    services.illegal_org_status_set(actor=official, illegal=illegal, status="withdrawn")
    assert list(selectors.illegal_orgs_public()) == []
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"socialorgs.illegal_exposed", "socialorgs.illegal_status_changed"} <= actions


def test_a_withdrawn_exposure_stays_withdrawn(official):
    illegal = expose(official)
    services.illegal_org_status_set(actor=official, illegal=illegal, status="withdrawn")

    for status in ("banned", "withdrawn"):
        with pytest.raises(SocialOrgConflict):
            services.illegal_org_status_set(actor=official, illegal=illegal, status=status)
    with pytest.raises(SocialOrgError):
        services.illegal_org_status_set(actor=official, illegal=illegal, status="exposed")


def test_exposures_are_for_civil_affairs_covering_the_division(official):
    with pytest.raises(NotAllowed):
        expose(civil_official(JINJIANG))  # 锦江区 exposing a body in 武侯区
    with pytest.raises(NotAllowed):
        expose(health_official())
    illegal = expose(official)
    with pytest.raises(NotAllowed):
        services.illegal_org_status_set(
            actor=civil_official(JINJIANG), illegal=illegal, status="banned"
        )
    assert IllegalOrganisation.objects.get().status == "exposed"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"division": "999999"}, "division"),
        ({"name": ""}, "name"),
        ({"description": ""}, "description"),
        ({"basis": "依" * 301}, "basis"),
        ({"exposed_on": TODAY + dt.timedelta(days=2)}, "exposed_on"),
    ],
)
def test_bad_exposure_input_is_refused(official, changes, field):
    with pytest.raises(SocialOrgError) as error:
        expose(official, **changes)
    assert error.value.field == field
    assert not IllegalOrganisation.objects.exists()
