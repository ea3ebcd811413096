"""Residents' requests for social-work service, and what happens to them after the match run
(socialorgs.services.socialwork.matching) proposed a project:

    open ──run──▶ proposed ──resident accepts──▶ accepted ──organisation completes──▶ completed
      │  ◀─run──  unmatched (tried again by the next run)
      │  ◀──────  proposed, declined by the resident or the organisation (project excluded)
      │  ◀──────  proposed, unanswered for SOCIALWORK_PROPOSAL_DAYS (the hourly job) or its
      │           organisation no longer serving (revoked, deregistered, 严重违法失信名单)
      └─ open / unmatched / proposed ──resident cancels──▶ cancelled

The home's address and the description of the need are personal data: the serving
organisation reads them in full once the resident accepted (an audited read,
`service_request_full_view`); everyone else sees them masked and redacted."""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import is_resident
from portal.audit.services import audit_personal_data_read, audit_record
from portal.notifications.services import notify
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import ServiceRequest, SocialOrganisation, TargetGroup
from socialorgs.services.common import (
    optional_text,
    org_accounts,
    require_org_manager,
    require_org_member,
    required_text,
)
from socialorgs.services.socialwork.common import (
    choice_input,
    coordinates_input,
    county_code,
    local_division,
    organisation_not_serving,
    organisation_serves_q,
    proposal_deadline,
    rematch_after_commit,
    request_reopen,
)

S = ServiceRequest.Status
# Why the serving organisation reads the home's address and the need in full.
SERVICE_PURPOSE = "socialwork_service"
# A resident asks for at most this many services a day (the one-in-progress rule per target
# group stops repeats; this stops a script cycling through the groups).
DAILY_LIMIT = 5


def _reference() -> str:
    return f"SW{timezone.localdate():%Y%m%d}{secrets.randbelow(10**8):08d}"


def _require_resident(user) -> None:
    if not is_resident(user):
        raise NotAllowed(_("仅居民用户可以申请社会工作服务。"), code="resident_only")


def _place(resident: User, data: dict) -> dict:
    """The home: a saved address of the resident's (its division and coordinates), or a
    division, an address and coordinates typed in."""
    address_id = data.get("saved_address")
    if address_id not in (None, ""):
        from services.models import Address

        address = None
        if not isinstance(address_id, bool) and str(address_id).isdigit():
            address = (
                Address.objects.filter(owner=resident, pk=int(address_id))
                .select_related("division")
                .first()
            )
        if address is None:  # someone else's address is as good as none
            raise SocialOrgError(_("没有这个常用地址。"), code="not_found", field="saved_address")
        return {
            "division": address.division,
            "address": address.detail,
            "latitude": address.latitude,
            "longitude": address.longitude,
        }
    division = local_division(data.get("division"))
    latitude, longitude = coordinates_input(data.get("latitude"), data.get("longitude"))
    return {
        "division": division,
        "address": required_text(data.get("address"), "address", 200),
        "latitude": latitude,
        "longitude": longitude,
    }


def _in_progress() -> SocialOrgConflict:
    return SocialOrgConflict(
        _("您已有一个同类服务申请正在办理，请在原申请中查看进展。"),
        code="request_in_progress",
        field="target_group",
    )


def service_request_create(*, resident: User, data: dict, request=None) -> ServiceRequest:
    """A resident asks for social-work service at home; a match run of the district is queued
    once the request is saved."""
    _require_resident(resident)
    target_group = choice_input(data.get("target_group"), TargetGroup.choices, "target_group")
    place = _place(resident, data)
    description = required_text(data.get("description"), "description", 1000)
    today_start = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    with transaction.atomic():
        # One at a time per resident: the checks below and the insert do not race.
        User.objects.select_for_update().filter(pk=resident.pk).first()
        mine = ServiceRequest.objects.filter(resident=resident)
        if mine.filter(target_group=target_group, status__in=ServiceRequest.IN_PROGRESS).exists():
            raise _in_progress()
        if mine.filter(created_at__gte=today_start).count() >= DAILY_LIMIT:
            raise SocialOrgConflict(_("今天的申请次数已达上限，请明天再试。"), code="daily_limit")
        try:
            with transaction.atomic():
                service_request = ServiceRequest.objects.create(
                    reference=_reference(),
                    resident=resident,
                    target_group=target_group,
                    description=description,
                    **place,
                )
        except IntegrityError:
            raise _in_progress() from None
        audit_record(
            actor=resident,
            action="socialorgs.service_request_created",
            target=service_request,
            detail={"target_group": target_group, "division": service_request.division_id},
            request=request,
        )
    rematch_after_commit(county_code(service_request.division_id))
    return service_request


def _locked(service_request: ServiceRequest) -> ServiceRequest:
    return (
        ServiceRequest.objects.select_for_update(of=("self",))
        .select_related("project__organisation", "resident")
        .get(pk=service_request.pk)
    )


def _require_own(service_request: ServiceRequest, resident: User) -> None:
    if service_request.resident_id != getattr(resident, "pk", None):
        raise NotAllowed(_("这不是您的申请。"), code="not_yours")


def _proposal_void(service_request: ServiceRequest, now: dt.datetime) -> tuple[str, str] | None:
    """(code, why) when a proposal may no longer be accepted: its organisation stopped serving,
    or it waited past its deadline; None while it stands."""
    why = organisation_not_serving(service_request.project.organisation)
    if why:
        return "organisation_not_serving", why
    deadline = proposal_deadline(service_request)
    if deadline is not None and deadline <= now:
        return "proposal_expired", _("该推荐超过 %(days)s 天未确认，名额已释放") % {
            "days": settings.SOCIALWORK_PROPOSAL_DAYS
        }
    return None


def service_request_accept(
    *, service_request: ServiceRequest, resident: User, request=None
) -> ServiceRequest:
    """The resident takes the proposed project: the organisation now serves them. A proposal
    whose organisation no longer serves (revoked, deregistered, on the 严重违法失信名单) or that
    waited past its deadline is refused (409): the request goes back to open without that
    project and is rematched (committed before the refusal is raised)."""
    _require_own(service_request, resident)
    with transaction.atomic():
        service_request = _locked(service_request)
        if service_request.status != S.PROPOSED:
            raise SocialOrgConflict(_("当前没有待确认的推荐项目。"), code="not_proposed")
        project = service_request.project
        refusal = _proposal_void(service_request, timezone.now())
        if refusal is None:
            service_request.status = S.ACCEPTED
            service_request.accepted_at = timezone.now()
            service_request.save(update_fields=["status", "accepted_at"])
            audit_record(
                actor=resident,
                action="socialorgs.service_request_accepted",
                target=service_request,
                detail={"project": project.pk},
                request=request,
            )
            notify(
                recipients=org_accounts(project.organisation),
                kind="socialwork_request",
                title=_("有居民确认接受社会工作服务"),
                body=_("项目“%(title)s”有一位居民确认接受服务（申请编号 %(ref)s），请尽快联系。")
                % {"title": project.title, "ref": service_request.reference},
                link=reverse("socialorgs:sw-org-request", args=[service_request.pk]),
                dedupe_key=f"socialwork-request-{service_request.pk}-accepted",
            )
        else:
            request_reopen(service_request, project_id=project.pk, reason=refusal[1])
            audit_record(
                actor=resident,
                action="socialorgs.service_request_accept_refused",
                target=service_request,
                detail={"project": project.pk, "code": refusal[0]},
                request=request,
            )
            rematch_after_commit(county_code(service_request.division_id))
    if refusal is not None:  # raised after the commit: the request stays reopened
        raise SocialOrgConflict(
            _("%(why)s，不能再接受该推荐；平台将为您重新匹配其他项目。") % {"why": refusal[1]},
            code=refusal[0],
        )
    return service_request


def service_request_decline(
    *, service_request: ServiceRequest, resident: User, reason: str = "", request=None
) -> ServiceRequest:
    """The resident does not want the proposed project: back to matching without it."""
    _require_own(service_request, resident)
    reason = optional_text(reason, "reason", 300)
    with transaction.atomic():
        service_request = _locked(service_request)
        if service_request.status != S.PROPOSED:
            raise SocialOrgConflict(_("当前没有待确认的推荐项目。"), code="not_proposed")
        project_id = service_request.project_id
        request_reopen(
            service_request, project_id=project_id, reason=reason or _("居民婉拒推荐项目。")
        )
        audit_record(
            actor=resident,
            action="socialorgs.service_request_declined",
            target=service_request,
            detail={"project": project_id},
            request=request,
        )
    rematch_after_commit(county_code(service_request.division_id))
    return service_request


def service_request_cancel(
    *, service_request: ServiceRequest, resident: User, reason: str = "", request=None
) -> ServiceRequest:
    """The resident withdraws a request not yet accepted."""
    _require_own(service_request, resident)
    reason = optional_text(reason, "reason", 300)
    with transaction.atomic():
        service_request = _locked(service_request)
        if service_request.status not in (S.OPEN, S.UNMATCHED, S.PROPOSED):
            raise SocialOrgConflict(
                _("服务已开始或已结束，不能取消；如有问题请联系服务机构。"), code="not_cancellable"
            )
        freed = service_request.status == S.PROPOSED
        service_request.status = S.CANCELLED
        service_request.project = None
        service_request.closed_reason = reason or _("居民取消申请。")
        service_request.save(update_fields=["status", "project", "closed_reason"])
        audit_record(
            actor=resident,
            action="socialorgs.service_request_cancelled",
            target=service_request,
            request=request,
        )
    if freed:  # its place is free for the district's waiting requests
        rematch_after_commit(county_code(service_request.division_id))
    return service_request


def service_request_org_decline(
    *, service_request: ServiceRequest, actor: User, reason: str, request=None
) -> ServiceRequest:
    """The serving organisation cannot take a proposed request (owner or manager, with a
    reason the resident is told): it goes back to matching without this project."""
    project = service_request.project
    if project is None:
        raise NotAllowed(_("该申请未推荐给贵机构。"), code="not_yours")
    require_org_manager(actor, project.organisation)
    reason = required_text(reason, "reason", 300)
    with transaction.atomic():
        service_request = _locked(service_request)
        if service_request.status != S.PROPOSED or service_request.project_id != project.pk:
            raise SocialOrgConflict(_("只能婉拒已推荐、居民尚未确认的申请。"), code="not_proposed")
        request_reopen(
            service_request,
            project_id=project.pk,
            reason=_("服务机构婉拒：%(reason)s") % {"reason": reason},
        )
        audit_record(
            actor=actor,
            action="socialorgs.service_request_org_declined",
            target=service_request,
            detail={"project": project.pk, "reason": reason},
            request=request,
        )
        notify(
            recipients=[service_request.resident],
            kind="socialwork_request",
            title=_("您的社会工作服务申请将重新匹配"),
            body=_("“%(title)s”暂时无法为您服务（%(reason)s），平台将为您重新匹配。")
            % {"title": project.title, "reason": reason},
            link=reverse("socialorgs:sw-request", args=[service_request.pk]),
            dedupe_key=f"socialwork-request-{service_request.pk}-org-declined-{project.pk}",
        )
    rematch_after_commit(county_code(service_request.division_id))
    return service_request


def service_request_complete(
    *, service_request: ServiceRequest, actor: User, note: str = "", request=None
) -> ServiceRequest:
    """The serving organisation marks an accepted case completed; the resident may review."""
    project = service_request.project
    if project is None:
        raise NotAllowed(_("该申请不由贵机构服务。"), code="not_yours")
    require_org_manager(actor, project.organisation)
    note = optional_text(note, "note", 300)
    with transaction.atomic():
        service_request = _locked(service_request)
        if service_request.status != S.ACCEPTED or service_request.project_id != project.pk:
            raise SocialOrgConflict(_("只能完成服务中的申请。"), code="not_accepted")
        service_request.status = S.COMPLETED
        service_request.completed_at = timezone.now()
        if note:
            service_request.closed_reason = note
        service_request.save(update_fields=["status", "completed_at", "closed_reason"])
        audit_record(
            actor=actor,
            action="socialorgs.service_request_completed",
            target=service_request,
            detail={"project": project.pk},
            request=request,
        )
        notify(
            recipients=[service_request.resident],
            kind="socialwork_request",
            title=_("社会工作服务已完成，欢迎评价"),
            body=_("“%(title)s”已完成对您的服务，欢迎对服务进行评价。") % {"title": project.title},
            link=reverse("socialorgs:sw-review", args=[service_request.pk]),
            dedupe_key=f"socialwork-request-{service_request.pk}-completed",
        )
    # A place is free again.
    rematch_after_commit(county_code(service_request.division_id))
    return service_request


# --- Proposals released without the resident's answer ------------------------------------------


def _release(service_request: ServiceRequest, *, why: str, event: str) -> None:
    """Back to open without the proposed project; the resident is told once."""
    project = service_request.project
    request_reopen(service_request, project_id=project.pk, reason=why)
    notify(
        recipients=[service_request.resident],
        kind="socialwork_request",
        title=_("您的社会工作服务申请将重新匹配"),
        body=_("推荐给您的项目“%(title)s”已释放（%(why)s），平台将为您重新匹配。")
        % {"title": project.title, "why": why},
        link=reverse("socialorgs:sw-request", args=[service_request.pk]),
        dedupe_key=f"socialwork-request-{service_request.pk}-{event}-{project.pk}",
    )


def _proposals_locked(queryset) -> list[ServiceRequest]:
    return list(
        queryset.filter(status=S.PROPOSED)
        .select_for_update(of=("self",))
        .select_related("project__organisation", "resident")
        .order_by("pk")
    )


def _rematch(released: list[ServiceRequest]) -> None:
    for code in sorted({county_code(r.division_id) for r in released}):
        rematch_after_commit(code)


def service_requests_release_due(*, now: dt.datetime | None = None) -> dict:
    """Hourly (socialorgs.tasks.socialwork_proposals_release): proposals the resident left
    unanswered for SOCIALWORK_PROPOSAL_DAYS, and proposals of organisations that stopped
    serving since the match (revoked, deregistered, put on the 严重违法失信名单), go back to
    open without that project, so the place they held is free; the residents are told and
    their districts rematched. Idempotent: a released request is open, a second run finds
    nothing (and the notice is deduplicated)."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.SOCIALWORK_PROPOSAL_DAYS)
    gone = ~organisation_serves_q("project__organisation__")
    counts = {"proposal_expired": 0, "organisation_not_serving": 0}
    with transaction.atomic():
        due = _proposals_locked(ServiceRequest.objects.filter(Q(matched_at__lte=cutoff) | gone))
        released = []
        for service_request in due:
            void = _proposal_void(service_request, now)
            if void is None:  # its organisation was restored meanwhile
                continue
            code, why = void
            project_id = service_request.project_id
            _release(service_request, why=why, event="released")
            audit_record(
                actor=None,
                action="socialorgs.service_request_released",
                target=service_request,
                detail={"project": project_id, "code": code},
            )
            counts[code] += 1
            released.append(service_request)
        _rematch(released)
    return counts


def requests_reopen_for_organisation(
    *, organisation: SocialOrganisation, reason: str = ""
) -> list[int]:
    """The organisation stopped serving (its registration revoked or deregistered): its
    proposals still waiting for the residents go back to open without its project, the
    residents told, their districts rematched once the caller's transaction commits. Called
    inside the registry's and the credit penalty's transaction, after the new status is
    saved; `reason` is what the residents are told (by default, the organisation's status).
    Accepted cases stay as they are (the officials follow them up). Returns the released
    requests' ids."""
    with transaction.atomic():
        released = _proposals_locked(
            ServiceRequest.objects.filter(project__organisation=organisation)
        )
        why = str(reason)[:200] or organisation_not_serving(organisation) or _("机构已停止服务")
        for service_request in released:
            _release(service_request, why=why, event="org-stopped")
        _rematch(released)
    return [r.pk for r in released]


def service_request_full_view(
    *, service_request: ServiceRequest, actor: User, request=None
) -> dict | None:
    """The home's address and the need in full, for an account of the serving organisation
    once the resident accepted (the case is served at home): each read is audit-logged. None
    while the request is not (or no longer) theirs to serve."""
    project = service_request.project
    if project is None or service_request.status not in (S.ACCEPTED, S.COMPLETED):
        return None
    require_org_member(actor, project.organisation)
    audit_personal_data_read(
        viewer=actor,
        subject=service_request.resident,
        target=service_request,
        fields=["address", "need_description"],
        purpose=SERVICE_PURPOSE,
        organisation=project.organisation.name,
        request=request,
    )
    return {"address": service_request.address, "description": service_request.description}
