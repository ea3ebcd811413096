"""The charity hash chain: how entries link and hash, and that verification finds what an
attacker with database access does (the append-only trigger disabled first, as they would)."""

from __future__ import annotations

import hashlib
import hmac
import json
from itertools import pairwise

import pytest
from django.db import DatabaseError, connection, transaction

from socialorgs import chain
from socialorgs.models import ChainEntry
from socialorgs.selectors.charity import chain_verify
from tests.socialorgs.factories_charity import charity, disburse, donate, project

pytestmark = pytest.mark.django_db

TRIGGER = "socialorgs_chainentry_append_only"


@pytest.fixture
def fund():
    """A project with five entries: three donations (one anonymous), two disbursements."""
    p = project(charity())
    donate(p, "300.00", name="张三丰")
    donate(p, "200.00", name="欧阳娜娜", anonymous=True)
    disburse(p, "250.00", name="李小红")
    donate(p, "100.00", name="成都某某科技有限公司", party_kind="organisation")
    disburse(p, "150.00", name="王小明")
    p.refresh_from_db()
    return p


def _sql(statement: str, params=()) -> None:
    """What an attacker at a SQL prompt does: switch the trigger off, change rows, switch it
    back on (inside the test's transaction, so it is all rolled back afterwards)."""
    with connection.cursor() as cursor:
        # (The rows were written in this same transaction: their deferred foreign-key checks
        # run first, as ALTER TABLE wants none pending.)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE socialorgs_chainentry DISABLE TRIGGER {TRIGGER}")
        cursor.execute(statement, params)
        cursor.execute(f"ALTER TABLE socialorgs_chainentry ENABLE TRIGGER {TRIGGER}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


# --- Links and hashes -------------------------------------------------------------------------


def test_entries_are_numbered_in_order_and_each_links_to_the_one_before(fund):
    entries = list(fund.entries.order_by("seq"))

    assert [e.seq for e in entries] == [1, 2, 3, 4, 5]
    assert entries[0].prev_hash == "0" * 64
    for before, entry in pairwise(entries):
        assert entry.prev_hash == before.entry_hash
    assert len({e.entry_hash for e in entries}) == 5
    assert fund.entry_count == 5
    assert fund.head_hash == entries[-1].entry_hash


def test_an_entry_hash_is_sha256_of_the_canonical_json_of_its_public_fields(fund):
    entry = fund.entries.get(seq=3)
    document = {
        "amount_fen": 25000,
        "filing_number": fund.filing_number,
        "kind": "disbursement",
        "occurred_on": entry.occurred_on.isoformat(),
        "prev_hash": fund.entries.get(seq=2).entry_hash,
        "private_digest": entry.private_digest,
        "public_name": "李*红",
        "purpose": "学费资助",
        "seq": 3,
    }
    text = json.dumps(document, sort_keys=True, ensure_ascii=False, separators=(",", ":"))

    assert entry.entry_hash == hashlib.sha256(text.encode()).hexdigest()


def test_the_private_digest_is_an_hmac_of_the_private_fields_under_the_chain_key(fund, settings):
    entry = fund.entries.get(seq=2)
    private = json.dumps(
        {
            "anonymous": True,
            "party_kind": "person",
            "party_name": "欧阳娜娜",
            "receipt_code": entry.receipt_code,
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    key = settings.SOCIALORG_CHAIN_KEY.encode()

    assert entry.private_digest == hmac.new(key, private.encode(), hashlib.sha256).hexdigest()
    # Under another key the same fields give another digest: it cannot be guessed from names.
    assert entry.private_digest != hmac.new(b"other", private.encode(), hashlib.sha256).hexdigest()


def test_public_names_anonymous_masked_person_and_organisation_in_full(fund):
    names = dict(fund.entries.values_list("seq", "public_name"))

    assert names == {
        1: "张*丰",
        2: "匿名爱心人士",
        3: "李*红",
        4: "成都某某科技有限公司",
        5: "王*明",
    }


def test_receipt_codes_are_given_to_donations_only_and_differ(fund):
    codes = dict(fund.entries.values_list("seq", "receipt_code"))

    assert codes[3] == codes[5] == ""
    donation_codes = [codes[1], codes[2], codes[4]]
    assert len(set(donation_codes)) == 3
    assert all(len(c) == 11 and c[5] == "-" for c in donation_codes)


def test_an_untouched_chain_verifies(fund):
    report = chain_verify(fund)

    assert report.valid
    assert report.failure is None
    assert report.count == 5
    assert report.head_hash == fund.head_hash
    assert all(check.ok and check.recomputed_hash == check.stored_hash for check in report.entries)
    assert report.status_text == "验证通过"


def test_an_append_between_reading_the_project_and_its_entries_is_not_tampering(fund):
    """A page reads the project, then its entries; an append may commit in between. The
    anchor is taken from the entries' own statement, so the page never cries wolf."""
    from socialorgs.models import FundraisingProject
    from socialorgs.selectors.charity import project_entries

    page_project = FundraisingProject.objects.get(pk=fund.pk)  # read first: 5 entries
    donate(fund, "1.00")  # another request appends the 6th
    entries = project_entries(page_project)

    report = chain_verify(page_project, entries)

    assert report.valid, report.failure
    assert report.count == 6


def test_an_empty_project_verifies():
    fresh = project(charity())
    report = chain_verify(fresh)

    assert report.valid
    assert report.count == 0
    assert report.head_hash == "0" * 64
    # Filing wrote the anchor of the empty chain, keyed.
    fresh.refresh_from_db()
    assert fresh.anchor_mac == chain.anchor_mac(fresh.filing_number, 0, "0" * 64)


# --- Tampering --------------------------------------------------------------------------------


def test_a_changed_amount_is_found_as_the_modified_entry(fund):
    _sql(
        "UPDATE socialorgs_chainentry SET amount_fen = 1 WHERE project_id = %s AND seq = 3",
        [fund.pk],
    )

    report = chain_verify(fund)

    assert not report.valid
    assert (report.failure.seq, report.failure.reason) == (3, "modified")
    assert report.status_text == "第 3 条记录被篡改"
    assert [c.ok for c in report.entries] == [True, True, False, True, True]


def test_a_changed_real_name_is_found_through_the_private_digest(fund):
    _sql(
        "UPDATE socialorgs_chainentry SET donor_name = '别人' WHERE project_id = %s AND seq = 1",
        [fund.pk],
    )

    report = chain_verify(fund)

    assert (report.failure.seq, report.failure.reason) == (1, "modified")


def test_a_deleted_middle_entry_is_found_by_the_gap(fund):
    _sql("DELETE FROM socialorgs_chainentry WHERE project_id = %s AND seq = 2", [fund.pk])

    report = chain_verify(fund)

    assert (report.failure.seq, report.failure.reason) == (2, "deleted")
    assert report.status_text == "第 2 条记录被删除"
    assert report.count == 4


def test_a_deleted_last_entry_is_found_by_the_anchor(fund):
    _sql("DELETE FROM socialorgs_chainentry WHERE project_id = %s AND seq = 5", [fund.pk])

    report = chain_verify(fund)

    assert (report.failure.seq, report.failure.reason) == (5, "deleted")


def test_two_swapped_entries_are_found_as_reordered(fund):
    for statement in (
        "UPDATE socialorgs_chainentry SET seq = 1000 WHERE project_id = %s AND seq = 2",
        "UPDATE socialorgs_chainentry SET seq = 2 WHERE project_id = %s AND seq = 3",
        "UPDATE socialorgs_chainentry SET seq = 3 WHERE project_id = %s AND seq = 1000",
    ):
        _sql(statement, [fund.pk])

    report = chain_verify(fund)

    assert (report.failure.seq, report.failure.reason) == (2, "reordered")


def test_a_chain_rewritten_to_its_end_is_found_by_the_anchor_mac(fund):
    """The attacker recomputes every hash after the entry they changed (the algorithm is
    public) and moves the project's count and head: only the keyed anchor gives it away."""
    _sql(
        "UPDATE socialorgs_chainentry SET amount_fen = 100 WHERE project_id = %s AND seq = 4",
        [fund.pk],
    )
    entries = list(fund.entries.order_by("seq"))
    for before, entry in pairwise(entries[2:]):
        entry.prev_hash = before.entry_hash
        entry.entry_hash = chain.entry_hash(entry, fund.filing_number)
        _sql(
            "UPDATE socialorgs_chainentry SET prev_hash = %s, entry_hash = %s WHERE id = %s",
            [entry.prev_hash, entry.entry_hash, entry.pk],
        )
    fund.__class__.objects.filter(pk=fund.pk).update(head_hash=entries[-1].entry_hash)
    fund.refresh_from_db()

    report = chain_verify(fund)

    assert all(c.ok for c in report.entries)  # every link and hash is consistent again...
    assert (report.failure.seq, report.failure.reason) == (5, "anchor")  # ...but not the anchor
    # Nor does the next append sign the rewritten chain anew.
    from socialorgs.errors import SocialOrgConflict

    with pytest.raises(SocialOrgConflict) as refused:
        donate(fund, "1.00")
    assert refused.value.code == "chain_broken"


def _wipe(fund, *, anchor_mac: str = "") -> None:
    """What an attacker at a SQL prompt does to make a project's money vanish without a
    trace: delete every entry, reset the count and head to those of an empty chain."""
    _sql("DELETE FROM socialorgs_chainentry WHERE project_id = %s", [fund.pk])
    fund.__class__.objects.filter(pk=fund.pk).update(
        entry_count=0, head_hash="0" * 64, anchor_mac=anchor_mac
    )
    fund.refresh_from_db()


def test_a_chain_deleted_whole_fails_at_the_anchor(fund):
    _wipe(fund)

    report = chain_verify(fund)

    assert report.count == 0
    assert not report.valid
    assert (report.failure.seq, report.failure.reason) == (0, "anchor")
    assert report.status_text.startswith("链头锚点校验失败")


def test_a_chain_deleted_whole_keeping_its_last_mac_fails_too(fund):
    """The MAC of the five-entry anchor does not cover an empty chain."""
    _wipe(fund, anchor_mac=fund.anchor_mac)

    assert chain_verify(fund).failure.reason == "anchor"


def test_a_chain_deleted_whole_takes_no_new_entry(fund):
    """Appending would sign the empty chain anew and hide the deletion: refused."""
    from socialorgs.errors import SocialOrgConflict

    _wipe(fund)

    with pytest.raises(SocialOrgConflict) as refused:
        donate(fund, "10.00")
    assert refused.value.code == "chain_broken"
    fund.refresh_from_db()
    assert (fund.entry_count, fund.anchor_mac) == (0, "")


def test_the_api_reports_a_chain_deleted_whole(api_client, fund):
    from django.urls import reverse

    _wipe(fund)

    body = api_client.get(reverse("api-charity-verify", args=[fund.filing_number])).json()

    assert (body["valid"], body["count"]) == (False, 0)
    assert (body["failure"]["seq"], body["failure"]["reason"]) == (0, "anchor")
    assert body["status"].startswith("链头锚点校验失败")


def test_appends_stop_on_a_chain_whose_end_was_deleted(fund):
    from socialorgs.errors import SocialOrgConflict

    _sql("DELETE FROM socialorgs_chainentry WHERE project_id = %s AND seq = 5", [fund.pk])

    with pytest.raises(SocialOrgConflict) as refused:
        donate(fund, "10.00")
    assert refused.value.code == "chain_broken"


# --- The append-only trigger ------------------------------------------------------------------


def test_the_database_refuses_to_update_an_entry(fund):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainEntry.objects.filter(project=fund, seq=3).update(amount_fen=1)
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("UPDATE socialorgs_chainentry SET public_name = 'x' WHERE seq = 1")

    assert fund.entries.get(seq=3).amount_fen == 25000


def test_the_database_refuses_to_delete_an_entry(fund):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM socialorgs_chainentry WHERE project_id = %s", [fund.pk])

    assert fund.entries.count() == 5


def test_the_database_lets_an_accounts_link_go_and_nothing_else(fund):
    entry = fund.entries.get(seq=1)
    ChainEntry.objects.filter(pk=entry.pk).update(recorded_by=None)  # SET NULL on deletion

    assert fund.entries.get(seq=1).recorded_by_id is None
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        ChainEntry.objects.filter(pk=entry.pk).update(recorded_by=None, purpose="改过")
    assert chain_verify(fund).valid
