"""Residents' online donations are pledges: nothing reaches the hash chain or the balance until
the charity's owner or a manager confirms the money arrived (once, however often confirmed), or
cancels it; who may decide; the donor withdrawing their own; periods and bad input; the desk
and the donate page; the API; anonymous donors stay anonymous after confirmation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from socialorgs.errors import NotAllowed, NotFound, SocialOrgConflict, SocialOrgError
from socialorgs.models import DonationPledge, OrgMembership
from socialorgs.selectors.charity import chain_verify, project_flow
from socialorgs.services import charity as services
from socialorgs.services.charity.ledger import balance_fen
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories_charity import (
    charity,
    disburse,
    donate,
    key,
    owner_of,
    pledge,
    project,
)

pytestmark = pytest.mark.django_db

DONOR = "林晓梅"


@pytest.fixture
def fund():
    return project(charity(name="成都市锦绣慈善基金会"))


@pytest.fixture
def donor():
    return UserFactory(name=DONOR)


def _owner(fund):
    return owner_of(fund.organisation)


def _member(fund, role):
    user = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=user, role=role)
    return user


# --- A pledge is not money --------------------------------------------------------------------


def test_a_pledge_touches_neither_the_chain_nor_the_balance(fund, donor):
    donate(fund, "100.00")
    fund.refresh_from_db()
    head = (fund.entry_count, fund.head_hash)

    pending = pledge(fund, donor, "5000.00")

    fund.refresh_from_db()
    assert pending.status == DonationPledge.Status.PENDING
    assert (fund.entry_count, fund.head_hash) == head
    assert balance_fen(fund) == 10000
    assert project_flow(fund)["donated_fen"] == 10000
    # The charity cannot pay out money that only was promised.
    with pytest.raises(SocialOrgConflict) as refused:
        disburse(fund, "100.01")
    assert refused.value.code == "insufficient_balance"


def test_the_same_request_key_pledges_once_and_another_use_of_it_is_refused(fund, donor):
    values = {"project": fund, "user": donor, "amount_yuan": "20", "request_key": "my-key-0001"}

    first = services.pledge_create(**values)
    again = services.pledge_create(**values)
    with pytest.raises(SocialOrgConflict) as reused:
        services.pledge_create(**{**values, "amount_yuan": "30"})
    with pytest.raises(SocialOrgConflict):
        services.pledge_create(**{**values, "user": UserFactory()})

    assert (first.pk, first.replayed, again.replayed) == (again.pk, False, True)
    assert reused.value.code == "request_key_reused"
    assert fund.pledges.count() == 1


# --- Confirming -------------------------------------------------------------------------------


def test_confirming_appends_the_donation_as_the_donor_pledged_it(fund, donor):
    pending = pledge(fund, donor, "66.60", anonymous=True)
    owner = _owner(fund)

    confirmed = services.pledge_confirm(pledge=pending, actor=owner)

    entry = confirmed.entry
    assert confirmed.status == DonationPledge.Status.CONFIRMED
    assert (confirmed.decided_by, confirmed.replayed) == (owner, False)
    assert (entry.seq, entry.kind, entry.amount_fen) == (1, "donation", 6660)
    assert (entry.donor, entry.donor_name, entry.party_kind) == (donor, DONOR, "person")
    assert (entry.anonymous, entry.public_name) == (True, "匿名爱心人士")
    assert entry.occurred_on == timezone.localdate()
    assert services.receipt_code_clean(entry.receipt_code) == entry.receipt_code
    assert balance_fen(fund) == 6660
    assert chain_verify(fund).valid


def test_a_named_donation_is_masked_for_the_public(fund, donor):
    entry = services.pledge_confirm(pledge=pledge(fund, donor), actor=_owner(fund)).entry

    assert entry.public_name == "林*梅"


def test_confirming_twice_records_once(fund, donor):
    pending = pledge(fund, donor)
    manager = _member(fund, "manager")

    first = services.pledge_confirm(pledge=pending, actor=_owner(fund))
    again = services.pledge_confirm(pledge=pending, actor=manager)

    assert again.replayed is True
    assert again.entry.pk == first.entry.pk
    assert fund.entries.count() == 1
    fund.refresh_from_db()
    assert fund.entry_count == 1


def test_the_donor_is_sent_the_receipt_code_once(fund, donor):
    pending = pledge(fund, donor)

    entry = services.pledge_confirm(pledge=pending, actor=_owner(fund)).entry
    services.pledge_confirm(pledge=pending, actor=_owner(fund))

    [notice] = Notification.objects.filter(recipient=donor)
    assert notice.kind == "socialorg_pledge_confirmed"
    assert entry.receipt_code in notice.body
    assert notice.link.endswith(f"?receipt={entry.receipt_code}#receipt")


def test_a_pledge_of_a_closed_project_cannot_be_confirmed_but_can_be_cancelled(fund, donor):
    pending = pledge(fund, donor)
    services.project_close(project=fund, actor=_owner(fund))

    with pytest.raises(SocialOrgConflict) as refused:
        services.pledge_confirm(pledge=pending, actor=_owner(fund))
    cancelled = services.pledge_cancel(pledge=pending, actor=_owner(fund), reason="项目已结束")

    assert refused.value.code == "closed"
    assert cancelled.status == DonationPledge.Status.CANCELLED
    assert fund.entries.count() == 0


# --- Cancelling -------------------------------------------------------------------------------


def test_the_organisation_cancels_with_a_reason_and_the_donor_is_told(fund, donor):
    pending = pledge(fund, donor, "30")

    with pytest.raises(SocialOrgError) as no_reason:
        services.pledge_cancel(pledge=pending, actor=_owner(fund), reason="  ")
    cancelled = services.pledge_cancel(
        pledge=pending, actor=_owner(fund), reason="30 天内未收到款项"
    )

    assert no_reason.value.field == "reason"
    assert (cancelled.status, cancelled.cancel_reason) == ("cancelled", "30 天内未收到款项")
    assert cancelled.entry is None
    assert cancelled.decided_at is not None
    assert fund.entries.count() == 0
    [notice] = Notification.objects.filter(recipient=donor)
    assert notice.kind == "socialorg_pledge_cancelled"
    assert "30 天内未收到款项" in notice.body
    assert pending.reference in notice.body


def test_a_cancelled_pledge_cannot_be_confirmed_nor_a_confirmed_one_cancelled(fund, donor):
    cancelled = pledge(fund, donor)
    services.pledge_cancel(pledge=cancelled, actor=donor)
    confirmed = pledge(fund, donor)
    services.pledge_confirm(pledge=confirmed, actor=_owner(fund))

    with pytest.raises(SocialOrgConflict) as late:
        services.pledge_confirm(pledge=cancelled, actor=_owner(fund))
    with pytest.raises(SocialOrgConflict) as recorded:
        services.pledge_cancel(pledge=confirmed, actor=_owner(fund), reason="x")
    again = services.pledge_cancel(pledge=cancelled, actor=donor)

    assert (late.value.code, recorded.value.code) == ("pledge_cancelled", "pledge_confirmed")
    assert again.replayed is True
    assert fund.entries.count() == 1


def test_the_donor_withdraws_their_own_pending_pledge_only(fund, donor):
    mine = pledge(fund, donor)
    theirs = pledge(fund, UserFactory(name="王小二"))

    withdrawn = services.pledge_cancel(pledge=mine, actor=donor)
    with pytest.raises(NotFound):
        services.pledge_cancel(pledge=theirs, actor=donor)

    assert (withdrawn.status, withdrawn.decided_by) == ("cancelled", donor)
    assert not Notification.objects.filter(recipient=donor).exists()  # they did it
    theirs.refresh_from_db()
    assert theirs.status == DonationPledge.Status.PENDING


# --- Who decides ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "error"),
    [
        ("other_owner", NotFound),
        ("member", NotAllowed),
        ("donor", NotAllowed),
        ("official", NotFound),
        ("resident", NotFound),
    ],
)
def test_only_the_projects_owner_or_a_manager_confirms_or_cancels(fund, donor, who, error):
    pending = pledge(fund, donor)
    actor = {
        "other_owner": lambda: owner_of(charity(name="别家慈善基金会")),
        "member": lambda: _member(fund, "member"),
        "donor": lambda: donor,
        "official": lambda: OfficialFactory(jurisdiction_id="510107"),
        "resident": lambda: UserFactory(),
    }[who]()

    with pytest.raises(error):
        services.pledge_confirm(pledge=pending, actor=actor)
    if who != "donor":  # the donor may withdraw it (test above)
        with pytest.raises(error):
            services.pledge_cancel(pledge=pending, actor=actor, reason="未到账")

    pending.refresh_from_db()
    assert pending.status == DonationPledge.Status.PENDING
    assert fund.entries.count() == 0


def test_a_manager_confirms(fund, donor):
    confirmed = services.pledge_confirm(pledge=pledge(fund, donor), actor=_member(fund, "manager"))

    assert confirmed.entry.seq == 1


# --- Pledging: who, when, what ----------------------------------------------------------------


def test_only_residents_pledge(fund):
    for user in (OfficialFactory(), _owner(fund)):
        if user.role != "official":
            user.role = "provider_staff"
            user.save(update_fields=["role"])
        with pytest.raises(NotAllowed):
            services.pledge_create(project=fund, user=user, amount_yuan="1", request_key=key())
    assert not fund.pledges.exists()


def test_an_account_without_a_name_cannot_pledge(fund):
    with pytest.raises(SocialOrgError) as refused:
        services.pledge_create(
            project=fund, user=UserFactory(name=""), amount_yuan="1", request_key=key()
        )
    assert refused.value.code == "no_name"


def test_a_closed_project_takes_no_pledges(fund, donor):
    services.project_close(project=fund, actor=_owner(fund))

    with pytest.raises(SocialOrgConflict) as refused:
        pledge(fund, donor)
    assert refused.value.code == "closed"


@pytest.mark.parametrize(("starts", "ends"), [(3, 90), (-90, -1)])
def test_no_pledge_outside_the_period(donor, starts, ends):
    today = timezone.localdate()
    fund = project(charity())
    fund.starts_on = today + dt.timedelta(days=starts)
    fund.ends_on = today + dt.timedelta(days=ends)
    fund.save(update_fields=["starts_on", "ends_on"])

    with pytest.raises(SocialOrgConflict) as refused:
        pledge(fund, donor)
    assert refused.value.code == "outside_period"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"amount_yuan": "0"}, "amount_yuan"),
        ({"amount_yuan": "-5"}, "amount_yuan"),
        ({"amount_yuan": "1.005"}, "amount_yuan"),
        ({"amount_yuan": "一百"}, "amount_yuan"),
        ({"amount_yuan": "1000001"}, "amount_yuan"),
        ({"request_key": "short"}, "request_key"),
        ({"request_key": "has spaces in it"}, "request_key"),
    ],
)
def test_bad_pledge_input_is_refused_on_its_field(fund, donor, change, field):
    values = {"project": fund, "user": donor, "amount_yuan": "10", "request_key": key()}

    with pytest.raises(SocialOrgError) as refused:
        services.pledge_create(**{**values, **change})

    assert refused.value.field == field
    assert not fund.pledges.exists()


# --- Pages ------------------------------------------------------------------------------------


def _donate_url(fund):
    return reverse("socialorgs:charity-donate", args=[fund.filing_number])


def _ledger_url(fund):
    return reverse("socialorgs:charity-ledger", args=[fund.filing_number])


def test_the_desk_confirms_a_pledge_and_the_donor_finds_the_receipt(client, fund, donor):
    pending = pledge(fund, donor, "88.80", anonymous=True)
    client.force_login(_owner(fund))

    desk = client.get(_ledger_url(fund)).content.decode()
    data = {"action": "pledge_confirm", "pledge": pending.pk}
    responses = [client.post(_ledger_url(fund), data) for _ in range(2)]

    assert pending.reference in desk
    assert "确认到账" in desk
    assert [r.status_code for r in responses] == [302, 302]
    entry = fund.entries.get()
    assert (entry.amount_fen, entry.public_name, entry.donor) == (8880, "匿名爱心人士", donor)
    client.force_login(donor)
    mine = client.get(_donate_url(fund)).content.decode()
    assert entry.receipt_code in mine
    assert "已到账" in mine


def test_the_desk_shows_pending_donors_masked_until_an_audited_reveal(client, fund, donor):
    pledge(fund, donor)
    owner = _owner(fund)
    client.force_login(owner)

    masked = client.get(_ledger_url(fund)).content.decode()
    reads_before = AuditEntry.objects.filter(subject=donor).count()
    revealed = client.get(_ledger_url(fund) + "?reveal=pledges").content.decode()

    assert "林*梅" in masked
    assert DONOR not in masked
    assert reads_before == 0
    assert DONOR in revealed
    read = AuditEntry.objects.get(subject=donor, action="personal_data.read")
    assert (read.actor, read.target_type) == (owner, "socialorgs.donationpledge")
    assert read.detail["purpose"] == "charity_ledger"


def test_the_desk_cancels_only_with_a_reason(client, fund, donor):
    pending = pledge(fund, donor)
    client.force_login(_owner(fund))

    bare = client.post(_ledger_url(fund), {"action": "pledge_cancel", "pledge": pending.pk})
    pending.refresh_from_db()
    status_after_bare = pending.status
    done = client.post(
        _ledger_url(fund),
        {"action": "pledge_cancel", "pledge": pending.pk, "reason": "未收到款项"},
    )

    assert (bare.status_code, status_after_bare) == (400, "pending")
    assert done.status_code == 302
    pending.refresh_from_db()
    assert (pending.status, pending.cancel_reason) == ("cancelled", "未收到款项")
    assert fund.entries.count() == 0


@pytest.mark.parametrize("who", ["member", "other_owner", "donor"])
def test_outsiders_cannot_decide_on_the_desk(client, fund, donor, who):
    pending = pledge(fund, donor)
    user = {
        "member": lambda: _member(fund, "member"),
        "other_owner": lambda: owner_of(charity(name="别家慈善基金会")),
        "donor": lambda: donor,
    }[who]()
    client.force_login(user)

    for action in ("pledge_confirm", "pledge_cancel"):
        response = client.post(
            _ledger_url(fund), {"action": action, "pledge": pending.pk, "reason": "x"}
        )
        assert response.status_code == (403 if who == "member" else 404)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_a_pledge_of_another_project_is_not_found_on_this_desk(client, fund, donor):
    elsewhere = pledge(project(charity(name="别家慈善基金会")), donor)
    client.force_login(_owner(fund))

    response = client.post(_ledger_url(fund), {"action": "pledge_confirm", "pledge": elsewhere.pk})

    assert response.status_code == 404
    elsewhere.refresh_from_db()
    assert elsewhere.status == "pending"


def test_the_donor_withdraws_on_the_donate_page_and_nobody_else_can(client, fund, donor):
    mine = pledge(fund, donor)
    data = {"action": "cancel", "pledge": mine.pk}

    client.force_login(UserFactory(name="王小二"))
    stranger = client.post(_donate_url(fund), data)
    client.force_login(donor)
    page = client.get(_donate_url(fund)).content.decode()
    withdrawn = client.post(_donate_url(fund), data)

    assert stranger.status_code == 404
    assert "取消认捐" in page
    assert withdrawn.status_code == 302
    mine.refresh_from_db()
    assert mine.status == "cancelled"


# --- API --------------------------------------------------------------------------------------


def _api(name, fund, pledge_):
    return reverse(name, args=[fund.filing_number, pledge_.pk])


def test_the_api_confirms_once_and_the_donor_lists_their_pledges(api_client, fund, donor):
    pending = pledge(fund, donor, "12.50")
    api_client.force_authenticate(_owner(fund))

    first = api_client.post(_api("api-charity-pledge-confirm", fund, pending))
    again = api_client.post(_api("api-charity-pledge-confirm", fund, pending))
    api_client.force_authenticate(donor)
    mine = api_client.get(reverse("api-charity-my-pledges"))

    assert (first.status_code, again.status_code) == (200, 200)
    assert (first.json()["replayed"], again.json()["replayed"]) == (False, True)
    assert first.json()["entry_seq"] == 1
    assert fund.entries.count() == 1
    [listed] = mine.json()
    assert (listed["status"], listed["receipt_code"]) == (
        "confirmed",
        fund.entries.get().receipt_code,
    )


def test_the_api_cancels_for_the_organisation_with_a_reason(api_client, fund, donor):
    pending = pledge(fund, donor)
    api_client.force_authenticate(_owner(fund))

    bare = api_client.post(_api("api-charity-pledge-cancel", fund, pending), {}, format="json")
    done = api_client.post(
        _api("api-charity-pledge-cancel", fund, pending), {"reason": "未到账"}, format="json"
    )

    assert bare.status_code == 400
    assert "reason" in bare.json()["fields"]
    assert (done.status_code, done.json()["status"]) == (200, "cancelled")


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("other_owner", 404), ("official", 404), ("resident", 404)],
)
def test_the_api_refuses_outsiders_before_their_input(api_client, fund, donor, who, status):
    pending = pledge(fund, donor)
    user = {
        "member": lambda: _member(fund, "member"),
        "other_owner": lambda: owner_of(charity(name="别家慈善基金会")),
        "official": lambda: OfficialFactory(jurisdiction_id="510107"),
        "resident": lambda: UserFactory(),
    }[who]()
    api_client.force_authenticate(user)

    confirm = api_client.post(_api("api-charity-pledge-confirm", fund, pending))
    cancel = api_client.post(
        _api("api-charity-pledge-cancel", fund, pending), {"reason": 12345}, format="json"
    )

    assert (confirm.status_code, cancel.status_code) == (status, status)
    pending.refresh_from_db()
    assert pending.status == "pending"


def test_the_donor_withdraws_through_the_api_but_cannot_confirm(api_client, fund, donor):
    pending = pledge(fund, donor)
    api_client.force_authenticate(donor)

    confirm = api_client.post(_api("api-charity-pledge-confirm", fund, pending))
    cancel = api_client.post(_api("api-charity-pledge-cancel", fund, pending), {}, format="json")

    assert confirm.status_code == 403
    assert (cancel.status_code, cancel.json()["status"]) == (200, "cancelled")


def test_a_pledge_is_found_only_under_its_own_project(api_client, fund, donor):
    elsewhere = pledge(project(charity(name="别家慈善基金会")), donor)
    api_client.force_authenticate(_owner(fund))

    response = api_client.post(_api("api-charity-pledge-confirm", fund, elsewhere))

    assert response.status_code == 404


def test_only_residents_list_pledges_and_only_their_own(api_client, fund, donor):
    pledge(fund, donor)

    anonymous = api_client.get(reverse("api-charity-my-pledges"))
    api_client.force_authenticate(OfficialFactory())
    official = api_client.get(reverse("api-charity-my-pledges"))
    api_client.force_authenticate(UserFactory())
    someone = api_client.get(reverse("api-charity-my-pledges"))

    assert (anonymous.status_code, official.status_code) == (401, 403)
    assert (someone.status_code, someone.json()) == (200, [])


# --- Anonymity after confirmation -------------------------------------------------------------


def test_an_anonymous_donors_name_is_on_no_public_page_or_api_once_confirmed(client, fund, donor):
    pending = pledge(fund, donor, "50", anonymous=True)
    entry = services.pledge_confirm(pledge=pending, actor=_owner(fund)).entry
    disburse(fund, "20", name="李小红")
    urls = [
        reverse("socialorgs:charity-list"),
        reverse("socialorgs:charity-project", args=[fund.filing_number]),
        reverse("socialorgs:charity-project", args=[fund.filing_number])
        + f"?receipt={entry.receipt_code}",
        reverse("socialorgs:charity-org", args=[fund.organisation.credit_code]),
        reverse("api-charity-projects"),
        reverse("api-charity-project", args=[fund.filing_number]),
        reverse("api-charity-flow", args=[fund.filing_number]),
        reverse("api-charity-verify", args=[fund.filing_number]),
    ]

    for url in urls:
        response = client.get(url)
        body = response.content.decode()
        assert response.status_code == 200, url
        assert DONOR not in body, url
        assert DONOR.encode("unicode_escape").decode() not in body, url
        assert "林*梅" not in body, url
    flow = client.get(reverse("api-charity-flow", args=[fund.filing_number])).json()
    assert flow["entries"][0]["public_name"] == "匿名爱心人士"
