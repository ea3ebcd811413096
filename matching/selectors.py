"""Read paths of this app, the only way other apps and openData read its tables."""


# --- Needs
# (imports of this section are local to it, so the sections can grow apart.)

from django.db.models import Q as _Q
from django.db.models import QuerySet as _QuerySet

from matching.models import Candidate as _Candidate
from matching.models import MatchRun as _MatchRun
from matching.models import Need as _Need
from portal.accounts.permissions import staff_provider_ids as _staff_provider_ids
from portal.privacy import mask_name as _mask_name


def need_list_for_owner(*, user) -> _QuerySet[_Need]:
    """The needs a person posted: a resident's own, or an official's 代办 needs."""
    return _Need.objects.filter(resident=user).select_related(
        "category", "division", "dependant", "address"
    )


def need_get_for_owner(*, user, pk) -> _Need | None:
    if not str(pk).isdigit():
        return None
    return need_list_for_owner(user=user).filter(pk=pk).first()


def need_run_pending(need: _Need) -> _MatchRun | None:
    """The need's own run while it is queued or running (the page polls its progress)."""
    return (
        _MatchRun.objects.filter(
            need=need, status__in=[_MatchRun.Status.QUEUED, _MatchRun.Status.RUNNING]
        )
        .order_by("-created_at", "-id")
        .first()
    )


def candidate_get_for_owner(*, user, pk) -> _Candidate | None:
    """A candidate of one of the person's needs, or None (someone else's does not exist)."""
    if not str(pk).isdigit():
        return None
    return (
        _Candidate.objects.filter(pk=pk, need__resident=user)
        .select_related("need", "listing", "provider", "slot")
        .first()
    )


def lead_list_for_provider(*, provider) -> _QuerySet[_Candidate]:
    """Needs matched to the provider: proposals still open and the ones accepted (bookings and
    referrals), newest first."""
    return (
        _Candidate.objects.filter(provider=provider, run__status=_MatchRun.Status.SUCCEEDED)
        .filter(
            _Q(status=_Candidate.Status.ACCEPTED)
            | _Q(status=_Candidate.Status.PROPOSED, need__status__in=_Need.OPEN_STATES)
        )
        .select_related(
            "need__category",
            "need__division",
            "need__dependant",
            "need__resident",
            "listing",
            "provider",
            "slot",
            "booking",
        )
        .order_by("-created_at", "-id")
    )


def lead_get_for_staff(*, user, pk) -> _Candidate | None:
    """A lead of an organisation the user works for, or None."""
    if not str(pk).isdigit():
        return None
    return (
        _Candidate.objects.filter(pk=pk, provider_id__in=_staff_provider_ids(user))
        .select_related("need__resident", "need__dependant", "listing", "provider")
        .first()
    )


def lead_person(candidate: _Candidate) -> dict:
    """Who the lead is for, as the provider may see it: a masked name and no phone, except for a
    referral the provider accepted: the name and phone it needs to call back (`revealed`).
    A booked resident's contact details are on the booking desk, under its own rules."""
    need = candidate.need
    if need.proxy_name:
        name, phone = need.proxy_name, need.proxy_phone
    elif need.dependant_id:
        name, phone = need.dependant.name, ""
    else:
        name, phone = need.resident.name, ""
    revealed = bool(need.proxy_name) and (
        candidate.provider_decision == _Candidate.ProviderDecision.ACCEPTED
    )
    if revealed:
        return {"name": name, "phone": phone, "address": need.proxy_address, "revealed": True}
    return {"name": _mask_name(name), "phone": "", "address": "", "revealed": False}


# --- Runs
# (imports of this section are local to it, so the sections can grow apart.)

from matching.models import Candidate as _RunCandidate  # noqa: E402
from matching.models import MatchRun as _Run  # noqa: E402
from matching.models import Need as _RunNeed  # noqa: E402


def run_get(pk) -> _Run | None:
    """A match run by id (pollers read status, progress, counts), or None."""
    if not str(pk).isdigit():
        return None
    return _Run.objects.filter(pk=pk).first()


def run_latest_for_need(need: _RunNeed) -> _Run | None:
    """The latest succeeded run that proposed candidates for the need (its own on-demand run
    or a scope run); a failed or running run never counts."""
    return (
        _Run.objects.filter(status=_Run.Status.SUCCEEDED, candidates__need=need)
        .order_by("-finished_at", "-id")
        .distinct()
        .first()
    )


def candidate_list_for_need(need: _RunNeed) -> _QuerySet[_RunCandidate]:
    """The candidates of the latest succeeded run for the need, in rank order (0 = the
    assignment); empty when no run proposed anything."""
    run = run_latest_for_need(need)
    if run is None:
        return _RunCandidate.objects.none()
    return (
        _RunCandidate.objects.filter(run=run, need=need)
        .select_related("listing", "provider", "slot", "listing__branch")
        .order_by("rank")
    )


# --- Gaps
# Supply against demand by district, domain and ISO week, for officials (issue 7, part 5).
# (imports of this section are local to it, so the sections can grow apart.)

import datetime as _gdt  # noqa: E402
from dataclasses import dataclass as _gdataclass  # noqa: E402

from django.db.models import Count as _GCount  # noqa: E402
from django.db.models import DateField as _GDateField  # noqa: E402
from django.db.models import Exists as _GExists  # noqa: E402
from django.db.models import OuterRef as _GOuterRef  # noqa: E402
from django.db.models import Q as _GQ  # noqa: E402
from django.db.models import Sum as _GSum  # noqa: E402
from django.db.models.functions import Substr as _GSubstr  # noqa: E402
from django.db.models.functions import TruncWeek as _GTruncWeek  # noqa: E402
from django.utils import timezone as _gtimezone  # noqa: E402
from django.utils.translation import gettext_lazy as _gap  # noqa: E402

from matching.models import Need as _GapNeed  # noqa: E402
from portal.accounts.models import Division as _GDivision  # noqa: E402
from portal.accounts.models import division_ancestors as _gdivision_ancestors  # noqa: E402
from portal.accounts.models import division_prefix as _gdivision_prefix  # noqa: E402
from providers.domains import Domain as _GDomain  # noqa: E402
from services.models import Booking as _GBooking  # noqa: E402
from services.models import Listing as _GListing  # noqa: E402
from services.models import Slot as _GSlot  # noqa: E402

GAP_WEEKS_MAX = 12

GAP_FLAGS = {
    "no_coverage": _gap("无服务覆盖"),
    "outreach_only": _gap("仅延伸或线上服务"),
}
# Worst first: a district's summary shows the worst flag of its rows.
_GAP_FLAG_ORDER = ["no_coverage", "outreach_only", ""]

# Reasons the match engine writes on a need it could not match (Need.unmatched_reason).
UNMATCHED_REASONS = {
    "no_coverage": _gap("无服务覆盖"),
    "no_time_overlap": _gap("时间不匹配"),
    "over_budget": _gap("超出预算"),
    "missing_certificate": _gap("缺少所需证书"),
}

# Needs that still express demand of their own: a booked need is counted by its booking, a
# withdrawn one by nobody.
_DEMAND_NEED_STATES = (_GapNeed.Status.OPEN, _GapNeed.Status.MATCHED, _GapNeed.Status.REFERRED)


@_gdataclass
class GapRow:
    """Supply and demand of one district, domain and ISO week (week = its Monday).

    Supply is counted in slot places: `supply_*` the places offered, `free` those still free.
    """

    district: str
    district_name: str
    domain: str
    week: _gdt.date
    supply_local: int = 0
    supply_home: int = 0
    supply_outreach: int = 0
    supply_online: int = 0
    free: int = 0
    demand_needs: int = 0
    demand_bookings: int = 0
    unmatched: int = 0

    @property
    def supply_covering(self) -> int:
        """Places of listings located in the district or coming to homes in it."""
        return self.supply_local + self.supply_home

    @property
    def supply_remote(self) -> int:
        return self.supply_outreach + self.supply_online

    @property
    def supply(self) -> int:
        return self.supply_covering + self.supply_remote

    @property
    def demand(self) -> int:
        return self.demand_needs + self.demand_bookings

    @property
    def ratio(self) -> float:
        return _gap_ratio(self.supply, self.demand)

    @property
    def flag(self) -> str:
        return _gap_flag(self.supply_covering, self.supply_remote, self.demand)

    @property
    def flag_label(self) -> str:
        return str(GAP_FLAGS.get(self.flag, ""))

    @property
    def domain_label(self) -> str:
        return str(_GDomain(self.domain).label) if self.domain in _GDomain.values else self.domain

    @property
    def week_label(self) -> str:
        year, week, _day = self.week.isocalendar()
        return f"{year}-W{week:02d}"


def _gap_ratio(supply: int, demand: int) -> float:
    return round(supply / max(demand, 1), 2)


def _gap_flag(covering: int, remote: int, demand: int) -> str:
    if covering == 0 and remote > 0:
        return "outreach_only"
    if covering == 0 and demand > 0:
        return "no_coverage"
    return ""


def _gap_window(today: _gdt.date, weeks: int) -> tuple[_gdt.date, _gdt.datetime, _gdt.datetime]:
    """The first Monday and the aware bounds of the `weeks` ISO weeks ending with today's."""
    this_monday = today - _gdt.timedelta(days=today.weekday())
    first = this_monday - _gdt.timedelta(weeks=weeks - 1)
    tz = _gtimezone.get_default_timezone()
    start = _gdt.datetime.combine(first, _gdt.time.min, tzinfo=tz)
    end = _gdt.datetime.combine(this_monday + _gdt.timedelta(weeks=1), _gdt.time.min, tzinfo=tz)
    return first, start, end


def gap_districts(*, official) -> dict[str, str]:
    """The county-level districts (code → name) the official's gap pages show: those inside the
    jurisdiction, or the one containing a township official's township."""
    prefix = _gdivision_prefix(official.jurisdiction_id or "")
    if not prefix:
        return {}
    inside = _GQ(code__startswith=prefix) if len(prefix) < 9 else _GQ(code=prefix[:6])
    return dict(
        _GDivision.objects.filter(inside, level=_GDivision.Level.COUNTY)
        .order_by("code")
        .values_list("code", "name")
    )


def _area_covers(area: str, district: str) -> bool:
    """An at-home listing's service area covers the district: the district itself, a city or
    province containing it, or a township inside it (partial coverage counts)."""
    return district.startswith(_gdivision_prefix(area)) or area.startswith(district)


def gaps_by_division(
    *, official, domain: str | None = None, weeks: int = 4, today: _gdt.date | None = None
) -> list[GapRow]:
    """Supply against demand per district (6-digit) × domain × ISO week in the official's
    jurisdiction, over the `weeks` ISO weeks ending with today's (Asia/Shanghai).

    Supply, in places of slots starting that week at public listings:
      - local: listings located in the district (Listing.district) and delivering there: at
        the branch, or at home when their service area includes it (an at-home listing with
        no service_divisions serves its own district, as bookings do);
      - home: at-home listings located elsewhere whose service area (service_divisions) is the
        district, its city or province, or a township inside it;
      - online: every online listing, counted for every district (and so for several at once);
      - outreach: non-online listings of outreach providers (Provider.outreach, 1带N) located
        in the same city (prefecture), counted only in a district-week-domain with no local or
        home places.
      `supply` is their sum (all places, booked or not), `free` the places still free.
    Demand: needs posted (created_at) that week in the district (the first six digits of
    Need.division), open, matched or referred (a booked need is counted by its booking, a
    withdrawn one not at all); plus bookings starting that week at listings located there,
    except those the resident cancelled (provider cancellations and expiries are unmet demand).
    Unmatched: those needs still open with an unmatched_reason.
    Ratio = supply / max(demand, 1). Flags: "outreach_only" when the only places are outreach
    or online ones; "no_coverage" when there is demand and no place at all.

    Since remote supply is counted for every district it may serve, district supplies do not
    add up to a city total. Rows with nothing at all are left out. Five queries, whatever the
    size of the jurisdiction.
    """
    rows, _districts = _gaps(official=official, domain=domain, weeks=weeks, today=today)
    return rows


def _gaps(*, official, domain, weeks, today) -> tuple[list[GapRow], dict[str, str]]:
    districts = gap_districts(official=official)
    if not districts:
        return [], districts
    prefix = _gdivision_prefix(official.jurisdiction_id)
    today = today or _gtimezone.localdate()
    _first, start, end = _gap_window(today, weeks)
    cells: dict[tuple[str, str, _gdt.date], GapRow] = {}

    def cell(district: str, row_domain: str, week: _gdt.date) -> GapRow:
        key = (district, row_domain, week)
        if key not in cells:
            cells[key] = GapRow(district, districts[district], row_domain, week)
        return cells[key]

    listing_weeks = _gap_listing_weeks(districts, domain, start, end)
    areas = _gap_home_areas(listing_weeks)
    outreach = []
    for row in listing_weeks:
        mode, located = row["listing__delivery_mode"], row["listing__district"]
        key = (row["listing__domain"], row["week"])
        if mode == _GListing.DeliveryMode.ONLINE:
            for district in districts:
                target = cell(district, *key)
                target.supply_online += row["capacity"]
                target.free += row["free"]
            continue
        if mode == _GListing.DeliveryMode.AT_HOME and areas.get(row["listing_id"]):
            # An at-home listing serves its service area, not necessarily its own district.
            served = [
                district
                for district in districts
                if any(_area_covers(area, district) for area in areas[row["listing_id"]])
            ]
        else:
            served = [located] if located in districts else []
        for district in served:
            target = cell(district, *key)
            if district == located:
                target.supply_local += row["capacity"]
            else:
                target.supply_home += row["capacity"]
            target.free += row["free"]
        if row["listing__provider__outreach"]:
            outreach.append(row)
    # After every local and home place is known: outreach fills only the empty districts.
    for row in outreach:
        key = (row["listing__domain"], row["week"])
        for district in districts:
            if district == row["listing__district"] or district[:4] != row["listing__district"][:4]:
                continue
            existing = cells.get((district, *key))
            if existing is None or existing.supply_covering == 0:
                target = cell(district, *key)
                target.supply_outreach += row["capacity"]
                target.free += row["free"]

    needs = _GapNeed.objects.filter(
        division__code__startswith=prefix,
        created_at__gte=start,
        created_at__lt=end,
        status__in=_DEMAND_NEED_STATES,
    )
    bookings = _GBooking.objects.filter(
        listing__branch__division__code__startswith=prefix, starts_at__gte=start, starts_at__lt=end
    ).exclude(status=_GBooking.Status.CANCELLED_BY_RESIDENT)
    if domain:
        needs = needs.filter(domain=domain)
        bookings = bookings.filter(listing__domain=domain)
    unmatched = _GQ(status=_GapNeed.Status.OPEN) & ~_GQ(unmatched_reason="")
    for row in (
        needs.annotate(
            district=_GSubstr("division_id", 1, 6),
            week=_GTruncWeek("created_at", output_field=_GDateField()),
        )
        .values("district", "domain", "week")
        .annotate(total=_GCount("pk"), unmatched=_GCount("pk", filter=unmatched))
        .order_by()
    ):
        if row["district"] in districts:
            target = cell(row["district"], row["domain"], row["week"])
            target.demand_needs += row["total"]
            target.unmatched += row["unmatched"]
    for row in (
        bookings.annotate(week=_GTruncWeek("starts_at", output_field=_GDateField()))
        .values("listing__district", "listing__domain", "week")
        .annotate(total=_GCount("pk"))
        .order_by()
    ):
        if row["listing__district"] in districts:
            key = (row["listing__district"], row["listing__domain"], row["week"])
            cell(*key).demand_bookings += row["total"]
    rows = sorted(cells.values(), key=lambda r: (r.district, r.domain, r.week))
    return rows, districts


def _gap_listing_weeks(districts: dict[str, str], domain, start, end) -> list[dict]:
    """_GSlot places per public listing and week, for every listing that may serve one of the
    districts (one grouped query)."""
    codes = set(districts)
    areas = codes | {a for code in codes for a in _gdivision_ancestors(code)}
    covering = _GExists(
        _GListing.service_divisions.through.objects.annotate(district=_GSubstr("division_id", 1, 6))
        .filter(listing_id=_GOuterRef("listing_id"))
        .filter(_GQ(division_id__in=areas) | _GQ(district__in=codes))
    )
    reach = (
        _GQ(listing__district__in=codes)
        | _GQ(listing__delivery_mode=_GListing.DeliveryMode.ONLINE)
        | (_GQ(listing__delivery_mode=_GListing.DeliveryMode.AT_HOME) & covering)
        | _GQ(listing__provider__outreach=True, prefecture__in={c[:4] for c in codes})
    )
    slots = _GSlot.objects.filter(listing__is_public=True, starts_at__gte=start, starts_at__lt=end)
    if domain:
        slots = slots.filter(listing__domain=domain)
    return list(
        slots.annotate(
            prefecture=_GSubstr("listing__district", 1, 4),
            week=_GTruncWeek("starts_at", output_field=_GDateField()),
        )
        .filter(reach)
        .values(
            "listing_id",
            "listing__district",
            "listing__domain",
            "listing__delivery_mode",
            "listing__provider__outreach",
            "week",
        )
        .annotate(capacity=_GSum("capacity"), free=_GSum("remaining"))
        .order_by()
    )


def _gap_home_areas(listing_weeks: list[dict]) -> dict[int, list[str]]:
    """Service areas of the at-home listings among them (one query)."""
    ids = {
        row["listing_id"]
        for row in listing_weeks
        if row["listing__delivery_mode"] == _GListing.DeliveryMode.AT_HOME
    }
    areas: dict[int, list[str]] = {}
    if ids:
        for listing_id, code in _GListing.service_divisions.through.objects.filter(
            listing_id__in=ids
        ).values_list("listing_id", "division_id"):
            areas.setdefault(listing_id, []).append(code)
    return areas


def gaps_summary(
    *, official, domain: str | None = None, weeks: int = 4, today: _gdt.date | None = None
) -> dict:
    """The gap page: its detailed rows, one summary row per district of the jurisdiction (sums
    over domains and weeks; the flag is the worst of its rows, with the domains that carry it)
    and the bars of demand against supply; `names` maps the districts' codes to names."""
    rows, districts = _gaps(official=official, domain=domain, weeks=weeks, today=today)
    by_district = {
        code: {
            "district": code,
            "name": name,
            "supply": 0,
            "free": 0,
            "supply_remote": 0,
            "demand": 0,
            "unmatched": 0,
            "flag": "",
            "flag_domains": [],
        }
        for code, name in districts.items()
    }
    for row in rows:
        summary = by_district[row.district]
        summary["supply"] += row.supply
        summary["free"] += row.free
        summary["supply_remote"] += row.supply_remote
        summary["demand"] += row.demand
        summary["unmatched"] += row.unmatched
        flag = row.flag
        if not flag:
            continue
        if _GAP_FLAG_ORDER.index(flag) < _GAP_FLAG_ORDER.index(summary["flag"]):
            summary["flag"], summary["flag_domains"] = flag, []
        if flag == summary["flag"] and row.domain_label not in summary["flag_domains"]:
            summary["flag_domains"].append(row.domain_label)
    summaries = list(by_district.values())
    top = max((max(s["supply"], s["demand"]) for s in summaries), default=0) or 1
    for summary in summaries:
        summary["ratio"] = _gap_ratio(summary["supply"], summary["demand"])
        summary["flag_label"] = str(GAP_FLAGS.get(summary["flag"], ""))
        summary["demand_width"] = round(100 * summary["demand"] / top)
        summary["supply_width"] = round(100 * summary["supply"] / top)
    return {"rows": rows, "districts": summaries, "names": districts}


def unmatched_reasons(
    *, official, domain: str | None = None, districts: dict[str, str] | None = None
) -> list[dict]:
    """Open needs the engine could not match, per district of the jurisdiction and reason
    (reasons it does not name yet are counted under "other"). `districts`, when the caller
    already has gap_districts(official), saves a query."""
    if districts is None:
        districts = gap_districts(official=official)
    if not districts:
        return []
    needs = _GapNeed.objects.filter(
        division__code__startswith=_gdivision_prefix(official.jurisdiction_id),
        status=_GapNeed.Status.OPEN,
    ).exclude(unmatched_reason="")
    if domain:
        needs = needs.filter(domain=domain)
    table: dict[str, dict] = {}
    for row in (
        needs.annotate(district=_GSubstr("division_id", 1, 6))
        .values("district", "unmatched_reason")
        .annotate(total=_GCount("pk"))
        .order_by()
    ):
        if row["district"] not in districts:
            continue
        entry = table.setdefault(
            row["district"],
            {
                "district": row["district"],
                "name": districts[row["district"]],
                "counts": dict.fromkeys(UNMATCHED_REASONS, 0),
                "other": 0,
                "total": 0,
            },
        )
        if row["unmatched_reason"] in UNMATCHED_REASONS:
            entry["counts"][row["unmatched_reason"]] += row["total"]
        else:
            entry["other"] += row["total"]
        entry["total"] += row["total"]
    return [table[code] for code in sorted(table)]


# --- Open data
# What the openData app publishes from this app, and the only way it reads these tables for
# that: supply against demand in counts, never a need, its text or the person it is for.
# Aggregates are raw counts (openData suppresses small cells itself).
# (imports of this section are local to it, so the sections can grow apart.)

import datetime as _odt  # noqa: E402

from django.db.models import Count as _OCount  # noqa: E402
from django.db.models import F as _OF  # noqa: E402
from django.db.models import Q as _OQ  # noqa: E402
from django.db.models import Sum as _OSum  # noqa: E402
from django.db.models.functions import Substr as _OSubstr  # noqa: E402

from matching.models import Candidate as _OCandidate  # noqa: E402
from matching.models import MatchRun as _OMatchRun  # noqa: E402
from matching.models import Need as _ONeed  # noqa: E402
from portal import open_data as _open_data  # noqa: E402
from portal.accounts.models import User as _OUser  # noqa: E402
from providers.models import StaffMember as _OStaffMember  # noqa: E402
from services.models import Dependant as _ODependant  # noqa: E402
from services.models import Slot as _OSlot  # noqa: E402

OPEN_DATA_ZONE = _open_data.ZONE
OPEN_SUPPLY_DEMAND_KEYS = (
    "month",
    "district",
    "domain",
    "needs",
    "matched",
    "unmatched",
    "supply_slots",
)


# A matched need: a candidate was accepted and booked (booked), or accepted for a 代办 need and
# not declined by the provider (referred: a declined referral sends the need back to open).
_OPEN_MATCHED_NEED_STATES = (_ONeed.Status.BOOKED, _ONeed.Status.REFERRED)


def open_supply_demand_rows(*, months: int = 24, today: _odt.date | None = None) -> list[dict]:
    """Demand and supply per month ('YYYY-MM', Asia/Shanghai), district (6 digits) and domain
    over the `months` calendar months ending with today's, for the open-data catalogue.

    - `needs`: needs posted (created_at) that month whose division lies in the district,
      whatever became of them (代办 needs included);
    - `matched`: those of them with an accepted candidate: booked, or referred (a 代办
      need's referral the provider has not declined), even if the booking was cancelled
      afterwards;
    - `unmatched`: needs − matched: withdrawn, still open (never matched, or back to open
      after a declined referral), or with proposals nobody has accepted yet;
    - `supply_slots`: places (Slot.capacity, booked or not) of slots starting that month at
      listings public now, located in the district (Listing.district) and of the domain.
      Unlike gaps_by_division, home visits into other districts, online and outreach places
      are not spread over districts, so districts add up to a city total. The whole of the
      current month counts, slots still ahead included.

    Rows where needs and supply_slots are both 0 are left out; sorted by month, district,
    domain. Public as counts only: no need, person or provider is named. Two queries."""
    start, end = _open_data.month_window(today, months)
    keys = ("month", "district", "domain")
    matched = _OQ(status__in=_OPEN_MATCHED_NEED_STATES)
    cells: dict[tuple, dict] = {}

    def cell(row: dict) -> dict:
        key = tuple(row[name] for name in keys)
        if key not in cells:
            cells[key] = dict.fromkeys(OPEN_SUPPLY_DEMAND_KEYS, 0) | dict(
                zip(keys, key, strict=True)
            )
        return cells[key]

    needs = (
        _ONeed.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(month=_open_data.month_text("created_at"), district=_OSubstr("division_id", 1, 6))
        .values(*keys)
        .annotate(
            needs=_OCount("pk"),
            matched=_OCount("pk", filter=matched),
            unmatched=_OCount("pk", filter=~matched),
        )
        .order_by()
    )
    for row in needs:
        cell(row).update(needs=row["needs"], matched=row["matched"], unmatched=row["unmatched"])
    slots = (
        _OSlot.objects.filter(listing__is_public=True, starts_at__gte=start, starts_at__lt=end)
        .exclude(listing__district="")
        .exclude(listing__domain="")
        .annotate(
            month=_open_data.month_text("starts_at"),
            district=_OF("listing__district"),
            domain=_OF("listing__domain"),
        )
        .values(*keys)
        .annotate(supply_slots=_OSum("capacity"))
        .order_by()
    )
    for row in slots:
        if row["supply_slots"]:
            cell(row)["supply_slots"] = row["supply_slots"]
    return [cells[key] for key in sorted(cells)]


def person_names() -> set[str]:
    """The names of every person a matching row refers to, for openData's check that no
    release contains one: who posted a need (residents, community workers), whom it is for
    (a family member, or the 代办 person's Need.proxy_name), who requested a run, and the
    staff assigned to bookings made from candidates. One query."""
    users = _OUser.objects.filter(
        _OQ(pk__in=_ONeed.objects.values("resident_id").order_by())
        | _OQ(pk__in=_OMatchRun.objects.values("requested_by_id").order_by())
    )
    dependants = _ODependant.objects.filter(pk__in=_ONeed.objects.values("dependant_id").order_by())
    staff = _OStaffMember.objects.filter(
        pk__in=_OCandidate.objects.values("booking__staff_id").order_by()
    )
    names = (
        _ONeed.objects.exclude(proxy_name="")
        .values_list("proxy_name", flat=True)
        .order_by()
        .union(
            users.exclude(name="").values_list("name", flat=True).order_by(),
            dependants.exclude(name="").values_list("name", flat=True).order_by(),
            staff.exclude(name="").values_list("name", flat=True).order_by(),
        )
    )
    return {name.strip() for name in names if name.strip()}
