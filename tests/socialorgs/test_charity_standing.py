"""An organisation that may no longer fundraise publicly (revoked, deregistered, or without
公开募捐资格) takes no new donations, recorded, pledged or confirmed, whatever its projects'
status says; it still disburses what it raised. Revoking or deregistering it, a 撤销登记
penalty, or withdrawing its qualification closes its open projects and cancels the pending
online pledges (their donors told) in the same transaction."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.notifications.models import Notification
from socialorgs.errors import SocialOrgConflict
from socialorgs.models import DonationPledge, FundraisingProject, SocialOrganisation
from socialorgs.selectors.charity import chain_verify, project_flow
from socialorgs.services import charity as services
from socialorgs.services import credit, registry
from socialorgs.services.charity.projects import (
    CLOSED_DEREGISTERED,
    CLOSED_NO_QUALIFICATION,
    CLOSED_REVOKED,
)
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories_charity import (
    charity,
    disburse,
    donate,
    key,
    owner_of,
    pledge,
    project,
)
from tests.socialorgs.factories_registry import civil_affairs_official

pytestmark = pytest.mark.django_db

S = DonationPledge.Status


@pytest.fixture
def fund():
    p = project(charity(name="成都市锦绣慈善基金会"))
    donate(p, "300.00")
    return p


@pytest.fixture
def donor():
    return UserFactory(name="林晓梅")


def _lose(fund, **standing) -> None:
    """The organisation's row changed under the ledger (the projects left open): only the
    ledger's own check can refuse the donation."""
    SocialOrganisation.objects.filter(pk=fund.organisation_id).update(**standing)


def _ended(status: str) -> dict:
    return {"status": status, "status_changed_on": dt.date(2026, 1, 5), "status_reason": "x"}


LOSSES = {
    "revoked": (_ended("revoked"), "organisation_inactive", "已被撤销或注销登记"),
    "deregistered": (_ended("deregistered"), "organisation_inactive", "已被撤销或注销登记"),
    "no_qualification": (
        {"public_fundraising": False, "fundraising_qualified_on": None},
        "no_fundraising_qualification",
        "不具备公开募捐资格",
    ),
}


# --- The ledger's check, under the project's lock -----------------------------------------------


@pytest.mark.parametrize("loss", LOSSES)
def test_no_new_donation_is_recorded_pledged_or_confirmed(fund, donor, loss):
    standing, code, words = LOSSES[loss]
    waiting = pledge(fund, donor)
    _lose(fund, **standing)

    with pytest.raises(SocialOrgConflict) as recorded:
        donate(fund, "10.00")
    with pytest.raises(SocialOrgConflict) as pledged:
        pledge(fund, donor)
    with pytest.raises(SocialOrgConflict) as confirmed:
        services.pledge_confirm(pledge=waiting, actor=owner_of(fund.organisation))

    for refused in (recorded, pledged, confirmed):
        assert refused.value.code == code
        assert refused.value.status == 409
        assert words in refused.value.message
    fund.refresh_from_db()
    assert fund.status == FundraisingProject.Status.OPEN  # the ledger refused, not the status
    assert fund.entries.count() == 1
    waiting.refresh_from_db()
    assert waiting.status == S.PENDING
    assert fund.pledges.count() == 1


@pytest.mark.parametrize("loss", LOSSES)
def test_the_money_raised_is_still_disbursed(fund, loss):
    _lose(fund, **LOSSES[loss][0])

    entry = disburse(fund, "300.00")

    assert entry.seq == 2
    assert project_flow(fund)["balance_fen"] == 0
    assert chain_verify(fund).valid


def test_the_api_answers_a_donation_of_a_revoked_organisation_with_409(api_client, fund, donor):
    _lose(fund, **_ended("revoked"))
    url = reverse("api-charity-donate", args=[fund.filing_number])
    api_client.force_authenticate(donor)

    response = api_client.post(url, {"amount_yuan": "10", "request_key": key()}, format="json")

    assert response.status_code == 409
    assert response.json()["code"] == "organisation_inactive"
    assert "不再接受捐赠" in response.json()["detail"]


# --- Closing the projects when the organisation loses its standing ------------------------------


def _revoke(org, official):
    return registry.org_status_change(
        organisation=org,
        official=official,
        status="revoked",
        changed_on=timezone.localdate().isoformat(),
        reason="连续两年未参加年检",
    )


def test_revoking_closes_the_open_projects_and_cancels_pending_pledges(fund, donor):
    org = fund.organisation
    official = civil_affairs_official()
    already_closed = project(org, title="已结束的项目")
    late = pledge(already_closed, UserFactory(name="王小二"))
    services.project_close(project=already_closed, actor=owner_of(org))
    waiting = pledge(fund, donor)
    confirmed = services.pledge_confirm(
        pledge=pledge(fund, UserFactory(name="赵六")), actor=owner_of(org)
    )
    elsewhere = project(charity(name="别家慈善基金会"))
    theirs = pledge(elsewhere, UserFactory(name="孙七"))

    _revoke(org, official)

    fund.refresh_from_db()
    assert (fund.status, fund.closed_on) == ("closed", timezone.localdate())
    for mine in (waiting, late):
        mine.refresh_from_db()
        assert (mine.status, mine.cancel_reason, mine.decided_by) == (
            S.CANCELLED,
            CLOSED_REVOKED,
            None,
        )
    told = Notification.objects.get(recipient=donor, kind="socialorg_pledge_cancelled")
    assert CLOSED_REVOKED in told.body
    assert waiting.reference in told.body
    assert Notification.objects.filter(
        recipient=owner_of(org), kind="socialorg_projects_closed"
    ).exists()
    confirmed.refresh_from_db()
    assert confirmed.status == S.CONFIRMED  # on the chain: it stays
    # Another organisation's project and pledge are untouched.
    elsewhere.refresh_from_db()
    theirs.refresh_from_db()
    assert (elsewhere.status, theirs.status) == ("open", S.PENDING)
    # The money raised still goes out, and the chain holds.
    disburse(fund, "300.00")
    assert chain_verify(fund).valid


def test_deregistering_closes_with_its_own_reason(fund, donor):
    waiting = pledge(fund, donor)

    registry.org_status_change(
        organisation=fund.organisation,
        official=civil_affairs_official(),
        status="deregistered",
        changed_on=timezone.localdate().isoformat(),
        reason="自行申请注销",
    )

    fund.refresh_from_db()
    waiting.refresh_from_db()
    assert fund.status == "closed"
    assert (waiting.status, waiting.cancel_reason) == (S.CANCELLED, CLOSED_DEREGISTERED)


def test_a_revocation_penalty_closes_the_open_projects(fund, donor):
    waiting = pledge(fund, donor)

    credit.penalty_record(
        actor=civil_affairs_official(),
        organisation=fund.organisation,
        decision_number="武民罚〔2026〕99号",
        kind="revocation",
        facts="以慈善名义骗取财产",
        basis="《慈善法》第一百零九条",
        decided_on=timezone.localdate().isoformat(),
        decided_by="成都市武侯区民政局",
    )

    fund.refresh_from_db()
    waiting.refresh_from_db()
    assert (fund.status, fund.closed_on) == ("closed", timezone.localdate())
    assert (waiting.status, waiting.cancel_reason) == (S.CANCELLED, CLOSED_REVOKED)


def test_a_lesser_penalty_closes_nothing(fund):
    credit.penalty_record(
        actor=civil_affairs_official(),
        organisation=fund.organisation,
        decision_number="武民罚〔2026〕98号",
        kind="warning",
        facts="未按期公开项目进展",
        basis="《慈善法》第一百条",
        decided_on=timezone.localdate().isoformat(),
        decided_by="成都市武侯区民政局",
    )

    fund.refresh_from_db()
    assert fund.status == "open"
    donate(fund, "1.00")


def test_withdrawing_the_qualification_closes_and_granting_it_does_not(fund, donor):
    org = fund.organisation
    official = civil_affairs_official()
    regranted = registry.org_charity_set(
        organisation=org,
        official=official,
        is_charity=True,
        charity_recognised_on=org.charity_recognised_on,
        public_fundraising=True,
        fundraising_qualified_on=org.fundraising_qualified_on,
    )
    fund.refresh_from_db()
    status_while_qualified = fund.status
    waiting = pledge(fund, donor)

    registry.org_charity_set(
        organisation=regranted,
        official=official,
        is_charity=True,
        charity_recognised_on=org.charity_recognised_on,
        public_fundraising=False,
    )

    assert status_while_qualified == "open"
    fund.refresh_from_db()
    waiting.refresh_from_db()
    assert (fund.status, fund.closed_on) == ("closed", timezone.localdate())
    assert (waiting.status, waiting.cancel_reason) == (S.CANCELLED, CLOSED_NO_QUALIFICATION)
    with pytest.raises(SocialOrgConflict) as refused:
        donate(fund, "1.00")
    assert refused.value.code == "no_fundraising_qualification"
    disburse(fund, "100.00")


def test_closing_twice_closes_and_cancels_nothing_more(fund, donor):
    pledge(fund, donor)
    org = fund.organisation

    first = services.projects_close_for_organisation(org, reason=CLOSED_NO_QUALIFICATION)
    again = services.projects_close_for_organisation(org, reason=CLOSED_REVOKED)

    assert [p.pk for p in first] == [fund.pk]
    assert again == []
    assert fund.pledges.get().cancel_reason == CLOSED_NO_QUALIFICATION
    assert Notification.objects.filter(recipient=donor).count() == 1
