"""The charity API: verification and flow (public fields only), online donations (pledges), the
organisation's entries; idempotent submissions, permissions before input, bad input. (Pledges'
confirmation and cancellation: test_charity_pledges.py.)"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from socialorgs.services import charity as services
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories_charity import charity, disburse, donate, key, owner_of, project

pytestmark = pytest.mark.django_db

SECRET_DONOR = "欧阳娜娜"


@pytest.fixture
def fund():
    p = project(charity())
    donate(p, "300.00", name="张三丰")
    donate(p, "200.00", name=SECRET_DONOR, anonymous=True)
    disburse(p, "400.00", name="李小红", purpose="春季学费")
    return p


def _api(name, fund):
    return reverse(name, args=[fund.filing_number])


def test_verify_returns_the_recomputation(api_client, fund):
    fund.refresh_from_db()

    body = api_client.get(_api("api-charity-verify", fund)).json()

    assert body["valid"] is True
    assert body["status"] == "验证通过"
    assert body["count"] == 3
    assert body["head_hash"] == fund.head_hash
    assert body["failure"] is None
    stored = dict(fund.entries.values_list("seq", "entry_hash"))
    assert {e["seq"]: e["recomputed_hash"] for e in body["entries"]} == stored


def test_verify_names_the_first_broken_entry(api_client, fund):
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(
            "ALTER TABLE socialorgs_chainentry DISABLE TRIGGER socialorgs_chainentry_append_only"
        )
        cursor.execute(
            "DELETE FROM socialorgs_chainentry WHERE project_id = %s AND seq = 2", [fund.pk]
        )
        cursor.execute(
            "ALTER TABLE socialorgs_chainentry ENABLE TRIGGER socialorgs_chainentry_append_only"
        )

    body = api_client.get(_api("api-charity-verify", fund)).json()

    assert body["valid"] is False
    assert body["failure"] == {"seq": 2, "reason": "deleted", "message": "第 2 条记录被删除"}


def test_the_flow_has_public_fields_only(api_client, fund):
    response = api_client.get(_api("api-charity-flow", fund))

    body = response.json()
    text = response.content.decode()
    assert (body["donated_fen"], body["disbursed_fen"], body["balance_fen"]) == (
        50000,
        40000,
        10000,
    )
    assert [e["public_name"] for e in body["entries"]] == ["张*丰", "匿名爱心人士", "李*红"]
    for forbidden in ("donor_name", "beneficiary_name", "anonymous", "receipt_code", "donor"):
        assert all(forbidden not in entry for entry in body["entries"])
    for real in (SECRET_DONOR, "张三丰", "李小红"):
        assert real not in text
    assert body["allocations"] == [
        {"donation_seq": 1, "disbursement_seq": 3, "amount_fen": 30000},
        {"donation_seq": 2, "disbursement_seq": 3, "amount_fen": 10000},
    ]


def test_anyone_can_recompute_an_entry_hash_from_the_flow(api_client, fund):
    import hashlib
    import json

    entry = api_client.get(_api("api-charity-flow", fund)).json()["entries"][1]
    document = {
        k: entry[k]
        for k in (
            "seq",
            "kind",
            "amount_fen",
            "occurred_on",
            "public_name",
            "purpose",
            "private_digest",
            "prev_hash",
        )
    }
    document["filing_number"] = fund.filing_number
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    assert hashlib.sha256(text.encode()).hexdigest() == entry["entry_hash"]


def test_the_project_list_and_detail(api_client, fund):
    listing = api_client.get(reverse("api-charity-projects")).json()
    detail = api_client.get(_api("api-charity-project", fund)).json()

    assert [p["filing_number"] for p in listing["results"]] == [fund.filing_number]
    assert (detail["donated_fen"], detail["disbursed_fen"], detail["entry_count"]) == (
        50000,
        40000,
        3,
    )
    assert api_client.get("/api/v1/socialorgs/charity/NOPE12345/flow/").status_code == 404


# --- Online donations -------------------------------------------------------------------------


def test_a_resident_pledges_and_a_resent_request_pledges_once(api_client, fund):
    api_client.force_authenticate(UserFactory(name="林晓梅"))
    data = {"amount_yuan": "12.50", "anonymous": True, "request_key": "app-request-0001"}

    first = api_client.post(_api("api-charity-donate", fund), data, format="json")
    again = api_client.post(_api("api-charity-donate", fund), data, format="json")

    assert (first.status_code, again.status_code) == (201, 200)
    body = first.json()
    assert body["id"] == again.json()["id"]
    assert (body["status"], body["amount_fen"], body["anonymous"]) == ("pending", 1250, True)
    assert body["receipt_code"] is None  # only once the charity confirms the money
    assert (body["replayed"], again.json()["replayed"]) == (False, True)
    assert fund.entries.count() == 3  # nothing on the chain


def test_non_residents_cannot_donate_online(api_client, fund):
    assert api_client.post(_api("api-charity-donate", fund), {}).status_code == 401
    api_client.force_authenticate(OfficialFactory())
    refused = api_client.post(_api("api-charity-donate", fund), {}, format="json")
    assert refused.status_code == 403


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"amount_yuan": "0", "request_key": "key-000001"}, "amount_yuan"),
        ({"amount_yuan": "1.001", "request_key": "key-000001"}, "amount_yuan"),
        ({"amount_yuan": "10"}, "request_key"),
        ({"amount_yuan": "10", "request_key": "bad key!"}, "request_key"),
        ({"amount_yuan": "2000000", "request_key": "key-000001"}, "amount_yuan"),
    ],
)
def test_bad_donations_get_field_errors(api_client, fund, data, field):
    api_client.force_authenticate(UserFactory())

    response = api_client.post(_api("api-charity-donate", fund), data, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert fund.entries.count() == 3
    assert not fund.pledges.exists()


# --- The organisation's entries ---------------------------------------------------------------


def _entry(**change):
    return {
        "kind": "disbursement",
        "amount_yuan": "100.00",
        "occurred_on": timezone.localdate().isoformat(),
        "beneficiary_name": "王小明",
        "purpose": "学费",
        "request_key": key(),
        **change,
    }


def test_the_owner_records_entries(api_client, fund):
    api_client.force_authenticate(owner_of(fund.organisation))

    paid = api_client.post(_api("api-charity-entries", fund), _entry(), format="json")
    given = api_client.post(
        _api("api-charity-entries", fund),
        _entry(kind="donation", donor_name="某某公司", party_kind="organisation"),
        format="json",
    )

    assert paid.status_code == given.status_code == 201
    assert (paid.json()["seq"], paid.json()["public_name"]) == (4, "王*明")
    assert given.json()["public_name"] == "某某公司"


def test_a_disbursement_beyond_the_balance_is_a_conflict(api_client, fund):
    api_client.force_authenticate(owner_of(fund.organisation))

    response = api_client.post(
        _api("api-charity-entries", fund), _entry(amount_yuan="100.01"), format="json"
    )

    assert response.status_code == 409
    assert response.json()["code"] == "insufficient_balance"


@pytest.mark.parametrize("who", ["resident", "other_owner", "official"])
def test_outsiders_are_refused_before_their_input_is_read(api_client, fund, who):
    user = {
        "resident": lambda: UserFactory(),
        "other_owner": lambda: owner_of(charity(name="别家基金会")),
        "official": lambda: OfficialFactory(),
    }[who]()
    api_client.force_authenticate(user)

    response = api_client.post(_api("api-charity-entries", fund), {}, format="json")

    assert response.status_code == 403
    assert fund.entries.count() == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "donation"}, "donor_name"),
        ({"beneficiary_name": ""}, "beneficiary_name"),
        ({"purpose": None}, "purpose"),
        ({"occurred_on": "yesterday"}, "occurred_on"),
        ({"party_kind": "alien"}, "party_kind"),
    ],
)
def test_bad_entries_get_field_errors(api_client, fund, change, field):
    api_client.force_authenticate(owner_of(fund.organisation))
    data = {k: v for k, v in _entry(**change).items() if v is not None}

    response = api_client.post(_api("api-charity-entries", fund), data, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_the_flow_api_pins_its_queries(api_client, fund, django_assert_max_num_queries):
    for _ in range(10):
        services.donation_record(
            project=fund,
            actor=owner_of(fund.organisation),
            donor_name="张三丰",
            amount_yuan="1",
            occurred_on=timezone.localdate(),
            request_key=key(),
        )
    with django_assert_max_num_queries(3):
        api_client.get(_api("api-charity-flow", fund))
