"""Statistics of volunteer service: the officials' dashboard and exports (scoped to the
official's jurisdiction) and the open-data table (city-wide, counts only).

Where each thing is counted:
- volunteers by the division they registered in (Volunteer.division);
- organisations by their division, approved ones (and those waiting for review);
- activities and confirmed hours by where the activity took place (Activity.division), and in
  the year or month in which the activity (for hours: the counted period) starts, Asia/Shanghai.
A district is the county-level code: the first six digits of any division inside it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, Left
from django.utils import timezone

from portal import open_data
from portal.accounts.models import Division, division_prefix
from portal.privacy import mask_name
from volunteers.formatting import hours_label
from volunteers.models import Activity, ActivityDomain, HourRecord, Organisation, Volunteer
from volunteers.selectors.recognition import (
    CONFIRMED,
    ZONE,
    star_label,
    star_level,
    year_bounds,
)

HELD = Activity.Status.PUBLISHED


def _scope(official) -> str:
    """The division-code prefix of an official's jurisdiction."""
    return division_prefix(official.jurisdiction_id or "")


def _district_names(codes) -> dict[str, str]:
    return dict(Division.objects.filter(code__in=set(codes)).values_list("code", "name"))


def _domain_label(code: str) -> str:
    return str(ActivityDomain(code).label) if code in ActivityDomain.values else code


@dataclass
class Dashboard:
    """The officials' dashboard for one year: rows by district and by domain, and totals."""

    year: int
    jurisdiction: str
    by_district: list[dict] = field(default_factory=list)
    by_domain: list[dict] = field(default_factory=list)
    totals: dict = field(default_factory=dict)
    pending_organisations: int = 0


def dashboard(*, official, year: int) -> Dashboard:
    """Counts of the official's jurisdiction for `year` (see the module's docstring for what is
    counted where). Seven queries, whatever the size of the jurisdiction."""
    prefix = _scope(official)
    start, end = year_bounds(year)
    in_year = Q(period__startswith__gte=start, period__startswith__lt=end)
    confirmed = HourRecord.objects.filter(in_year, status=CONFIRMED)

    districts: dict[str, dict] = defaultdict(
        lambda: dict.fromkeys(
            ("volunteers", "active_volunteers", "organisations", "activities", "minutes"), 0
        )
    )
    for row in (
        Volunteer.objects.filter(division__code__startswith=prefix, created_at__lt=end)
        .annotate(district=Left("division_id", 6))
        .values("district")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        districts[row["district"]]["volunteers"] = row["n"]
    for row in (
        confirmed.filter(volunteer__division__code__startswith=prefix)
        .annotate(district=Left("volunteer__division_id", 6))
        .values("district")
        .annotate(n=Count("volunteer_id", distinct=True))
        .order_by()
    ):
        districts[row["district"]]["active_volunteers"] = row["n"]
    pending = 0
    # Approved by the end of the year (an organisation approved without a recorded decision
    # time, e.g. imported, counts from its registration).
    approved_by_then = Q(decided_at__lt=end) | Q(decided_at__isnull=True, created_at__lt=end)
    for row in (
        Organisation.objects.filter(division__code__startswith=prefix)
        .annotate(district=Left("division_id", 6))
        .values("district")
        .annotate(
            approved=Count("pk", filter=Q(status=Organisation.Status.APPROVED) & approved_by_then),
            submitted=Count("pk", filter=Q(status=Organisation.Status.SUBMITTED)),
        )
        .order_by()
    ):
        pending += row["submitted"]
        if row["approved"]:
            districts[row["district"]]["organisations"] = row["approved"]

    domains: dict[str, dict] = defaultdict(
        lambda: dict.fromkeys(("activities", "volunteers", "minutes"), 0)
    )
    for row in (
        Activity.objects.filter(
            division__code__startswith=prefix,
            status=HELD,
            starts_at__gte=start,
            starts_at__lt=min(end, timezone.now()),  # held: started already
        )
        .annotate(district=Left("division_id", 6))
        .values("district", "domain")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        districts[row["district"]]["activities"] += row["n"]
        domains[row["domain"]]["activities"] += row["n"]
    in_scope = confirmed.filter(activity__division__code__startswith=prefix)
    for row in (
        in_scope.annotate(district=Left("activity__division_id", 6))
        .values("district")
        .annotate(minutes=Sum("minutes"))
        .order_by()
    ):
        districts[row["district"]]["minutes"] = row["minutes"] or 0
    for row in (
        in_scope.values("activity__domain")
        .annotate(minutes=Sum("minutes"), n=Count("volunteer_id", distinct=True))
        .order_by()
    ):
        domains[row["activity__domain"]].update(volunteers=row["n"], minutes=row["minutes"] or 0)
    served = in_scope.aggregate(n=Count("volunteer_id", distinct=True))["n"]

    names = _district_names(districts)
    by_district = [
        {
            "district": code,
            "name": names.get(code, code),
            **values,
            "hours": hours_label(values["minutes"]),
        }
        for code, values in sorted(districts.items())
    ]
    by_domain = [
        {
            "domain": code,
            "label": _domain_label(code),
            **domains[code],
            "hours": hours_label(domains[code]["minutes"]),
        }
        for code in ActivityDomain.values
        if code in domains
    ]
    minutes = sum(row["minutes"] for row in by_district)
    totals = {
        "volunteers": sum(row["volunteers"] for row in by_district),
        "active_volunteers": sum(row["active_volunteers"] for row in by_district),
        "served_volunteers": served,
        "organisations": sum(row["organisations"] for row in by_district),
        "activities": sum(row["activities"] for row in by_district),
        "minutes": minutes,
        "hours": hours_label(minutes),
    }
    return Dashboard(
        year=year,
        jurisdiction=official.jurisdiction_id or "",
        by_district=by_district,
        by_domain=by_domain,
        totals=totals,
        pending_organisations=pending,
    )


def _monthly_cells(*, prefix: str, start: dt.datetime, end: dt.datetime) -> list[dict]:
    """Activities held, distinct volunteers and confirmed minutes per month ('YYYY-MM'),
    district and domain, where activities lie inside `prefix`. Two queries."""
    keys = ("month", "district", "domain")
    cells: dict[tuple, dict] = {}

    def cell(row: dict) -> dict:
        key = tuple(row[k] for k in keys)
        if key not in cells:
            cells[key] = dict(zip(keys, key, strict=True)) | {
                "activities": 0,
                "volunteers": 0,
                "minutes": 0,
            }
        return cells[key]

    now = timezone.now()
    for row in (
        Activity.objects.filter(
            division__code__startswith=prefix,
            status=HELD,
            starts_at__gte=start,
            starts_at__lt=min(end, now),  # held: started already
        )
        .annotate(
            month=open_data.month_text("starts_at"),
            district=Left("division_id", 6),
        )
        .values(*keys)
        .annotate(n=Count("pk"))
        .order_by()
    ):
        cell(row)["activities"] = row["n"]
    for row in (
        HourRecord.objects.filter(
            status=CONFIRMED,
            activity__division__code__startswith=prefix,
            period__startswith__gte=start,
            period__startswith__lt=end,
        )
        .annotate(
            month=open_data.month_text(F("period__startswith")),
            district=Left("activity__division_id", 6),
            domain=F("activity__domain"),
        )
        .values(*keys)
        .annotate(n=Count("volunteer_id", distinct=True), minutes=Sum("minutes"))
        .order_by()
    ):
        cell(row).update(volunteers=row["n"], minutes=row["minutes"] or 0)
    return [cells[key] for key in sorted(cells)]


def hours_by_month(*, official, year: int) -> list[dict]:
    """The official's CSV of month × district × domain for `year`: activities held, distinct
    volunteers, confirmed hours, with district names and domain labels. Counts only."""
    start, end = year_bounds(year)
    rows = _monthly_cells(prefix=_scope(official), start=start, end=end)
    names = _district_names(row["district"] for row in rows)
    return [
        row
        | {
            "district_name": names.get(row["district"], row["district"]),
            "domain_label": _domain_label(row["domain"]),
            "hours": hours_label(row["minutes"]),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class RosterRow:
    volunteer_id: int
    user_id: int  # whose data it is (the audit's subject), never exported
    number: str
    masked_name: str
    id_number_masked: str
    division_name: str
    registered_on: dt.date
    year_minutes: int
    total_minutes: int

    @property
    def year_hours(self) -> str:
        return hours_label(self.year_minutes)

    @property
    def total_hours(self) -> str:
        return hours_label(self.total_minutes)

    @property
    def star_label(self) -> str:
        return star_label(star_level(self.total_minutes))


def roster(*, official, year: int):
    """Volunteers registered in the official's jurisdiction, by number, with masked name and
    ID number, confirmed hours in `year` and in total (a generator over one query; closed
    accounts are left out)."""
    start, end = year_bounds(year)
    confirmed = Q(hours__status=CONFIRMED)
    in_year = confirmed & Q(hours__period__startswith__gte=start, hours__period__startswith__lt=end)
    volunteers = (
        Volunteer.objects.filter(
            division__code__startswith=_scope(official), user__erased_at__isnull=True
        )
        .annotate(
            total=Coalesce(Sum("hours__minutes", filter=confirmed), 0),
            in_year=Coalesce(Sum("hours__minutes", filter=in_year), 0),
            division_name=F("division__name"),
        )
        .values(
            "pk",
            "user_id",
            "number",
            "real_name",
            "id_number_masked",
            "division_name",
            "created_at",
            "total",
            "in_year",
        )
        .order_by("number")
    )
    for v in volunteers.iterator(chunk_size=2000):
        yield RosterRow(
            volunteer_id=v["pk"],
            user_id=v["user_id"],
            number=v["number"],
            masked_name=mask_name(v["real_name"]),
            id_number_masked=v["id_number_masked"],
            division_name=v["division_name"],
            registered_on=timezone.localtime(v["created_at"], ZONE).date(),
            year_minutes=v["in_year"],
            total_minutes=v["total"],
        )


# --- Open data --------------------------------------------------------------------------------


def open_volunteer_service_rows(*, months: int = 24, today: dt.date | None = None) -> list[dict]:
    """Volunteer service per month ('YYYY-MM', Asia/Shanghai), district (6 digits) and domain
    over the `months` calendar months ending with today's, city-wide, for the open-data
    catalogue: activities held (started, not cancelled), distinct volunteers with confirmed
    hours (by the month their period starts) and those hours (one decimal). Raw counts, no
    person: openData suppresses small cells. Two queries."""
    start, end = open_data.month_window(today, months)
    return [
        {
            "month": row["month"],
            "district": row["district"],
            "domain": row["domain"],
            "activities": row["activities"],
            "volunteers": row["volunteers"],
            "hours": round(row["minutes"] / 60, 1),
        }
        for row in _monthly_cells(prefix="", start=start, end=end)
    ]


def person_names() -> set[str]:
    """Every person name the volunteers app holds (volunteers' real names and their
    guardians'), for openData's check that no release contains one. Erased records carry a
    placeholder, not a name. One query."""
    from volunteers.personal_data import ERASED_NAME

    names = (
        Volunteer.objects.exclude(real_name=ERASED_NAME)
        .values_list("real_name", flat=True)
        .order_by()
        .union(
            Volunteer.objects.exclude(guardian_name="")
            .values_list("guardian_name", flat=True)
            .order_by()
        )
    )
    return {name.strip() for name in names if name and name.strip()}
