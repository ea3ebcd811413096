"""Needs: a resident posts one (or a community worker posts it for an elderly person, 代办) and
an on-demand match run is queued once it is saved; the owner can withdraw it while it is open.

`need_clean` is the one place the rules of a need live: the page form, the API serializer and
any importer hand it the raw values and get back either the model's values or a MatchingError
with one message per field at fault.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from matching.errors import MatchingConflict, MatchingError, MatchingForbidden
from matching.models import Candidate, Need
from portal.accounts.models import Division
from portal.accounts.permissions import is_official, is_resident, official_covers
from portal.audit.services import audit_record
from portal.identifiers import normalize_mobile
from providers.domains import Domain
from providers.models import Certificate, StaffMember
from services.models import Address, Category, Dependant, Listing

logger = logging.getLogger(__name__)

MAX_WINDOWS = 14
WINDOW_DAYS_AHEAD = 60
MAX_DISTANCE_KM = (1, 50)
MAX_BUDGET_FEN = 10_000_000  # ¥100,000
MAX_TEXT = 1000
MAX_LANGUAGES = 5
# China's bounding box, as the model's check constraint states it.
LAT_RANGE = (Decimal("3.8"), Decimal("53.6"))
LNG_RANGE = (Decimal("73.4"), Decimal("135.1"))
_TIME_RE = re.compile(r"^([01][0-9]|2[0-3]):([0-5][0-9])$")
_LANDLINE_RE = re.compile(r"^0[0-9]{2,3}-?[0-9]{7,8}$")


# --- Validation --------------------------------------------------------------------------------


def need_clean(*, owner, data: dict, today: dt.date | None = None) -> dict:
    """Check the raw values of a need posted by `owner` and return the model's values.

    Raises MatchingError whose `fields` holds a message for every field at fault (so a form
    shows them all at once)."""
    errors: dict[str, list[str]] = {}

    def fail(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    proxy = is_official(owner)
    values: dict = {}
    if proxy:
        _clean_proxy(owner, data, values, fail)
    else:
        values["dependant"] = _clean_dependant(owner, data.get("dependant"), fail)

    domain = data.get("domain") or ""
    if domain not in Domain.values:
        fail("domain", _("请选择服务领域。"))
    values["domain"] = domain
    values["category"] = _clean_category(data.get("category"), domain, fail)

    _clean_place(owner, data, values, fail, proxy=proxy)
    values["windows"] = _clean_windows(data.get("windows"), fail, today or timezone.localdate())
    _clean_budget(data, values, fail)
    _clean_requirements(data, values, fail)

    text = (data.get("text") or "").strip()
    if len(text) > MAX_TEXT:
        fail("text", _("需求描述不能超过 %(n)d 字。") % {"n": MAX_TEXT})
    values["text"] = text
    urgency = data.get("urgency") or Need.Urgency.NORMAL
    if urgency not in Need.Urgency.values:
        fail("urgency", _("请选择紧急程度。"))
    values["urgency"] = urgency

    if errors:
        raise MatchingError(_("需求信息有误，请检查标出的字段。"), code="invalid", fields=errors)
    return values


def _pk(value):
    """A model instance, a primary key or nothing → the primary key (or None)."""
    if value in (None, ""):
        return None
    return getattr(value, "pk", value)


def _clean_proxy(owner, data: dict, values: dict, fail) -> None:
    name = (data.get("proxy_name") or "").strip()
    phone = (data.get("proxy_phone") or "").strip()
    if not name:
        fail("proxy_name", _("代办需求请填写服务对象的姓名。"))
    elif len(name) > 50:
        fail("proxy_name", _("姓名不能超过 50 个字。"))
    if not phone:
        fail("proxy_phone", _("代办需求请填写服务对象的联系电话。"))
    else:
        try:
            phone = normalize_mobile(phone)
        except ValidationError:
            if not _LANDLINE_RE.match(phone):
                fail("proxy_phone", _("请输入有效的手机号码或固定电话（如 028-85551234）。"))
    address = (data.get("proxy_address") or "").strip()
    if len(address) > 200:
        fail("proxy_address", _("住址不能超过 200 个字。"))
    if _pk(data.get("dependant")) is not None:
        fail("dependant", _("代办需求不能选择家庭成员。"))
    values.update(proxy_name=name, proxy_phone=phone, proxy_address=address, dependant=None)


def _clean_dependant(owner, value, fail) -> Dependant | None:
    pk = _pk(value)
    if pk is None:
        return None
    dependant = (
        Dependant.objects.filter(pk=pk, owner=owner, removed_at__isnull=True).first()
        if str(pk).isdigit()
        else None
    )
    if dependant is None:
        fail("dependant", _("只能为您添加的家庭成员发布需求。"))
    return dependant


def _clean_category(value, domain: str, fail) -> Category | None:
    code = _pk(value)
    if code is None:
        return None
    category = Category.objects.filter(pk=str(code)).first()
    if category is None or (domain and category.domain != domain):
        fail("category", _("请选择该服务领域下的服务类别。"))
        return None
    return category


def _coordinate(value, bounds: tuple[Decimal, Decimal]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        return None
    return number if bounds[0] <= number <= bounds[1] else None


def _clean_place(owner, data: dict, values: dict, fail, *, proxy: bool) -> None:
    place = data.get("place") or ""
    values.update(place=place, address=None, division=None, latitude=None, longitude=None)
    if place not in Need.Place.values:
        fail("place", _("请选择服务地点。"))
        return
    address = None
    address_pk = _pk(data.get("address"))
    if address_pk is not None and not proxy:
        address = (
            Address.objects.select_related("division").filter(pk=address_pk, owner=owner).first()
            if str(address_pk).isdigit()
            else None
        )
        if address is None:
            fail("address", _("只能使用您保存的地址。"))
            return
    if place == Need.Place.HOME and not proxy and address is None:
        fail("address", _("上门服务请选择您保存的地址。"))
        return
    if address is not None:
        values.update(
            address=address,
            division=address.division,
            latitude=address.latitude,
            longitude=address.longitude,
        )
    else:
        # An area, or the elderly person's home for 代办: a division and a point in it.
        code = _pk(data.get("division"))
        division = Division.objects.filter(pk=str(code)).first() if code else None
        if division is None:
            fail("division", _("请选择所在区划。"))
        elif proxy and not official_covers(owner, division.pk):
            fail("division", _("只能为您辖区内的居民代办。"))
        latitude = _coordinate(data.get("latitude"), LAT_RANGE)
        longitude = _coordinate(data.get("longitude"), LNG_RANGE)
        if latitude is None or longitude is None:
            fail("latitude", _("请提供中国境内的经纬度（GCJ-02）。"))
        values.update(division=division, latitude=latitude, longitude=longitude)
    distance = data.get("max_distance_km")
    distance = 5 if distance in (None, "") else distance
    try:
        distance = int(distance)
    except (TypeError, ValueError):
        distance = 0
    if not MAX_DISTANCE_KM[0] <= distance <= MAX_DISTANCE_KM[1]:
        fail("max_distance_km", _("最远距离应在 1 到 50 公里之间。"))
    values["max_distance_km"] = distance


def _parse_time(value) -> dt.time | None:
    match = _TIME_RE.match(str(value or ""))
    return dt.time(int(match.group(1)), int(match.group(2))) if match else None


def _clean_windows(raw, fail, today: dt.date) -> list[dict]:
    if not isinstance(raw, list) or not raw:
        fail("windows", _("请至少填写一个时间段。"))
        return []
    if len(raw) > MAX_WINDOWS:
        fail("windows", _("时间段最多 %(n)d 个。") % {"n": MAX_WINDOWS})
        return []
    cleaned = []
    last_day = today + dt.timedelta(days=WINDOW_DAYS_AHEAD)
    for number, window in enumerate(raw, start=1):
        where = _("第 %(n)d 个时间段：") % {"n": number}
        if not isinstance(window, dict):
            fail("windows", where + _("格式不正确。"))
            continue
        item: dict = {}
        has_date = window.get("date") not in (None, "")
        has_weekday = window.get("weekday") not in (None, "")
        if has_date == has_weekday:
            fail("windows", where + _("请选择一个日期或一个星期几（二选一）。"))
            continue
        if has_date:
            try:
                day = dt.date.fromisoformat(str(window["date"]))
            except ValueError:
                fail("windows", where + _("日期格式应为 YYYY-MM-DD。"))
                continue
            if not today <= day <= last_day:
                fail(
                    "windows",
                    where + _("日期应在今天到 %(n)d 天之内。") % {"n": WINDOW_DAYS_AHEAD},
                )
                continue
            item["date"] = day.isoformat()
        else:
            weekday = window["weekday"]
            if not str(weekday).isdigit() or not 0 <= int(weekday) <= 6:
                fail("windows", where + _("星期应为 0（周一）到 6（周日）。"))
                continue
            item["weekday"] = int(weekday)
        start, end = _parse_time(window.get("start")), _parse_time(window.get("end"))
        if start is None or end is None:
            fail("windows", where + _("请填写开始和结束时间（HH:MM）。"))
            continue
        if start >= end:
            fail("windows", where + _("结束时间必须晚于开始时间。"))
            continue
        item.update(start=f"{start:%H:%M}", end=f"{end:%H:%M}")
        cleaned.append(item)
    return cleaned


def _fen(value) -> int | None:
    if value in (None, ""):
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number >= 0 else None


def _clean_budget(data: dict, values: dict, fail) -> None:
    low = _fen(data.get("budget_min_fen", 0) or 0)
    high = _fen(data.get("budget_max_fen"))
    if low is None:
        fail("budget_min_fen", _("预算下限应为不小于 0 的整数（分）。"))
    if high is None:
        fail("budget_max_fen", _("请填写预算上限。"))
    elif high > MAX_BUDGET_FEN:
        fail("budget_max_fen", _("预算上限不能超过 10 万元。"))
    elif low is not None and high < low:
        fail("budget_max_fen", _("预算上限不能低于下限。"))
    values.update(budget_min_fen=low or 0, budget_max_fen=high or 0)


def _clean_requirements(data: dict, values: dict, fail) -> None:
    gender = data.get("caregiver_gender") or ""
    if gender and gender not in StaffMember.Gender.values:
        fail("caregiver_gender", _("请选择服务人员性别，或不限。"))
    values["caregiver_gender"] = gender

    languages = data.get("languages") or []
    if isinstance(languages, str):
        languages = [part for part in re.split(r"[,，、\s]+", languages) if part]
    languages = [str(item).strip() for item in languages if str(item).strip()]
    if len(languages) > MAX_LANGUAGES or any(len(item) > 20 for item in languages):
        fail("languages", _("语言最多 5 项，每项不超过 20 个字。"))
    values["languages"] = languages

    certificates = list(data.get("certificates") or [])
    unknown = [kind for kind in certificates if kind not in Certificate.Kind.values]
    if unknown:
        fail("certificates", _("未知的证书类型：%(kinds)s。") % {"kinds": "、".join(unknown)})
    values["certificates"] = list(dict.fromkeys(certificates))

    care_level = data.get("care_level") or ""
    if care_level not in Need.CareLevel.values:
        fail("care_level", _("请选择失能等级。"))
    values["care_level"] = care_level
    subsidy = data.get("subsidy") or ""
    if subsidy and subsidy not in Listing.Subsidy.values:
        fail("subsidy", _("请选择补贴类型，或不适用。"))
    values["subsidy"] = subsidy


# --- Post and withdraw -------------------------------------------------------------------------


def need_create(*, resident, data: dict) -> Need:
    """Post a need for `resident` (themself or a family member), or — when `resident` is an
    official — for the elderly person named in proxy_name/proxy_phone (代办). An on-demand
    match run is queued once the need is saved."""
    if not (is_resident(resident) or is_official(resident)):
        raise MatchingForbidden(_("只有居民或社区工作人员可以发布需求。"), code="not_allowed")
    values = need_clean(owner=resident, data=data)
    with transaction.atomic():
        need = Need.objects.create(resident=resident, **values)
        audit_record(
            actor=resident,
            action="need.create",
            target=need,
            detail={"domain": need.domain, "proxy": bool(need.proxy_name)},
        )
    transaction.on_commit(lambda: _queue_run(need, resident), robust=True)
    return need


def _queue_run(need: Need, requested_by) -> None:
    from matching.services import engine

    engine.run_request(need=need, requested_by=requested_by)


def need_withdraw(*, need: Need, actor) -> Need:
    """The owner withdraws an open or matched need; its proposed candidates lapse."""
    with transaction.atomic():
        need = Need.objects.select_for_update().get(pk=need.pk)
        if need.resident_id != getattr(actor, "pk", None):
            raise MatchingForbidden(_("只能撤回您自己发布的需求。"), code="not_owner")
        if need.status not in Need.OPEN_STATES:
            raise MatchingConflict(
                _("该需求当前状态为“%(status)s”，不能撤回。")
                % {"status": need.get_status_display()},
                code="not_open",
            )
        need.status = Need.Status.WITHDRAWN
        need.withdrawn_at = timezone.now()
        need.version = F("version") + 1
        need.save(update_fields=["status", "withdrawn_at", "version", "updated_at"])
        need.refresh_from_db(fields=["version"])
        Candidate.objects.filter(need=need, status=Candidate.Status.PROPOSED).update(
            status=Candidate.Status.SUPERSEDED
        )
        audit_record(actor=actor, action="need.withdraw", target=need)
    return need
