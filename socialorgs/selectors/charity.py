"""Reads of charity transparency: projects, the chain's verification, the traced flow of money
(FIFO: which donations funded which disbursement), receipt lookup and disclosures.

Nothing here returns a donor's or beneficiary's real name to the public: the flow carries
`public_name` only (socialorgs.services.charity.ledger says how it is formed). Real names are
read through socialorgs.services.charity.ledger_entries_reveal, which audits the read.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict, deque
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import division_prefix
from portal.privacy import mask_name
from socialorgs import chain
from socialorgs.models import (
    ChainEntry,
    DisclosureItem,
    DonationPledge,
    FundraisingProject,
    OrgMembership,
    SocialOrganisation,
)
from socialorgs.services.common import official_supervises

K = ChainEntry.Kind

# --- Projects -----------------------------------------------------------------------------------


def _with_totals(projects: QuerySet[FundraisingProject]) -> QuerySet[FundraisingProject]:
    return projects.select_related("organisation").annotate(
        donated_fen=Coalesce(Sum("entries__amount_fen", filter=Q(entries__kind=K.DONATION)), 0),
        disbursed_fen=Coalesce(
            Sum("entries__amount_fen", filter=Q(entries__kind=K.DISBURSEMENT)), 0
        ),
    )


def project_list_public(
    *, q: str = "", status: str = "", organisation: SocialOrganisation | None = None
) -> QuerySet[FundraisingProject]:
    """Every filed project (open ones first, then the newest), with its totals."""
    projects = FundraisingProject.objects.all()
    if organisation is not None:
        projects = projects.filter(organisation=organisation)
    if q:
        projects = projects.filter(
            Q(title__icontains=q)
            | Q(filing_number__iexact=q)
            | Q(organisation__name__icontains=q)
            | Q(beneficiary_group__icontains=q)
        )
    if status in FundraisingProject.Status.values:
        projects = projects.filter(status=status)
    return _with_totals(projects).order_by("status", "-starts_on", "-id")


def project_get_public(*, filing_number: str) -> FundraisingProject | None:
    return (
        _with_totals(FundraisingProject.objects.filter(filing_number=(filing_number or "").upper()))
        .order_by()
        .first()
    )


def project_list_for_member(*, user) -> QuerySet[FundraisingProject]:
    """Projects of the organisations the user holds an account of."""
    if not (user and user.is_authenticated):
        return FundraisingProject.objects.none()
    return _with_totals(
        FundraisingProject.objects.filter(organisation__memberships__user=user)
    ).order_by("organisation__name", "status", "-starts_on", "-id")


def project_get_for_member(*, user, filing_number: str) -> FundraisingProject | None:
    return project_list_for_member(user=user).filter(filing_number=filing_number.upper()).first()


def project_list_for_official(*, user) -> QuerySet[FundraisingProject]:
    """Projects of organisations within a civil-affairs official's jurisdiction."""
    if not official_supervises(user, user.jurisdiction_id if user.is_authenticated else ""):
        return FundraisingProject.objects.none()
    prefix = division_prefix(user.jurisdiction_id)
    return _with_totals(
        FundraisingProject.objects.filter(organisation__division__code__startswith=prefix)
    ).order_by("status", "-starts_on", "-id")


def project_get_for_official(*, user, filing_number: str) -> FundraisingProject | None:
    return project_list_for_official(user=user).filter(filing_number=filing_number.upper()).first()


def organisations_for_member(*, user) -> list[dict]:
    """The organisations the user holds an account of, with their role and whether they may
    fundraise: the charity desk's home."""
    if not (user and user.is_authenticated):
        return []
    memberships = (
        OrgMembership.objects.filter(user=user)
        .select_related("organisation")
        .order_by("organisation__name", "organisation_id")
    )
    return [
        {
            "organisation": m.organisation,
            "role": m.role,
            "acts": m.role in (OrgMembership.Role.OWNER, OrgMembership.Role.MANAGER),
            "fundraises": (
                m.organisation.is_charity
                and m.organisation.public_fundraising
                and m.organisation.status == SocialOrganisation.Status.NORMAL
            ),
        }
        for m in memberships
    ]


def organisation_get_charity(*, credit_code: str) -> SocialOrganisation | None:
    """A charity's public page: any organisation that has filed a project or is a charity."""
    return (
        SocialOrganisation.objects.filter(credit_code=(credit_code or "").upper())
        .filter(Q(is_charity=True) | Q(fundraising_projects__isnull=False))
        .distinct()
        .first()
    )


# --- The chain ----------------------------------------------------------------------------------


@dataclass
class EntryCheck:
    seq: int
    kind: str
    stored_hash: str
    recomputed_hash: str
    prev_hash: str
    ok: bool


@dataclass
class ChainFailure:
    """The first broken entry: `seq`, what was done to it (`reason`) and a sentence. A chain
    whose keyed anchor fails with no entries left (deleted whole) is reported at seq 0."""

    seq: int
    reason: str  # modified | deleted | reordered | anchor
    message: str


@dataclass
class ChainReport:
    filing_number: str
    valid: bool
    count: int
    head_hash: str
    entries: list[EntryCheck] = field(default_factory=list)
    failure: ChainFailure | None = None

    @property
    def status_text(self) -> str:
        return _("验证通过") if self.valid else self.failure.message


def _failure(seq: int, reason: str, *, mac: bool = False) -> ChainFailure:
    messages = {
        "modified": _("第 %(n)s 条记录被篡改"),
        "deleted": _("第 %(n)s 条记录被删除"),
        "reordered": _("第 %(n)s 条记录的顺序或链接被改动"),
        "anchor": _("第 %(n)s 条记录之后的链与项目锚定记录不符"),
    }
    message = messages[reason] % {"n": seq}
    if mac:
        # The keyed anchor itself: blank or not the platform's (the chain rewritten to its
        # end, or wiped altogether with the count and head reset).
        message = _("链头锚点校验失败：记录数或最新哈希与平台签发的锚点不符")
    return ChainFailure(seq=seq, reason=reason, message=message)


def project_entries(project: FundraisingProject) -> list[ChainEntry]:
    """The project's entries in seq order, each with the project's row as the same statement
    saw it: chain_verify takes the anchor from there, so an append committing between two
    reads can never look like tampering. (Read the project before this; with no entries,
    its anchor is the one to check.)"""
    return list(
        ChainEntry.objects.filter(project_id=project.pk)
        .select_related("project")
        .order_by("seq", "id")
    )


def chain_verify(
    project: FundraisingProject, entries: list[ChainEntry] | None = None
) -> ChainReport:
    """Recompute every entry's hash in seq order from its stored fields and check the links
    and the project's anchor. The first failure names its entry and what happened:

    - deleted: a gap in the seqs, or fewer entries than the anchor counts (the last deleted);
    - reordered: an entry's prev_hash is not the hash of the entry before it;
    - modified: the stored hash, or the private digest, differs from the recomputed one;
    - anchor: the chain's end does not match the project's count, head hash or its MAC (the
      chain rewritten to its end, appended to outside the service, or deleted whole: the MAC
      is checked for a project without entries as well, and a blank one fails).
    """
    if entries is None:
        # The caller's instance may predate appends: read the project again, then its entries.
        project = FundraisingProject.objects.get(pk=project.pk)
        entries = project_entries(project)
    if entries and ChainEntry.project.is_cached(entries[0]):
        # The anchor as the entries' own statement saw it (project_entries).
        project = entries[0].project
    filing = project.filing_number
    checks: list[EntryCheck] = []
    failure: ChainFailure | None = None
    expected, prev = 1, chain.GENESIS_HASH
    for entry in entries:
        recomputed = chain.entry_hash(entry, filing)
        linked = chain.same(entry.prev_hash, prev)
        hashed = chain.same(recomputed, entry.entry_hash)
        private = chain.same(chain.private_digest(entry), entry.private_digest)
        checks.append(
            EntryCheck(
                seq=entry.seq,
                kind=entry.kind,
                stored_hash=entry.entry_hash,
                recomputed_hash=recomputed,
                prev_hash=entry.prev_hash,
                ok=linked and hashed and private and entry.seq == expected,
            )
        )
        if failure is None:
            if entry.seq != expected:
                failure = _failure(expected, "deleted")
            elif not linked:
                failure = _failure(entry.seq, "reordered")
            elif not (hashed and private):
                failure = _failure(entry.seq, "modified")
        prev, expected = entry.entry_hash, entry.seq + 1
    last_seq = expected - 1
    if failure is None:
        if project.entry_count > last_seq:
            failure = _failure(last_seq + 1, "deleted")
        elif project.entry_count < last_seq:
            failure = _failure(project.entry_count + 1, "anchor")
        elif not chain.same(project.head_hash, prev):
            failure = _failure(last_seq, "anchor")
        elif not chain.anchor_ok(project):
            # Checked with no entries too: project_create writes the anchor of (0, genesis),
            # so a chain deleted whole, its count and head reset, fails here.
            failure = _failure(project.entry_count, "anchor", mac=True)
    return ChainReport(
        filing_number=filing,
        valid=failure is None,
        count=len(entries),
        head_hash=prev,
        entries=checks,
        failure=failure,
    )


def chain_verify_many(projects) -> dict[int, ChainReport]:
    """chain_verify of each project, their entries read in one query (for lists)."""
    projects = list(projects)
    grouped: dict[int, list[ChainEntry]] = defaultdict(list)
    rows = ChainEntry.objects.filter(project__in=projects).select_related("project")
    for entry in rows.order_by("project", "seq", "id"):
        grouped[entry.project_id].append(entry)
    return {p.pk: chain_verify(p, grouped[p.pk]) for p in projects}


# --- The traced flow ----------------------------------------------------------------------------


def _public(entry: ChainEntry) -> dict:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "kind_display": entry.get_kind_display(),
        "amount_fen": entry.amount_fen,
        "occurred_on": entry.occurred_on,
        "public_name": entry.public_name,
        "purpose": entry.purpose,
        "private_digest": entry.private_digest,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def project_flow(project: FundraisingProject, entries: list[ChainEntry] | None = None) -> dict:
    """Totals, the entries in order with public fields only, and the FIFO allocation: each
    disbursement is funded by the oldest donations with money left, so each donation lists
    the disbursements it went to (`uses`) and what is left of it (`remaining_fen`), each
    disbursement the donations it came from (`sources`)."""
    if entries is None:
        entries = project_entries(project)
    rows = [_public(e) for e in entries]
    by_seq = {row["seq"]: row for row in rows}
    queue: deque[list] = deque()
    allocations = []
    donated = disbursed = 0
    for row in rows:
        if row["kind"] == K.DONATION:
            donated += row["amount_fen"]
            row["uses"], row["remaining_fen"] = [], row["amount_fen"]
            queue.append(row)
            continue
        disbursed += row["amount_fen"]
        row["sources"], need = [], row["amount_fen"]
        while need and queue:
            source = queue[0]
            take = min(need, source["remaining_fen"])
            source["remaining_fen"] -= take
            need -= take
            allocations.append(
                {"donation_seq": source["seq"], "disbursement_seq": row["seq"], "amount_fen": take}
            )
            source["uses"].append(
                {
                    "seq": row["seq"],
                    "public_name": row["public_name"],
                    "purpose": row["purpose"],
                    "occurred_on": row["occurred_on"],
                    "amount_fen": take,
                }
            )
            row["sources"].append(
                {"seq": source["seq"], "public_name": source["public_name"], "amount_fen": take}
            )
            if not source["remaining_fen"]:
                queue.popleft()
        # Only a tampered chain can pay out more than came in; show it, do not hide it.
        row["unfunded_fen"] = need
    return {
        "donated_fen": donated,
        "disbursed_fen": disbursed,
        "balance_fen": donated - disbursed,
        "target_fen": project.target_fen,
        "entries": rows,
        "allocations": allocations,
        "by_seq": by_seq,
    }


def receipt_find(
    *, project: FundraisingProject, code: str, flow: dict | None = None
) -> dict | None:
    """The donation with this receipt code in the project, as the traced flow shows it (with
    the disbursements it funded), or None."""
    seq = (
        project.entries.filter(kind=K.DONATION, receipt_code=code)
        .values_list("seq", flat=True)
        .first()
    )
    if seq is None:
        return None
    flow = flow or project_flow(project)
    return flow["by_seq"].get(seq)


# --- Online pledges ----------------------------------------------------------------------------


def pledge_list_for_donor(
    *, user, project: FundraisingProject | None = None, limit: int = 100
) -> list[DonationPledge]:
    """The user's own pledges (of one project, or all), newest first, with their entries
    (the receipt code of a confirmed one) and projects."""
    if not (user and user.is_authenticated):
        return []
    pledges = DonationPledge.objects.filter(donor=user)
    if project is not None:
        pledges = pledges.filter(project=project)
    return list(pledges.select_related("project", "entry").order_by("-created_at", "-id")[:limit])


def pledge_get(*, project: FundraisingProject, pk) -> DonationPledge | None:
    """A pledge of the project by its id (as typed in a form, too), or None."""
    if isinstance(pk, str) and pk.strip().isdigit():
        pk = int(pk)
    if isinstance(pk, bool) or not isinstance(pk, int) or not 0 < pk < 2**63:
        return None
    return (
        DonationPledge.objects.filter(project=project, pk=pk)
        .select_related("donor", "project__organisation")
        .first()
    )


def pledges_pending(*, project: FundraisingProject) -> list[DonationPledge]:
    """The project's pledges waiting for the money, oldest first (the ledger desk), each with
    `masked_name`: the donor as the desk sees them unless it asks for the real name (an
    audited read: socialorgs.services.charity.pledge_donors_reveal)."""
    pledges = list(
        project.pledges.filter(status=DonationPledge.Status.PENDING)
        .select_related("donor")
        .order_by("created_at", "id")
    )
    for pledge in pledges:
        pledge.masked_name = mask_name(pledge.donor.name)
    return pledges


# --- Disclosures --------------------------------------------------------------------------------


def disclosure_list(
    *,
    organisation: SocialOrganisation | None = None,
    project: FundraisingProject | None = None,
    organisation_only: bool = False,
) -> list[DisclosureItem]:
    """Disclosure items (duties with their due dates, published or not, overdue marks),
    due date order: those of a project, or of an organisation (all of them, or only its own
    annual ones with `organisation_only`)."""
    items = DisclosureItem.objects.select_related("project")
    if project is not None:
        items = items.filter(project=project)
    if organisation is not None:
        items = items.filter(organisation=organisation)
    if organisation_only:
        items = items.filter(project__isnull=True)
    return list(items.order_by("due_on", "id"))


def disclosure_state(item: DisclosureItem, today: dt.date | None = None) -> str:
    """published | published_late | overdue | pending."""
    today = today or timezone.localdate()
    if item.published_at is not None:
        late = item.overdue_at is not None or timezone.localdate(item.published_at) > item.due_on
        return "published_late" if late else "published"
    if item.overdue_at is not None or item.due_on < today:
        return "overdue"
    return "pending"


def disclosure_pending_count(*, organisation: SocialOrganisation) -> int:
    return DisclosureItem.objects.filter(
        organisation=organisation, published_at__isnull=True
    ).aggregate(n=Count("id"))["n"]


__all__ = [
    "ChainReport",
    "chain_verify",
    "chain_verify_many",
    "disclosure_list",
    "disclosure_pending_count",
    "disclosure_state",
    "organisation_get_charity",
    "organisations_for_member",
    "pledge_get",
    "pledge_list_for_donor",
    "pledges_pending",
    "project_entries",
    "project_flow",
    "project_get_for_member",
    "project_get_for_official",
    "project_get_public",
    "project_list_for_member",
    "project_list_for_official",
    "project_list_public",
    "receipt_find",
]
