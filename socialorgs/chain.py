"""The charity hash chain's arithmetic: canonical forms, digests and hashes of ledger entries.

Anyone can recompute an entry's hash from what the public flow shows (`PUBLIC_FIELDS`): a
canonical JSON (sorted keys, no spaces, UTF-8) of the project's filing number, the entry's seq,
kind, amount in fen, date, public name, purpose, its private digest and the previous entry's
hash, hashed with SHA-256. The private digest is an HMAC-SHA256 under SOCIALORG_CHAIN_KEY of
the fields the public never sees (the real name of the donor or beneficiary, whether it is a
person, the anonymous flag, the receipt code): it commits the entry to them without revealing
them, and only the platform, holding the key, can recompute it.

The project's anchor (entry count and head hash) is MAC'd with the same key, so rewriting the
chain from some entry to its end is caught as well, unless the key itself was taken. Filing a
project writes the anchor of its empty chain (0, GENESIS_HASH), so deleting every entry and
resetting the count and head is caught too: a blank or wrong MAC always fails verification.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

from socialorgs.models.charity import GENESIS_HASH

# The fields of an entry's hash, in the canonical JSON (sorted by key there).
PUBLIC_FIELDS = (
    "filing_number",
    "seq",
    "kind",
    "amount_fen",
    "occurred_on",
    "public_name",
    "purpose",
    "private_digest",
    "prev_hash",
)
# The fields of the private digest.
PRIVATE_FIELDS = ("party_kind", "party_name", "anonymous", "receipt_code")

__all__ = ["GENESIS_HASH", "PRIVATE_FIELDS", "PUBLIC_FIELDS"]


def canonical(values: dict[str, Any]) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8 (not \\u escapes)."""
    return json.dumps(values, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def _key() -> bytes:
    return settings.SOCIALORG_CHAIN_KEY.encode()


def private_values(entry) -> dict[str, Any]:
    """An entry's private fields, as the digest covers them."""
    name = entry.donor_name if entry.kind == "donation" else entry.beneficiary_name
    return {
        "party_kind": entry.party_kind,
        "party_name": name,
        "anonymous": bool(entry.anonymous),
        "receipt_code": entry.receipt_code,
    }


def private_digest(entry) -> str:
    return hmac.new(_key(), canonical(private_values(entry)), hashlib.sha256).hexdigest()


def public_values(entry, filing_number: str) -> dict[str, Any]:
    """The hashed fields of an entry (`entry` needs the attributes of PUBLIC_FIELDS but the
    filing number, which is the project's)."""
    occurred_on = entry.occurred_on
    if isinstance(occurred_on, dt.date):
        occurred_on = occurred_on.isoformat()
    return {
        "filing_number": filing_number,
        "seq": int(entry.seq),
        "kind": entry.kind,
        "amount_fen": int(entry.amount_fen),
        "occurred_on": occurred_on,
        "public_name": entry.public_name,
        "purpose": entry.purpose,
        "private_digest": entry.private_digest,
        "prev_hash": entry.prev_hash,
    }


def entry_hash(entry, filing_number: str) -> str:
    return hashlib.sha256(canonical(public_values(entry, filing_number))).hexdigest()


def anchor_mac(filing_number: str, count: int, head_hash: str) -> str:
    """The project's anchor, keyed: an attacker at the database cannot forge a new one."""
    message = canonical({"filing_number": filing_number, "count": count, "head": head_hash})
    return hmac.new(_key(), message, hashlib.sha256).hexdigest()


def anchor_ok(project) -> bool:
    """Whether the project's stored anchor MAC is the platform's for its count and head hash
    (a blank MAC never is: every project gets one when it is filed)."""
    expected = anchor_mac(project.filing_number, project.entry_count, project.head_hash)
    return bool(project.anchor_mac) and same(project.anchor_mac, expected)


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
