"""The charity pages: the public project page (traced flow, chain status, receipt lookup), the
online donation form (a pledge), the organisation's ledger desk and disclosure publishing, the
officials' read-only view; anonymous donors' names appear on no public page. (Confirming and
cancelling pledges on the desk: test_charity_pledges.py.)"""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from socialorgs.models import ChainEntry, DisclosureItem, OrgMembership
from socialorgs.services import charity as services
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories_charity import (
    charity,
    disburse,
    donate,
    donate_online,
    key,
    owner_of,
    project,
)

pytestmark = pytest.mark.django_db

SECRET_DONOR = "欧阳娜娜"  # gave anonymously (recorded by the staff)
ONLINE_DONOR = "林晓梅"  # gave anonymously online
NAMED_DONOR = "张三丰"  # gave under their name: masked (张*丰)
BENEFICIARY = "李小红"  # masked (李*红)


@pytest.fixture
def resident():
    return UserFactory(name=ONLINE_DONOR)


@pytest.fixture
def fund(resident):
    p = project(charity(name="成都市锦绣慈善基金会"), title="困境儿童助学计划")
    donate(p, "300.00", name=NAMED_DONOR)
    donate(p, "200.00", name=SECRET_DONOR, anonymous=True)
    donate_online(p, resident, "50", anonymous=True)
    disburse(p, "400.00", name=BENEFICIARY, purpose="春季学费")
    return p


def _url(name, project, **query):
    url = reverse(name, args=[project.filing_number])
    return url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def _desk(action: str, **fields) -> dict:
    """A ledger desk form's POST: its two forms' fields carry the form's prefix."""
    return {"action": action, **{f"{action}-{name}": value for name, value in fields.items()}}


def _public_bodies(client, fund) -> dict[str, str]:
    org = fund.organisation
    urls = {
        "list": reverse("socialorgs:charity-list"),
        "project": _url("socialorgs:charity-project", fund),
        "organisation": reverse("socialorgs:charity-org", args=[org.credit_code]),
        "api-list": reverse("api-charity-projects"),
        "api-project": _url("api-charity-project", fund),
        "api-flow": _url("api-charity-flow", fund),
        "api-verify": _url("api-charity-verify", fund),
    }
    bodies = {}
    for name, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, name
        bodies[name] = response.content.decode()
    return bodies


# --- Public pages -----------------------------------------------------------------------------


def test_no_public_page_or_api_shows_a_real_name_of_a_donor_or_beneficiary(client, fund):
    owner = owner_of(fund.organisation)
    services.disclosure_publish(
        organisation=fund.organisation,
        actor=owner,
        kind="progress",
        period="第1期",
        content="本期资助 1 名学生，善款使用情况见流向明细。",
        project=fund,
    )

    for name, body in _public_bodies(client, fund).items():
        for real in (SECRET_DONOR, ONLINE_DONOR, NAMED_DONOR, BENEFICIARY):
            assert real not in body, (name, real)
            assert real.encode("unicode_escape").decode() not in body, (name, real)
        if name in ("project", "api-flow"):
            assert "匿名爱心人士" in body
            assert "张*丰" in body
            assert "李*红" in body


def test_the_project_page_shows_the_flow_and_the_chain_status(client, fund):
    response = client.get(_url("socialorgs:charity-project", fund))

    body = response.content.decode()
    assert "验证通过" in body
    assert "550.00" in body  # donated
    assert "400.00" in body  # disbursed
    assert "150.00" in body  # balance
    assert "300.00 元 → 第 4 条 李*红" in body  # FIFO: the first donation went to seq 4
    # Receipt codes are the donors' own: none is shown on the public page.
    for code in fund.entries.exclude(receipt_code="").values_list("receipt_code", flat=True):
        assert code not in body


def test_the_chain_status_shows_the_first_tampered_entry(client, fund):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE socialorgs_chainentry DISABLE TRIGGER socialorgs_chainentry_append_only"
        )
        cursor.execute(
            "UPDATE socialorgs_chainentry SET amount_fen = 1 WHERE project_id = %s AND seq = 2",
            [fund.pk],
        )
        cursor.execute(
            "ALTER TABLE socialorgs_chainentry ENABLE TRIGGER socialorgs_chainentry_append_only"
        )

    page = client.get(_url("socialorgs:charity-project", fund)).content.decode()
    listing = client.get(reverse("socialorgs:charity-list")).content.decode()

    assert "第 2 条记录被篡改" in page
    assert "第 2 条记录被篡改" in listing
    assert "验证通过" not in page


def test_a_receipt_code_shows_where_that_donation_went(client, fund):
    code = fund.entries.get(seq=2).receipt_code

    response = client.get(_url("socialorgs:charity-project", fund, receipt=code.lower()))

    body = response.content.decode()
    assert response.status_code == 200
    assert "这是本项目第 2 条记录" in body
    assert "拨付给 李*红（春季学费）100.00 元" in body
    assert SECRET_DONOR not in body


@pytest.mark.parametrize(("receipt", "status"), [("ABCDE-FGHJK", 404), ("nonsense!", 400)])
def test_an_unknown_or_malformed_receipt_finds_nothing(client, fund, receipt, status):
    response = client.get(_url("socialorgs:charity-project", fund, receipt=receipt))

    assert response.status_code == status
    assert "未找到该凭证号对应的捐赠" in response.content.decode()


def test_receipt_lookups_are_throttled(client, fund, monkeypatch):
    from providers.throttles import VerifyThrottle

    monkeypatch.setattr(VerifyThrottle, "THROTTLE_RATES", {"verify": "2/minute"})
    url = _url("socialorgs:charity-project", fund, receipt="ABCDE-FGHJK")

    statuses = [client.get(url).status_code for _ in range(3)]

    assert statuses == [404, 404, 429]


def test_an_unknown_project_is_a_404(client):
    assert client.get("/socialorgs/charity/NOSUCH123/").status_code == 404


def test_the_list_page_pins_its_queries(client, django_assert_max_num_queries):
    org = charity()
    for _ in range(4):
        donate(project(org), "10")
    with django_assert_max_num_queries(6):
        response = client.get(reverse("socialorgs:charity-list"))
    assert response.content.decode().count("验证通过") == 4


# --- Online donations -------------------------------------------------------------------------


def test_a_resident_pledges_online_and_nothing_reaches_the_chain(client, fund, resident):
    client.force_login(resident)
    data = {"amount_yuan": "88.80", "anonymous": "on", "request_key": "donate-form-key-1"}

    first = client.post(_url("socialorgs:charity-donate", fund), data)
    again = client.post(_url("socialorgs:charity-donate", fund), data)

    # The second submission pledged nothing more (the fixture's was confirmed before).
    pledge = fund.pledges.get(status="pending")
    assert first.status_code == again.status_code == 302
    assert (pledge.amount_fen, pledge.anonymous, pledge.status) == (8880, True, "pending")
    assert fund.entries.count() == 4
    page = client.get(first["Location"]).content.decode()
    assert pledge.reference in page  # to note on the payment
    assert "募捐账户" in page
    assert "待确认到账" in page
    public = client.get(_url("socialorgs:charity-project", fund)).content.decode()
    assert "88.80" not in public


def test_the_donation_form_refuses_bad_input(client, fund, resident):
    client.force_login(resident)

    response = client.post(
        _url("socialorgs:charity-donate", fund), {"amount_yuan": "-1", "request_key": key()}
    )

    assert response.status_code == 400
    assert "金额不能为负数" in response.content.decode()
    assert fund.entries.count() == 4
    assert fund.pledges.count() == 1  # the fixture's, confirmed


def test_only_residents_reach_the_donation_form(client, fund):
    anonymous = client.get(_url("socialorgs:charity-donate", fund))
    client.force_login(OfficialFactory())
    official = client.post(
        _url("socialorgs:charity-donate", fund), {"amount_yuan": "1", "request_key": key()}
    )

    assert anonymous.status_code == 302
    assert official.status_code == 403
    assert fund.entries.count() == 4
    assert fund.pledges.count() == 1  # the fixture's, confirmed


# --- The organisation's desk ------------------------------------------------------------------


def test_the_ledger_desk_shows_real_names_and_audits_the_read(client, fund, resident):
    owner = owner_of(fund.organisation)
    client.force_login(owner)

    body = client.get(_url("socialorgs:charity-ledger", fund)).content.decode()

    for real in (SECRET_DONOR, ONLINE_DONOR, NAMED_DONOR, BENEFICIARY):
        assert real in body
    reads = AuditEntry.objects.filter(actor=owner, action="personal_data.read")
    assert reads.filter(target_type="socialorgs.fundraisingproject").count() == 1
    assert reads.get(subject=resident).detail["purpose"] == "charity_ledger"


def test_recording_through_the_desk_form_twice_records_once(client, fund):
    client.force_login(owner_of(fund.organisation))
    data = _desk(
        "donation",
        donor_name="成都某某科技有限公司",
        party_kind="organisation",
        amount_yuan="1000",
        occurred_on=timezone.localdate().isoformat(),
        request_key="desk-form-key-1",
    )

    responses = [client.post(_url("socialorgs:charity-ledger", fund), data) for _ in range(2)]

    assert [r.status_code for r in responses] == [302, 302]
    added = fund.entries.filter(seq__gt=4)
    assert list(added.values_list("public_name", flat=True)) == ["成都某某科技有限公司"]


def test_the_desk_refuses_a_disbursement_beyond_the_balance(client, fund):
    client.force_login(owner_of(fund.organisation))
    data = _desk(
        "disbursement",
        beneficiary_name="王小明",
        party_kind="person",
        amount_yuan="150.01",
        purpose="学费",
        occurred_on=timezone.localdate().isoformat(),
        request_key=key(),
    )

    response = client.post(_url("socialorgs:charity-ledger", fund), data)

    assert response.status_code == 409
    assert "拨付金额超过项目结余" in response.content.decode()
    assert fund.entries.count() == 4


def test_another_organisations_owner_cannot_see_or_record_on_the_ledger(client, fund):
    client.force_login(owner_of(charity(name="别家基金会")))
    data = _desk("donation", donor_name="x", amount_yuan="1", request_key=key())

    assert client.get(_url("socialorgs:charity-ledger", fund)).status_code == 404
    assert client.post(_url("socialorgs:charity-ledger", fund), data).status_code == 404
    assert client.post(_url("socialorgs:charity-project-close", fund)).status_code == 404
    assert fund.entries.count() == 4


def test_a_member_reads_the_ledger_with_public_names_only(client, fund, resident):
    """Least privilege: real names are for the owner and managers (and the supervising
    officials); a plain member sees the public names, cannot ask for the pledge donors'
    real names, and no personal-data read is logged for them."""
    waiting = services.pledge_create(
        project=fund, user=UserFactory(name="王小二"), amount_yuan="10", request_key=key()
    )
    member = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=member, role="member")
    client.force_login(member)

    page = client.get(_url("socialorgs:charity-ledger", fund))
    reveal = client.get(_url("socialorgs:charity-ledger", fund, reveal="pledges"))

    assert page.status_code == 200
    body = page.content.decode()
    for real in (SECRET_DONOR, ONLINE_DONOR, NAMED_DONOR, BENEFICIARY, "王小二"):
        assert real not in body
    for public in ("张*丰", "匿名爱心人士", "李*红", "王*二", waiting.reference):
        assert public in body
    assert "?reveal=pledges" not in body
    assert reveal.status_code == 403
    assert not AuditEntry.objects.filter(actor=member, action="personal_data.read").exists()


def test_a_member_reads_the_ledger_but_records_nothing(client, fund):
    member = UserFactory()
    OrgMembership.objects.create(organisation=fund.organisation, user=member, role="member")
    client.force_login(member)

    page = client.get(_url("socialorgs:charity-ledger", fund))
    post = client.post(
        _url("socialorgs:charity-ledger", fund),
        _desk(
            "disbursement",
            beneficiary_name="x",
            amount_yuan="1",
            purpose="x",
            occurred_on=timezone.localdate().isoformat(),
            request_key=key(),
        ),
    )

    assert page.status_code == 200
    assert "记录拨付" not in page.content.decode()
    assert post.status_code == 403
    assert fund.entries.count() == 4


def test_a_resident_cannot_record_a_disbursement_on_the_desk(client, fund, resident):
    client.force_login(resident)
    data = _desk(
        "disbursement",
        beneficiary_name="x",
        amount_yuan="1",
        purpose="x",
        occurred_on=timezone.localdate().isoformat(),
        request_key=key(),
    )

    assert client.post(_url("socialorgs:charity-ledger", fund), data).status_code == 404
    assert fund.entries.count() == 4


def test_a_charity_files_a_project_on_the_desk(client):
    org = charity()
    client.force_login(owner_of(org))
    today = timezone.localdate()

    response = client.post(
        reverse("socialorgs:charity-project-new", args=[org.pk]),
        {
            "filing_number": "53510107mj0001a2026",
            "title": "社区助老餐",
            "purpose": "为独居老人提供助餐。",
            "beneficiary_group": "独居老人",
            "target_yuan": "20000",
            "starts_on": today.isoformat(),
            "ends_on": (today + dt.timedelta(days=200)).isoformat(),
        },
    )

    created = org.fundraising_projects.get()
    assert created.filing_number == "53510107MJ0001A2026"
    assert response["Location"] == _url("socialorgs:charity-ledger", created)


def test_an_organisation_without_the_qualification_is_told_why(client):
    org = charity(public_fundraising=False)
    client.force_login(owner_of(org))
    url = reverse("socialorgs:charity-project-new", args=[org.pk])

    page = client.get(url)
    refused = client.post(
        url,
        {
            "filing_number": "53510107MJ0002A2026",
            "title": "x",
            "purpose": "x",
            "beneficiary_group": "x",
            "target_yuan": "1",
            "starts_on": timezone.localdate().isoformat(),
            "ends_on": timezone.localdate().isoformat(),
        },
    )

    assert "尚未取得公开募捐资格" in page.content.decode()
    assert refused.status_code == 403
    assert not org.fundraising_projects.exists()


def test_the_owner_publishes_a_disclosure_on_the_desk(client, fund):
    org = fund.organisation
    client.force_login(owner_of(org))
    url = reverse("socialorgs:charity-disclosures", args=[org.pk])

    form = client.get(url + f"?kind=progress&period=第1期&project={fund.filing_number}")
    published = client.post(
        url,
        {
            "kind": "progress",
            "project": fund.filing_number,
            "period": "第1期",
            "content": "本期资助 1 名学生。",
        },
    )

    assert 'value="第1期"' in form.content.decode()
    assert published.status_code == 302
    item = DisclosureItem.objects.get(project=fund, period="第1期")
    assert item.published_at is not None
    public = client.get(_url("socialorgs:charity-project", fund)).content.decode()
    assert "本期资助 1 名学生。" in public


def test_the_desk_lists_the_members_organisations_and_projects(client, fund):
    client.force_login(owner_of(fund.organisation))

    body = client.get(reverse("socialorgs:charity-desk")).content.decode()

    assert fund.organisation.name in body
    assert fund.title in body
    assert "验证通过" in body


# --- Officials --------------------------------------------------------------------------------


def test_the_covering_official_sees_the_ledger_with_an_audited_read(client, fund, resident):
    official = OfficialFactory(jurisdiction_id="510100")
    client.force_login(official)

    listing = client.get(reverse("socialorgs:charity-official")).content.decode()
    body = client.get(_url("socialorgs:charity-official-project", fund)).content.decode()

    assert fund.title in listing
    assert "验证通过" in listing
    assert SECRET_DONOR in body
    read = AuditEntry.objects.get(actor=official, subject=resident)
    assert read.detail["purpose"] == "charity_supervision"


@pytest.mark.parametrize(
    "official",
    [
        {"jurisdiction_id": "510104"},  # another district
        {"jurisdiction_id": "510107", "department": "health"},  # not civil affairs
    ],
)
def test_other_officials_do_not_see_the_project(client, fund, official):
    client.force_login(OfficialFactory(**official))

    listing = client.get(reverse("socialorgs:charity-official")).content.decode()
    detail = client.get(_url("socialorgs:charity-official-project", fund))

    assert fund.title not in listing
    assert detail.status_code == 404
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()


def test_the_project_page_pins_its_queries(client, fund):
    with CaptureQueriesContext(connection) as queries:
        client.get(_url("socialorgs:charity-project", fund))
    many = project(fund.organisation)
    for _ in range(10):
        donate(many, "5")
    with CaptureQueriesContext(connection) as more:
        client.get(_url("socialorgs:charity-project", many))
    assert len(more) == len(queries)
    assert ChainEntry.objects.count() == 14
