"""The government purchase catalogue (政府购买服务目录): 民政 officials list the services their
jurisdiction buys in a year, publish the list and may withdraw an item. A project funded by
政府购买服务 must name a published item that covers it (`catalogue_check`)."""

from __future__ import annotations

import datetime as dt
import re

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Division, User, division_contains
from portal.audit.services import audit_record
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import CatalogueItem, TargetGroup
from socialorgs.services.common import (
    division_of,
    optional_text,
    require_civil_affairs,
    required_text,
)
from socialorgs.services.socialwork.common import choice_input, int_input

CODE_RE = re.compile(r"^[0-9A-Z][0-9A-Z.-]{1,19}$")
YEAR_MIN, YEAR_MAX = 2000, 2100


def _require_covering(official: User, division: Division) -> None:
    require_civil_affairs(official)
    if not official.covers(division.code):
        raise NotAllowed(
            _("只能为您管辖区域内的区划编制目录。"), code="out_of_jurisdiction", field="division"
        )


def catalogue_item_create(*, official: User, data: dict, request=None) -> CatalogueItem:
    """A draft item of the official's jurisdiction (or a division inside it) for a year."""
    require_civil_affairs(official)
    division = division_of(data.get("division"), "division")
    _require_covering(official, division)
    code = required_text(data.get("code"), "code", 20).upper()
    if not CODE_RE.match(code):
        raise SocialOrgError(
            _("目录编码应为 2 到 20 位数字、大写字母、点或连字符。"), code="invalid", field="code"
        )
    target_group = data.get("target_group") or ""
    if target_group:
        choice_input(target_group, TargetGroup.choices, "target_group")
    values = {
        "code": code,
        "name": required_text(data.get("name"), "name", 100),
        "category": required_text(data.get("category"), "category", 50),
        "description": optional_text(data.get("description"), "description", 2000),
        "target_group": target_group,
        "year": int_input(data.get("year"), "year", minimum=YEAR_MIN, maximum=YEAR_MAX),
    }
    taken = SocialOrgConflict(
        _("该区划本年度已有相同编码的目录项。"), code="code_taken", field="code"
    )
    with transaction.atomic():
        if CatalogueItem.objects.filter(
            division=division, year=values["year"], code=values["code"]
        ).exists():
            raise taken
        try:
            with transaction.atomic():
                item = CatalogueItem.objects.create(
                    division=division, created_by=official, **values
                )
        except IntegrityError:
            raise taken from None
        audit_record(
            actor=official,
            action="socialorgs.catalogue_item_created",
            target=item,
            detail={"division": division.code, "year": item.year, "code": item.code},
            request=request,
        )
    return item


def catalogue_item_publish(*, item: CatalogueItem, official: User, request=None) -> CatalogueItem:
    """Publish a draft item: projects may reference it from now on."""
    _require_covering(official, item.division)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        if item.published_at is not None:
            raise SocialOrgConflict(_("该目录项已发布过。"), code="already_published")
        item.published_at = timezone.now()
        item.save(update_fields=["published_at"])
        audit_record(
            actor=official,
            action="socialorgs.catalogue_item_published",
            target=item,
            request=request,
        )
    return item


def catalogue_item_withdraw(*, item: CatalogueItem, official: User, request=None) -> CatalogueItem:
    """Withdraw a published item: no new project may reference it (running ones keep it)."""
    _require_covering(official, item.division)
    with transaction.atomic():
        item = CatalogueItem.objects.select_for_update().get(pk=item.pk)
        if item.published_at is None:
            raise SocialOrgConflict(_("未发布的目录项无需撤回。"), code="not_published")
        if item.withdrawn_at is not None:
            raise SocialOrgConflict(_("该目录项已撤回。"), code="already_withdrawn")
        item.withdrawn_at = timezone.now()
        item.save(update_fields=["withdrawn_at"])
        audit_record(
            actor=official,
            action="socialorgs.catalogue_item_withdrawn",
            target=item,
            request=request,
        )
    return item


def catalogue_check(
    *,
    item: CatalogueItem | None,
    funding: str,
    division: Division,
    starts_on: dt.date,
    ends_on: dt.date,
    target_group: str,
) -> None:
    """The purchase rule: a project funded by 政府购买服务 names a published, not withdrawn
    catalogue item whose division is the project's or contains it, whose year falls in the
    project's period and whose target group (when it names one) is the project's; any other
    funding names no item."""
    from socialorgs.models import SocialWorkProject

    government = funding == SocialWorkProject.Funding.GOVERNMENT
    if not government:
        if item is not None:
            raise SocialOrgError(
                _("只有政府购买服务项目需要选择目录项。"),
                code="catalogue_not_applicable",
                field="catalogue_item",
            )
        return
    if item is None:
        raise SocialOrgError(
            _("政府购买服务项目须选择政府购买服务目录中已发布的服务项目。"),
            code="catalogue_required",
            field="catalogue_item",
        )
    if item.published_at is None:
        raise SocialOrgError(
            _("该目录项尚未发布，不能作为政府购买服务的依据。"),
            code="catalogue_not_published",
            field="catalogue_item",
        )
    if item.withdrawn_at is not None:
        raise SocialOrgError(
            _("该目录项已撤回，不能作为政府购买服务的依据。"),
            code="catalogue_withdrawn",
            field="catalogue_item",
        )
    if not division_contains(item.division_id, division.code):
        raise SocialOrgError(
            _("该目录项适用于%(area)s，不覆盖项目的服务区划。") % {"area": item.division.name},
            code="catalogue_out_of_area",
            field="catalogue_item",
        )
    if not starts_on.year <= item.year <= ends_on.year:
        raise SocialOrgError(
            _("该目录项属于 %(year)s 年度，项目周期不在该年度内。") % {"year": item.year},
            code="catalogue_wrong_year",
            field="catalogue_item",
        )
    if item.target_group and item.target_group != target_group:
        raise SocialOrgError(
            _("该目录项的服务对象是%(group)s，与项目不符。")
            % {"group": item.get_target_group_display()},
            code="catalogue_wrong_group",
            field="catalogue_item",
        )
