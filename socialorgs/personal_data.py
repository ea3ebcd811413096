"""The socialorgs app's section of a person's data export for organisations and donations,
and what erasure does to it (social-work requests and reviews have their own section:
socialorgs.services.socialwork.personal_data).

Erasure ends the person's accounts for organisations and withdraws their online pledges still
waiting for the money. Donations stay as they are: the charity ledger is append-only and a
charity must keep its donation records (《慈善法》), so a donation is kept under its public name
(匿名爱心人士 or the masked name) and the export says so.
"""

from __future__ import annotations

from socialorgs.models import ChainEntry, DonationPledge, OrgMembership
from socialorgs.services.charity.pledges import pledges_cancel_for_erasure

RETENTION_NOTE = "慈善组织依法保存捐赠记录，注销账号后仍按公示名称保留。"


def _iso(value) -> str | None:
    return value.isoformat() if value else None


def export_socialorgs(user) -> dict | None:
    memberships = list(OrgMembership.objects.filter(user=user).select_related("organisation"))
    donations = list(
        ChainEntry.objects.filter(donor=user).select_related("project").order_by("recorded_at")
    )
    pledges = list(
        DonationPledge.objects.filter(donor=user)
        .select_related("project", "entry")
        .order_by("created_at", "id")
    )
    if not (memberships or donations or pledges):
        return None
    return {
        "organisations": [
            {
                "name": m.organisation.name,
                "credit_code": m.organisation.credit_code,
                "role": m.role,
                "since": _iso(m.created_at),
            }
            for m in memberships
        ],
        "donations": [
            {
                "project": d.project.title,
                "filing_number": d.project.filing_number,
                "entry": d.seq,
                "amount_fen": d.amount_fen,
                "occurred_on": _iso(d.occurred_on),
                "anonymous": d.anonymous,
                "name_recorded": d.donor_name,
                "public_name": d.public_name,
                "receipt_code": d.receipt_code,
                "retention": RETENTION_NOTE,
            }
            for d in donations
        ],
        "pledges": [
            {
                "reference": p.reference,
                "project": p.project.title,
                "filing_number": p.project.filing_number,
                "amount_fen": p.amount_fen,
                "anonymous": p.anonymous,
                "status": p.status,
                "pledged_at": _iso(p.created_at),
                "decided_at": _iso(p.decided_at),
                "cancel_reason": p.cancel_reason,
                "entry": p.entry.seq if p.entry else None,
                "receipt_code": p.entry.receipt_code if p.entry else "",
            }
            for p in pledges
        ],
    }


def erase_socialorgs(user) -> None:
    """Inside the caller's transaction (accounts.services.user_erase)."""
    OrgMembership.objects.filter(user=user).delete()
    pledges_cancel_for_erasure(user)
