"""The provider directory as Open Referral HSDS 3.0: organisations (providers), locations
(branches) and services (listings), for the release files and the read-only HSDS API.

Rows come only from the providers and services apps' open-data selectors, so HSDS never shows
more than the CSV resources of the same release: no person's name, no mobile number. Every id is
a UUID derived from the row's own key, the same in every release and every API answer.

Coordinates are published as the portal holds them, GCJ-02 (the system Chinese public maps must
use), not WGS84 as HSDS expects; each location's description says so.
"""

from __future__ import annotations

import io
import json
import math
import re
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db.models import Q, QuerySet

from portal.accounts import selectors as accounts
from providers import selectors as providers
from services import selectors as services

# Never change it: every published id derives from it.
NAMESPACE = uuid.UUID("9771dfc0-10f8-4a62-8d09-c8c688ee168f")

BATCH = 500  # organisations per round of queries when writing a whole release file
PER_PAGE = 20
MAX_PER_PAGE = 100
_CHUNK = 1 << 16  # characters buffered before a write to the release file

# Labels of the codes the selectors return (the apps' model choices; openData imports no
# models). A code missing here is published as itself.
DOMAINS = {
    "eldercare": "养老",
    "childcare": "托育",
    "domestic": "家政",
    "health": "医疗健康",
    "education": "教育",
    "culture_tourism": "文化旅游",
    "sports": "体育",
}
PRICE_UNITS = {"visit": "次", "hour": "小时", "day": "天", "month": "月", "package": "套餐"}
DELIVERY_MODES = {"at_branch": "到店服务", "at_home": "上门服务", "online": "线上服务"}
SUBSIDIES = {
    "advanced_age": "高龄津贴",
    "minimum_living": "低保",
    "extreme_poverty": "特困供养",
    "disability": "失能补贴",
    "childcare": "普惠托育补贴",
    "long_term_care": "长期护理保险",
}
ACCESSIBILITY = {
    "step_free": "无障碍通道",
    "lift": "电梯",
    "accessible_toilet": "无障碍卫生间",
    "hearing_loop": "助听设备",
    "braille": "盲文标识",
    "wheelchair": "轮椅借用",
    "accessible_parking": "无障碍停车位",
    "sign_language": "手语服务",
}
_WEEKDAYS = {1: "MO", 2: "TU", 3: "WE", 4: "TH", 5: "FR", 6: "SA", 7: "SU"}
_WEEKDAY_NAMES = {1: "一", 2: "二", 3: "三", 4: "四", 5: "五", 6: "六", 7: "日"}
_UTC_OFFSET = "+08:00"  # opening times are Asia/Shanghai wall-clock times
_COORDINATES_NOTE = "坐标为 GCJ-02（国测局）坐标系。"


# --- Ids ---------------------------------------------------------------------------------------

_PK_MASK = (1 << 48) - 1


def _uuid(name: str) -> str:
    return str(uuid.uuid5(NAMESPACE, name))


def row_uuid(kind: str, pk: int) -> str:
    """The id of branch or listing `pk`: uuid5 of "kind:pk" whose last 48 bits (the node
    field) are pk itself, so an API id leads back to its row without a lookup table or a scan.
    Version and variant bits stay those of uuid5."""
    if not 0 <= pk <= _PK_MASK:
        raise ValueError(f"{kind} {pk} does not fit in a derived UUID")
    digest = uuid.uuid5(NAMESPACE, f"{kind}:{pk}").int
    return str(uuid.UUID(int=(digest & ~_PK_MASK) | pk))


def _row_pk(kind: str, value: str) -> int | None:
    """The pk whose `row_uuid` is `value`, or None for anything else (malformed or forged)."""
    try:
        parsed = uuid.UUID(str(value))
    except ValueError:
        return None
    pk = parsed.int & _PK_MASK
    return pk if row_uuid(kind, pk) == str(parsed) else None


def _as_uuid(value) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


# --- Taxonomies --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Taxonomy:
    """One of the portal's own code lists, published as an HSDS taxonomy."""

    name: str
    description: str
    link_type: str

    @property
    def id(self) -> str:
        return _uuid(f"taxonomy:{self.name}")

    def term_id(self, code: str) -> str:
        return _uuid(f"taxonomy_term:{self.name}:{code}")


CATEGORIES = Taxonomy("portal-categories", "服务类别", "category")
DOMAIN_TERMS = Taxonomy("portal-domains", "服务领域", "domain")
DELIVERY_TERMS = Taxonomy("portal-delivery-modes", "服务方式", "delivery_mode")
SUBSIDY_TERMS = Taxonomy("portal-subsidies", "可使用的补贴与保险", "eligibility")


def _attribute(taxonomy: Taxonomy, code: str, name: str, *, link_id: str, entity: str) -> dict:
    term_id = taxonomy.term_id(code)
    return {
        "id": _uuid(f"attribute:{entity}:{link_id}:{taxonomy.name}:{code}"),
        "link_id": link_id,
        "link_type": taxonomy.link_type,
        "link_entity": entity,
        "taxonomy_term_id": term_id,
        "taxonomy_term": {
            "id": term_id,
            "code": code,
            "name": name,
            "description": f"{taxonomy.description}：{name}",
            "taxonomy": taxonomy.name,
            "taxonomy_id": taxonomy.id,
            "language": "zh",
            "taxonomy_detail": {
                "id": taxonomy.id,
                "name": taxonomy.name,
                "description": taxonomy.description,
            },
        },
    }


# --- Places ------------------------------------------------------------------------------------

# City-level entries that are not a city's name (municipalities, counties under a province).
_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
_MUNICIPALITIES = {"11", "12", "31", "50"}


class _Places:
    """Division names by code, each fetched once for a whole run."""

    def __init__(self) -> None:
        self._names: dict[str, str] = {}

    def load(self, codes: Iterable[str]) -> None:
        wanted = set()
        for code in codes:
            if code:
                wanted |= {code[:6], code[:4] + "00", code[:2] + "0000"}
        wanted -= self._names.keys()
        if wanted:
            found = dict(
                accounts.division_list().filter(code__in=wanted).values_list("code", "name")
            )
            self._names.update({code: found.get(code, "") for code in wanted})

    def address(self, code: str) -> tuple[str, str, str]:
        """(city, district, province) of a division code; the district may be ''."""
        county, city, province = code[:6], code[:4] + "00", code[:2] + "0000"
        province_name = self._names.get(province, "")
        district = self._names.get(county, "") if county not in (city, province) else ""
        city_name = self._names.get(city, "") if city != province else ""
        if not city_name or city_name in _PLACEHOLDERS:
            # 北京市朝阳区 is in the city 北京市; 仙桃市 (under 湖北省 directly) is its own city.
            city_name = province_name if code[:2] in _MUNICIPALITIES else district
        return city_name, district, province_name


# --- Objects -----------------------------------------------------------------------------------


def _split(joined: str | None) -> list[str]:
    return [code for code in (joined or "").split(";") if code]


_EXTENSION = re.compile(r"^(0\d{2,3}-?\d{7,8})-(\d{1,5})$")


def _phones(number: str, *, key: str, **links: str) -> list[dict]:
    """The organisation's public phone, or none: the selector publishes only a landline or a
    400/800 line (never a mobile, usually one person's own)."""
    if not number:
        return []
    phone: dict = {"id": _uuid(f"phone:{key}"), **links}
    extension = _EXTENSION.match(number)
    phone["number"] = extension[1] if extension else number
    if extension:
        phone["extension"] = int(extension[2])
    phone.update(type="voice", description="机构对外联系电话")
    return [phone]


def location(branch: dict, places: _Places) -> dict:
    """A branch as an HSDS location with its address, accessibility and opening hours.
    `places` must have loaded the branch's division code."""
    pk = branch["id"]
    location_id = row_uuid("branch", pk)
    city, district, province = places.address(branch["division_code"])
    address = {"id": _uuid(f"address:branch:{pk}"), "location_id": location_id}
    address["address_1"] = branch["address"]
    address["city"] = city
    if district:
        address["region"] = district
    # HSDS requires postal_code; the portal does not hold one.
    address.update(state_province=province, postal_code="", country="CN", address_type="physical")
    return {
        "id": location_id,
        "location_type": "physical",
        "organization_id": str(branch["provider_id"]),
        "name": branch["name"],
        "description": _location_description(branch),
        "latitude": float(branch["latitude"]),
        "longitude": float(branch["longitude"]),
        "addresses": [address],
        "accessibility": [
            {
                "id": _uuid(f"accessibility:branch:{pk}:{code}"),
                "location_id": location_id,
                "description": ACCESSIBILITY.get(code, code),
            }
            for code in _split(branch["accessibility"])
        ],
        "schedules": (
            [
                {
                    "id": _uuid(f"schedule:branch:{pk}"),
                    "location_id": location_id,
                    "description": branch["opening_hours"],
                }
            ]
            if branch["opening_hours"]
            else []
        ),
    }


def _location_description(branch: dict) -> str:
    capacity = [
        f"{label} {branch[key]} {unit}"
        for key, label, unit in (
            ("beds", "床位", "张"),
            ("places", "托位", "个"),
            ("staff_capacity", "服务人员", "人"),
        )
        if branch[key] is not None
    ]
    return ("；".join(capacity) + "。" if capacity else "") + _COORDINATES_NOTE


def organization_basic(provider: dict) -> dict:
    """An organisation's one-to-one fields (the HSDS list view)."""
    domains = "、".join(DOMAINS.get(code, code) for code in _split(provider["domains"]))
    description = (provider["description"] or "").strip() or (
        f"{provider['name']}是经审核登记的{domains or '社会'}服务机构。"
    )
    return {"id": str(provider["id"]), "name": provider["name"], "description": description}


def _organization_core(provider: dict) -> dict:
    """An organisation with its identifier, public phone and domains (what a service nests)."""
    found = organization_basic(provider)
    pk = found["id"]
    found["organization_identifiers"] = (
        [
            {
                "id": _uuid(f"identifier:provider:{pk}:CN-USCC"),
                "organization_id": pk,
                "identifier_scheme": "CN-USCC",
                "identifier_type": "统一社会信用代码",
                "identifier": provider["credit_code"],
            }
        ]
        if provider["credit_code"]
        else []
    )
    found["phones"] = _phones(provider["contact_phone"], key=f"provider:{pk}", organization_id=pk)
    found["attributes"] = [
        _attribute(DOMAIN_TERMS, code, DOMAINS.get(code, code), link_id=pk, entity="organization")
        for code in _split(provider["domains"])
    ]
    return found


def organization(provider: dict, *, locations: list[dict], services: list[dict]) -> dict:
    """A fully nested organisation: its locations and its services (basic or full)."""
    found = _organization_core(provider)
    found["locations"] = locations
    found["services"] = services
    return found


def _yuan(fen: int) -> int | float:
    return fen // 100 if fen % 100 == 0 else fen / 100


def _yuan_text(fen: int) -> str:
    return f"{fen // 100}" if fen % 100 == 0 else f"{fen / 100:.2f}"


def _fees(listing: dict) -> str:
    unit = PRICE_UNITS.get(listing["price_unit"], listing["price_unit"])
    fees = f"{_yuan_text(listing['price_fen'])} 元/{unit}" if listing["price_fen"] else "免费"
    subsidies = [SUBSIDIES.get(code, code) for code in _split(listing["subsidies"])]
    if subsidies:
        fees += f"；可使用：{'、'.join(subsidies)}"
    return fees


def _accreditations(provider: dict) -> str:
    found = []
    if provider["official_grade"]:
        until = provider["official_grade_until"]
        found.append(
            f"官方评定等级：{provider['official_grade']}"
            + (f"（有效期至 {until.isoformat()}）" if until else "")
        )
    if provider["credit_grade"]:
        found.append(f"信用等级：{provider['credit_grade']}")
    return "；".join(found)


def service_basic(listing: dict, provider: dict) -> dict:
    """A service's one-to-one fields (the HSDS list view)."""
    description = (listing["description"] or "").strip() or (
        f"{provider['name']}提供的{listing['category_name']}服务。"
    )
    found = {
        "id": row_uuid("listing", listing["id"]),
        "organization_id": str(listing["provider_id"]),
        "name": listing["title"],
        "description": description,
        "status": "active",
        "fees_description": _fees(listing),
    }
    accreditations = _accreditations(provider)
    if accreditations:
        found["accreditations"] = accreditations
    return found


def service(
    listing: dict,
    provider: dict,
    branch: dict | None,
    rules: Iterable[dict],
    places: _Places,
    *,
    nest_organization: bool = True,
) -> dict:
    """A fully nested service: prices, times, categories, where it is delivered, and (unless
    nested in its organisation) the organisation. `places` must have loaded the branch."""
    found = service_basic(listing, provider)
    pk, service_id = listing["id"], found["id"]
    attending = DELIVERY_MODES.get(listing["delivery_mode"], listing["delivery_mode"])
    found["phones"] = _phones(provider["contact_phone"], key=f"listing:{pk}", service_id=service_id)
    found["schedules"] = _schedules(listing, branch, rules, service_id, attending)
    found["cost_options"] = [_cost_option(listing, service_id)]
    found["attributes"] = _service_attributes(listing, service_id, attending)
    found["service_at_locations"] = (
        [
            {
                "id": _uuid(f"service_at_location:listing:{pk}"),
                "service_id": service_id,
                "location_id": row_uuid("branch", branch["id"]),
                "location": location(branch, places),
            }
        ]
        if branch
        else []
    )
    if nest_organization:
        found["organization"] = _organization_core(provider)
    return found


def _cost_option(listing: dict, service_id: str) -> dict:
    unit = PRICE_UNITS.get(listing["price_unit"], listing["price_unit"])
    description = f"{_yuan_text(listing['price_fen'])} 元/{unit}"
    if listing["duration_minutes"]:
        description += f"，每次约 {listing['duration_minutes']} 分钟"
    return {
        "id": _uuid(f"cost_option:listing:{listing['id']}"),
        "service_id": service_id,
        "option": unit,
        "currency": "CNY",
        "amount": _yuan(listing["price_fen"]),
        "amount_description": description,
    }


def _service_attributes(listing: dict, service_id: str, attending: str) -> list[dict]:
    def attribute(taxonomy: Taxonomy, code: str, name: str) -> dict:
        return _attribute(taxonomy, code, name, link_id=service_id, entity="service")

    domain = listing["domain"]
    return [
        attribute(CATEGORIES, listing["category_code"], listing["category_name"]),
        attribute(DOMAIN_TERMS, domain, DOMAINS.get(domain, domain)),
        attribute(DELIVERY_TERMS, listing["delivery_mode"], attending),
        *(
            attribute(SUBSIDY_TERMS, code, SUBSIDIES.get(code, code))
            for code in _split(listing["subsidies"])
        ),
    ]


def _schedules(
    listing: dict, branch: dict | None, rules: Iterable[dict], service_id: str, attending: str
) -> list[dict]:
    """The branch's opening hours as text, then the listing's weekly booking hours, one
    schedule per time window with the weekdays it applies to."""
    found = []
    if branch and branch["opening_hours"]:
        found.append(
            {
                "id": _uuid(f"schedule:listing:{listing['id']}"),
                "service_id": service_id,
                "description": f"{branch['name']}营业时间：{branch['opening_hours']}",
                "attending_type": attending,
            }
        )
    weekdays = defaultdict(set)
    for rule in rules:
        weekdays[(rule["opens_at"], rule["closes_at"])].add(rule["weekday"])
    for (opens, closes), days in sorted(weekdays.items()):
        ordered = sorted(days)
        window = f"{opens:%H:%M}–{closes:%H:%M}"
        days_text = "、".join(_WEEKDAY_NAMES[day] for day in ordered)
        found.append(
            {
                # Keyed by the time window: adding a weekday changes the schedule, not its id.
                "id": _uuid(f"schedule:listing:{listing['id']}:{opens:%H%M}-{closes:%H%M}"),
                "service_id": service_id,
                "freq": "WEEKLY",
                "interval": 1,
                "wkst": "MO",
                "byday": ",".join(_WEEKDAYS[day] for day in ordered),
                "opens_at": f"{opens:%H:%M}{_UTC_OFFSET}",
                "closes_at": f"{closes:%H:%M}{_UTC_OFFSET}",
                "timezone": 8,
                "description": f"每周{days_text} {window} 可预约",
                "attending_type": attending,
            }
        )
    return found


# --- Loading rows ------------------------------------------------------------------------------


def _grouped(rows: Iterable[dict], key: str) -> dict:
    groups = defaultdict(list)
    for row in rows:
        groups[row[key]].append(row)
    return groups


def _branches(places: _Places, **lookup) -> dict[int, dict]:
    found = {row["id"]: row for row in providers.open_branch_rows().filter(**lookup)}
    places.load(row["division_code"] for row in found.values())
    return found


def _public_listings() -> QuerySet:
    """Public listings of organisations that are public now (a listing's own flag can lag a
    suspension by a moment; HSDS never names an organisation it does not publish)."""
    return services.open_listing_rows().filter(
        provider_id__in=providers.open_provider_rows().values("id")
    )


def _full_services(
    listings: list[dict],
    provider_rows: dict,
    *,
    places: _Places | None = None,
    branches: dict[int, dict] | None = None,
    nest_organization: bool = True,
) -> list[dict]:
    listings = [row for row in listings if row["provider_id"] in provider_rows]
    if not listings:
        return []
    places = places or _Places()
    if branches is None:
        branches = _branches(places, id__in={row["branch_id"] for row in listings})
    rules = _grouped(
        services.open_listing_schedule_rows().filter(
            listing_id__in=[row["id"] for row in listings]
        ),
        "listing_id",
    )
    return [
        service(
            row,
            provider_rows[row["provider_id"]],
            branches.get(row["branch_id"]),
            rules.get(row["id"], []),
            places,
            nest_organization=nest_organization,
        )
        for row in listings
    ]


def _full_organizations(provider_rows: list[dict], *, full_service: bool) -> list[dict]:
    if not provider_rows:
        return []
    by_id = {row["id"]: row for row in provider_rows}
    places = _Places()
    branches = _branches(places, provider_id__in=list(by_id))
    listings = list(
        services.open_listing_rows()
        .filter(provider_id__in=list(by_id))
        .order_by("provider_id", "id")
    )
    if full_service:
        nested = _full_services(
            listings, by_id, places=places, branches=branches, nest_organization=False
        )
    else:
        nested = [service_basic(row, by_id[row["provider_id"]]) for row in listings]
    services_of = _grouped(nested, "organization_id")
    locations_of = _grouped((location(row, places) for row in branches.values()), "organization_id")
    return [
        organization(
            row,
            locations=locations_of.get(str(row["id"]), []),
            services=services_of.get(str(row["id"]), []),
        )
        for row in provider_rows
    ]


# --- Release files -----------------------------------------------------------------------------


class _JsonArray:
    """A JSON array written to `out` one item at a time, in pieces of about 64 KiB."""

    def __init__(self, out) -> None:
        self.out = out
        self.count = 0
        self._buffer = io.StringIO()

    def __enter__(self) -> _JsonArray:
        self._buffer.write("[")
        return self

    def write(self, item: dict) -> None:
        self._buffer.write(",\n" if self.count else "\n")
        json.dump(item, self._buffer, ensure_ascii=False)
        self.count += 1
        if self._buffer.tell() > _CHUNK:
            self._flush()

    def __exit__(self, exc_type, exc, traceback) -> None:
        if exc_type is None:
            self._buffer.write("\n]\n")
            self._flush()

    def _flush(self) -> None:
        self.out.write(self._buffer.getvalue())
        self._buffer.seek(0)
        self._buffer.truncate()


def _provider_batches() -> Iterator[list[dict]]:
    rows = providers.open_provider_rows().iterator(chunk_size=BATCH)
    while batch := list(islice(rows, BATCH)):
        yield batch


def write_services(out) -> int:
    """Every public service, fully nested, as one JSON array written to `out` (text) object by
    object, organisation by organisation; returns how many services were written."""
    places = _Places()
    with _JsonArray(out) as array:
        for batch in _provider_batches():
            by_id = {row["id"]: row for row in batch}
            branches = _branches(places, provider_id__in=list(by_id))
            rules = _grouped(
                services.open_listing_schedule_rows().filter(listing__provider_id__in=list(by_id)),
                "listing_id",
            )
            listings = (
                services.open_listing_rows()
                .filter(provider_id__in=list(by_id))
                .order_by("provider_id", "id")
            )
            for row in listings.iterator(chunk_size=BATCH):
                provider = by_id[row["provider_id"]]
                branch = branches.get(row["branch_id"])
                array.write(service(row, provider, branch, rules.get(row["id"], []), places))
    return array.count


def write_organizations(out) -> int:
    """Every public organisation, fully nested (locations, services in brief), as one JSON
    array written to `out` (text) object by object; returns how many were written."""
    with _JsonArray(out) as array:
        for batch in _provider_batches():
            for found in _full_organizations(batch, full_service=False):
                array.write(found)
    return array.count


# --- API reads ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Filters:
    """The HSDS API's query filters (already validated); each list applies those it knows."""

    search: str = ""
    organization_id: uuid.UUID | None = None
    taxonomy_term_id: uuid.UUID | None = None
    taxonomy_id: uuid.UUID | None = None


def _page(
    rows: QuerySet, *, page: int, per_page: int, build: Callable[[list[dict]], list[dict]]
) -> dict:
    """HSDS's paginated envelope (openapi.json, components.schemas.Page) around `contents`."""
    if page < 1 or not 1 <= per_page <= MAX_PER_PAGE:
        raise ValueError("page must be at least 1 and per_page between 1 and MAX_PER_PAGE")
    total = rows.count()
    start = (page - 1) * per_page
    contents = build(list(rows[start : start + per_page])) if start < total else []
    total_pages = math.ceil(total / per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": page,
        "size": len(contents),
        "first_page": page == 1,
        "last_page": page >= total_pages,
        "empty": not contents,
        "contents": contents,
    }


def _providers_by_id(ids: Iterable) -> dict:
    return {row["id"]: row for row in providers.open_provider_rows().filter(id__in=set(ids))}


def _term_filter(term_id: uuid.UUID) -> Q:
    wanted = str(term_id)
    for code in services.category_list().values_list("code", flat=True):
        if CATEGORIES.term_id(code) == wanted:
            return Q(category_code=code)
    for taxonomy, codes, field in (
        (DOMAIN_TERMS, DOMAINS, "domain"),
        (DELIVERY_TERMS, DELIVERY_MODES, "delivery_mode"),
    ):
        for code in codes:
            if taxonomy.term_id(code) == wanted:
                return Q(**{field: code})
    for code in SUBSIDIES:
        if SUBSIDY_TERMS.term_id(code) == wanted:
            return Q(subsidies__regex=rf"(^|;){re.escape(code)}(;|$)")
    return Q(pk__in=[])


def _taxonomy_filter(taxonomy_id: uuid.UUID) -> Q:
    wanted = str(taxonomy_id)
    if wanted == SUBSIDY_TERMS.id:
        return ~Q(subsidies="")
    if wanted in {CATEGORIES.id, DOMAIN_TERMS.id, DELIVERY_TERMS.id}:
        return Q()  # every service has a term of these
    return Q(pk__in=[])


def service_page(
    *, page: int = 1, per_page: int = PER_PAGE, filters: Filters | None = None, full: bool = False
) -> dict:
    """A page of public services, by listing id: one-to-one fields, or fully nested."""
    filters = filters or Filters()
    rows = _public_listings()
    if filters.search:
        term = filters.search
        rows = rows.filter(
            Q(title__icontains=term)
            | Q(description__icontains=term)
            | Q(category_name__icontains=term)
        )
    if filters.organization_id:
        rows = rows.filter(provider_id=filters.organization_id)
    if filters.taxonomy_term_id:
        rows = rows.filter(_term_filter(filters.taxonomy_term_id))
    if filters.taxonomy_id:
        rows = rows.filter(_taxonomy_filter(filters.taxonomy_id))

    def build(listings: list[dict]) -> list[dict]:
        found = _providers_by_id(row["provider_id"] for row in listings)
        if full:
            return _full_services(listings, found)
        return [
            service_basic(row, found[row["provider_id"]])
            for row in listings
            if row["provider_id"] in found
        ]

    return _page(rows, page=page, per_page=per_page, build=build)


def service_get(service_id: str) -> dict | None:
    """A fully nested public service by its HSDS id, or None."""
    pk = _row_pk("listing", service_id)
    row = _public_listings().filter(id=pk).first() if pk is not None else None
    if row is None:
        return None
    found = _full_services([row], _providers_by_id([row["provider_id"]]))
    return found[0] if found else None


def organization_page(
    *,
    page: int = 1,
    per_page: int = PER_PAGE,
    filters: Filters | None = None,
    full: bool = False,
    full_service: bool = False,
) -> dict:
    """A page of public organisations, by id: one-to-one fields, or fully nested (with
    services in brief, or in full with `full_service`)."""
    filters = filters or Filters()
    rows = providers.open_provider_rows()
    if filters.search:
        term = filters.search
        rows = rows.filter(
            Q(name__icontains=term)
            | Q(description__icontains=term)
            | Q(credit_code=term.strip().upper())
        )

    def build(provider_rows: list[dict]) -> list[dict]:
        if full or full_service:
            return _full_organizations(provider_rows, full_service=full_service)
        return [organization_basic(row) for row in provider_rows]

    return _page(rows, page=page, per_page=per_page, build=build)


def organization_get(organization_id: str, *, full_service: bool = False) -> dict | None:
    """A fully nested public organisation by its HSDS id (the provider's UUID), or None."""
    pk = _as_uuid(organization_id)
    row = providers.open_provider_rows().filter(id=pk).first() if pk else None
    return _full_organizations([row], full_service=full_service)[0] if row else None


def location_page(
    *, page: int = 1, per_page: int = PER_PAGE, filters: Filters | None = None
) -> dict:
    """A page of the public organisations' locations, by branch id."""
    filters = filters or Filters()
    rows = providers.open_branch_rows()
    if filters.search:
        term = filters.search
        rows = rows.filter(Q(name__icontains=term) | Q(address__icontains=term))
    if filters.organization_id:
        rows = rows.filter(provider_id=filters.organization_id)

    def build(branches: list[dict]) -> list[dict]:
        places = _Places()
        places.load(row["division_code"] for row in branches)
        return [location(row, places) for row in branches]

    return _page(rows, page=page, per_page=per_page, build=build)


def location_get(location_id: str) -> dict | None:
    """A public organisation's location by its HSDS id, or None."""
    pk = _row_pk("branch", location_id)
    row = providers.open_branch_rows().filter(id=pk).first() if pk is not None else None
    if row is None:
        return None
    places = _Places()
    places.load([row["division_code"]])
    return location(row, places)
