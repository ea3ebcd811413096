"""Social-work service projects: an organisation in good registration (status 正常) creates a
project as a draft, publishes it (draft → active: residents find it and requests are matched
to it) and closes it (→ closed: proposals waiting for the residents are released and
rematched; accepted cases are still served and completed)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from socialorgs.errors import SocialOrgConflict, SocialOrgError
from socialorgs.models import (
    CatalogueItem,
    ServiceRequest,
    SocialOrganisation,
    SocialWorkProject,
    TargetGroup,
)
from socialorgs.services.common import optional_text, require_org_manager, required_text
from socialorgs.services.socialwork.catalogue import catalogue_check
from socialorgs.services.socialwork.common import (
    choice_input,
    coordinates_input,
    county_code,
    date_value,
    int_input,
    local_division,
    rematch_after_commit,
    request_reopen,
)

P = SocialWorkProject.Status
MAX_PERIOD_DAYS = 5 * 366
MAX_CAPACITY = 500
MAX_RADIUS_KM = 50


def _require_in_good_standing(organisation: SocialOrganisation) -> None:
    if organisation.status != SocialOrganisation.Status.NORMAL:
        raise SocialOrgConflict(
            _("该社会组织已%(status)s，不能开展服务项目。")
            % {"status": organisation.get_status_display()},
            code="organisation_not_active",
        )


def _catalogue_item(value) -> CatalogueItem | None:
    if value in (None, ""):
        return None
    if isinstance(value, CatalogueItem):
        return value
    if isinstance(value, bool) or not str(value).isdigit():
        raise SocialOrgError(_("请选择目录项。"), code="invalid", field="catalogue_item")
    item = CatalogueItem.objects.select_related("division").filter(pk=int(value)).first()
    if item is None:
        raise SocialOrgError(_("没有这个目录项。"), code="not_found", field="catalogue_item")
    return item


def project_clean(data: dict, *, today: dt.date | None = None) -> dict:
    """A project's fields, checked (the validation rules in one place, for the form, the API
    and the demo loader)."""
    today = today or timezone.localdate()
    division = local_division(data.get("division"))
    latitude, longitude = coordinates_input(data.get("latitude"), data.get("longitude"))
    starts_on = date_value(data.get("starts_on"), "starts_on")
    ends_on = date_value(data.get("ends_on"), "ends_on")
    if ends_on < starts_on:
        raise SocialOrgError(
            _("结束日期不能早于开始日期。"), code="period_reversed", field="ends_on"
        )
    if ends_on < today:
        raise SocialOrgError(_("结束日期已过，无需登记。"), code="period_over", field="ends_on")
    if (ends_on - starts_on).days > MAX_PERIOD_DAYS:
        raise SocialOrgError(_("项目周期不能超过 5 年。"), code="period_too_long", field="ends_on")
    target_group = choice_input(data.get("target_group"), TargetGroup.choices, "target_group")
    funding = choice_input(data.get("funding"), SocialWorkProject.Funding.choices, "funding")
    item = _catalogue_item(data.get("catalogue_item"))
    catalogue_check(
        item=item,
        funding=funding,
        division=division,
        starts_on=starts_on,
        ends_on=ends_on,
        target_group=target_group,
    )
    return {
        "title": required_text(data.get("title"), "title", 100),
        "description": optional_text(data.get("description"), "description", 3000),
        "target_group": target_group,
        "division": division,
        "address": required_text(data.get("address"), "address", 200),
        "latitude": latitude,
        "longitude": longitude,
        "service_radius_km": int_input(
            data.get("service_radius_km"), "service_radius_km", minimum=1, maximum=MAX_RADIUS_KM
        ),
        "starts_on": starts_on,
        "ends_on": ends_on,
        "funding": funding,
        "catalogue_item": item,
        "capacity": int_input(data.get("capacity"), "capacity", minimum=1, maximum=MAX_CAPACITY),
    }


def project_create(
    *, organisation: SocialOrganisation, actor: User, data: dict, request=None
) -> SocialWorkProject:
    """A draft project of the organisation (owner or manager; the organisation 正常)."""
    require_org_manager(actor, organisation)
    _require_in_good_standing(organisation)
    values = project_clean(data)
    with transaction.atomic():
        project = SocialWorkProject.objects.create(organisation=organisation, **values)
        audit_record(
            actor=actor,
            action="socialorgs.project_created",
            target=project,
            detail={"organisation": organisation.pk, "funding": project.funding},
            request=request,
        )
    return project


def project_update(
    *, project: SocialWorkProject, actor: User, data: dict, request=None
) -> SocialWorkProject:
    """Change a draft project (a published one is what residents were matched against)."""
    require_org_manager(actor, project.organisation)
    values = project_clean(data)
    with transaction.atomic():
        project = SocialWorkProject.objects.select_for_update().get(pk=project.pk)
        if project.status != P.DRAFT:
            raise SocialOrgConflict(_("只有未发布的项目可以修改。"), code="not_draft")
        for name, value in values.items():
            setattr(project, name, value)
        project.save(update_fields=list(values))
        audit_record(
            actor=actor, action="socialorgs.project_updated", target=project, request=request
        )
    return project


def project_publish(*, project: SocialWorkProject, actor: User, request=None) -> SocialWorkProject:
    """draft → active. The catalogue rule is checked again: the item may have been withdrawn
    since the draft was written."""
    require_org_manager(actor, project.organisation)
    _require_in_good_standing(project.organisation)
    with transaction.atomic():
        project = (
            SocialWorkProject.objects.select_for_update(of=("self",))
            .select_related("organisation", "catalogue_item__division", "division")
            .get(pk=project.pk)
        )
        if project.status != P.DRAFT:
            raise SocialOrgConflict(_("该项目已发布或已结项。"), code="not_draft")
        if project.ends_on < timezone.localdate():
            raise SocialOrgConflict(_("项目周期已结束，不能发布。"), code="period_over")
        catalogue_check(
            item=project.catalogue_item,
            funding=project.funding,
            division=project.division,
            starts_on=project.starts_on,
            ends_on=project.ends_on,
            target_group=project.target_group,
        )
        project.status = P.ACTIVE
        project.save(update_fields=["status"])
        audit_record(
            actor=actor, action="socialorgs.project_published", target=project, request=request
        )
    # Requests nearby that found nothing may find this project now.
    rematch_after_commit(county_code(project.division_id))
    return project


def project_close(
    *, project: SocialWorkProject, actor: User, reason: str = "", request=None
) -> SocialWorkProject:
    """→ closed. Proposals still waiting for the residents go back to matching (this project
    excluded); accepted cases stay with the organisation until it completes them."""
    require_org_manager(actor, project.organisation)
    reason = optional_text(reason, "reason", 300)
    with transaction.atomic():
        project = SocialWorkProject.objects.select_for_update().get(pk=project.pk)
        if project.status == P.CLOSED:
            raise SocialOrgConflict(_("该项目已结项。"), code="already_closed")
        project.status = P.CLOSED
        project.save(update_fields=["status"])
        released = list(
            ServiceRequest.objects.select_for_update()
            .filter(project=project, status=ServiceRequest.Status.PROPOSED)
            .select_related("resident")
            .order_by("pk")
        )
        for service_request in released:
            request_reopen(service_request, project_id=project.pk, reason=_("推荐的项目已结项。"))
            notify(
                recipients=[service_request.resident],
                kind="socialwork_request",
                title=_("您的社会工作服务申请将重新匹配"),
                body=_("推荐给您的项目“%(title)s”已结项，平台将为您重新匹配。")
                % {"title": project.title},
                link=reverse("socialorgs:sw-request", args=[service_request.pk]),
                dedupe_key=f"socialwork-request-{service_request.pk}-released-{project.pk}",
            )
        audit_record(
            actor=actor,
            action="socialorgs.project_closed",
            target=project,
            detail={"reason": reason, "released": [r.pk for r in released]},
            request=request,
        )
    for code in sorted({county_code(r.division_id) for r in released}):
        rematch_after_commit(code)
    return project
