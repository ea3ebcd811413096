"""Complaints: filing with evidence, the handling state machine with a working-day deadline per
stage, messages inside the case, the resident's rating of the handling, and the escalation of
overdue complaints to the supervising jurisdiction.

The state machine is the TRANSITIONS table below and nothing else: every change of a complaint's
status goes through `complaint_transition`, which checks it, records who/when/why (event and
audit), sets the next stage's deadline and notifies the resident and the provider.

Deadlines are counted in working days (ratings.workdays), as 12345 hotline rules and local
complaint regulations do:

- ACCEPT_DAYS: a received complaint must be accepted or refused (受理/不予受理) within 2 working
  days of filing;
- RESOLVE_DAYS: an accepted complaint must be decided (办结 or 不成立) within 15 working days of
  acceptance; investigating is part of that stage and keeps its deadline.

`escalated_at` belongs to the current stage's deadline: the escalation job sets it once when
the deadline passes, and it is cleared when a new deadline is set (acceptance).

A complaint is about a provider (`complaint_file`) or about a subject another app owns
(`complaint_file_about`: a social organisation, a body acting without registration). Who answers
for a subject, and where they read the case, comes from ratings.complaint_subjects, never from
`complaint.provider` directly; the deadlines, the state machine and the routing by division are
the same for every kind.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.accounts.models import Division, User, division_ancestors
from portal.accounts.permissions import is_resident, official_covers
from portal.audit.services import audit_personal_data_read, audit_record
from portal.notifications.services import notify
from portal.privacy import mask_name, redact_identifiers
from portal.uploads import DOCUMENT_KINDS, MB, private_name, sniff
from providers.models import Provider
from ratings import complaint_subjects
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Complaint, ComplaintEvent, ComplaintFile, ComplaintMessage
from ratings.signals import complaint_upheld
from ratings.workdays import deadline_after
from services.models import Booking

S = Complaint.Status

ACCEPT_DAYS = 2  # working days from filing to acceptance or refusal (受理期限)
RESOLVE_DAYS = 15  # working days from acceptance to the decision (办结期限)
EVIDENCE_MAX_BYTES = 10 * MB
EVIDENCE_MAX_FILES = 5
# Organisations a resident can complain about: registered now or before (not drafts or
# applications that were never approved).
COMPLAINABLE = (Provider.Status.APPROVED, Provider.Status.SUSPENDED, Provider.Status.REVOKED)


@dataclass(frozen=True)
class Transition:
    """One step of the handling, always taken by an official covering the complaint's division.

    `needs` names the inputs it requires ("note", "outcome", "upheld"); `due_days` starts a new
    stage with that many working days; `closes` ends the case."""

    sources: tuple[str, ...]
    target: str
    label: str
    needs: tuple[str, ...] = ()
    due_days: int | None = None
    closes: bool = False


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition((S.RECEIVED,), S.ACCEPTED, gettext_lazy("受理"), due_days=RESOLVE_DAYS),
    "not_accept": Transition(
        (S.RECEIVED,), S.NOT_ACCEPTED, gettext_lazy("不予受理"), needs=("note",), closes=True
    ),
    "investigate": Transition((S.ACCEPTED,), S.INVESTIGATING, gettext_lazy("开始调查")),
    "resolve": Transition(
        (S.INVESTIGATING,),
        S.RESOLVED,
        gettext_lazy("办结"),
        needs=("outcome", "upheld"),
        closes=True,
    ),
    "reject": Transition(
        (S.INVESTIGATING,),
        S.REJECTED,
        gettext_lazy("认定投诉不成立"),
        needs=("outcome",),
        closes=True,
    ),
}


def _new_reference() -> str:
    return f"TS{timezone.localdate():%y%m%d}{secrets.token_hex(4).upper()}"


# --- Who may do what ---------------------------------------------------------------------------


def may_handle(user, complaint: Complaint) -> bool:
    """Officials whose jurisdiction covers the complaint's division take its transitions, when
    their department supervises its subject (complaint_subjects: social organisations are
    民政's alone)."""
    return official_covers(user, complaint.division_id) and complaint_subjects.department_handles(
        user, complaint
    )


def is_handling_official(user, complaint: Complaint) -> bool:
    """The official in charge: the handler once someone took the case; before that, any
    official covering it (who must be able to triage and ask questions)."""
    return may_handle(user, complaint) and complaint.handler_id in (None, user.pk)


def officials_covering(division_code: str, departments=None) -> QuerySet[User]:
    """Active officials whose jurisdiction contains the division (its own and broader ones),
    of `departments` when given."""
    officials = User.objects.filter(
        role=User.Role.OFFICIAL,
        is_active=True,
        jurisdiction_id__in=[division_code, *division_ancestors(division_code)],
    )
    return officials if departments is None else officials.filter(department__in=departments)


def supervisors_of(division_code: str, departments=None) -> list[User]:
    """Who an overdue complaint goes to: the officials (of `departments` when given) of the
    nearest broader jurisdiction that has any (the city for a district); failing that, the
    division's own officials."""
    for level in division_ancestors(division_code):
        officials = User.objects.filter(
            role=User.Role.OFFICIAL, is_active=True, jurisdiction_id=level
        )
        if departments is not None:
            officials = officials.filter(department__in=departments)
        found = list(officials)
        if found:
            return found
    return list(
        officials_covering(division_code, departments).filter(jurisdiction_id=division_code)
    )


def complaint_identity(*, complaint: Complaint, viewer, request=None) -> dict:
    """What `viewer` may see of the complainant. The resident sees themself; the handling
    official sees name and phone (an audited read of personal data); everyone else a masked
    name and no phone."""
    resident = complaint.resident
    if viewer.pk == resident.pk:
        return {"name": resident.name, "phone": resident.phone, "masked": False}
    if is_handling_official(viewer, complaint):
        audit_personal_data_read(
            viewer=viewer,
            subject=resident,
            target=complaint,
            fields=["name", "phone", "description"],
            purpose="complaint_handling",
            request=request,
        )
        return {"name": resident.name, "phone": resident.phone, "masked": False}
    return {"name": mask_name(resident.name), "phone": "", "masked": True}


def complaint_case_text(*, identity: dict, text: str) -> str:
    """Free text of a case (description, messages, notes) as `identity`'s viewer may read it:
    in full for the complainant and the handling official; for everyone else the mobile and
    ID numbers written into it are masked, as the complainant's name and phone are."""
    return redact_identifiers(text) if identity["masked"] else text


def speaker_of(complaint: Complaint, message: ComplaintMessage) -> str:
    """Which side wrote a message: "resident", "provider" or "official" (names stay private)."""
    if message.author_id == complaint.resident_id:
        return "resident"
    return "official" if message.author.is_official else "provider"


# --- Filing ------------------------------------------------------------------------------------


REPEAT_WINDOW = dt.timedelta(minutes=10)


def complaint_file(
    *,
    resident,
    provider: Provider | None = None,
    booking: Booking | None = None,
    category: str,
    description: str,
    desired_outcome: str = "",
    files: Sequence = (),
) -> Complaint:
    """A resident's complaint about a provider (or one of their own bookings with it), with up
    to five PDF/PNG/JPEG evidence files of at most 10 MB each. It starts in `received` with
    ACCEPT_DAYS working days for the officials covering the provider to accept it."""
    if not is_resident(resident):
        raise RatingsForbidden(_("只有居民可以投诉。"), code="not_resident")
    provider = _provider_of(resident, provider, booking)
    return _file(
        resident=resident,
        filing=(category, description, desired_outcome),
        files=files,
        subject={"provider": provider, "booking": booking, "division_id": provider.division_id},
        detail={"provider": str(provider.pk)},
    )


def complaint_file_about(
    *,
    resident,
    subject_kind: str,
    subject_ref: str = "",
    subject_name: str,
    division_code: str,
    category: str,
    description: str,
    desired_outcome: str = "",
    files: Sequence = (),
) -> Complaint:
    """A resident's complaint about a subject that is not a provider (the calling app has
    checked that the subject exists and named it): the same validation, evidence rules,
    deadlines and handling as a provider complaint, routed to the officials covering
    `division_code`. Who answers for the subject comes from ratings.complaint_subjects."""
    if not is_resident(resident):
        raise RatingsForbidden(_("只有居民可以投诉。"), code="not_resident")
    if subject_kind == Complaint.SubjectKind.PROVIDER or subject_kind not in (
        Complaint.SubjectKind.values
    ):
        raise RatingsError(_("未知的投诉对象。"), code="subject_kind", field="subject_kind")
    subject_name = (subject_name or "").strip()
    if not subject_name:
        raise RatingsError(_("请填写被投诉对象的名称。"), code="subject_name", field="subject_name")
    if len(subject_name) > 100:
        raise RatingsError(_("名称不能超过 100 字。"), code="subject_name", field="subject_name")
    subject_ref = (subject_ref or "").strip()[:40]
    division = Division.objects.filter(code=division_code or "").first()
    if division is None:
        raise RatingsError(_("请选择所在区划。"), code="division", field="division")
    return _file(
        resident=resident,
        filing=(category, description, desired_outcome),
        files=files,
        subject={
            "subject_kind": subject_kind,
            "subject_ref": subject_ref,
            "subject_name": subject_name,
            "division_id": division.code,
        },
        detail={"subject_kind": subject_kind, "subject_ref": subject_ref},
    )


def _file(*, resident, filing: tuple, files, subject: dict, detail: dict) -> Complaint:
    """Check the filing and its evidence, and open the case about `subject` (the Complaint
    fields naming it and its division)."""
    values = _clean_filing(*filing)
    evidence = _sniff_evidence(files)
    now = timezone.now()
    # The same complaint submitted again within minutes (a double click, a resubmitted form)
    # is the first one, not a second case.
    repeat = Complaint.objects.filter(
        resident=resident,
        category=values["category"],
        description=values["description"],
        created_at__gte=now - REPEAT_WINDOW,
        **subject,
    ).first()
    if repeat is not None:
        return repeat
    return _create(
        resident=resident, now=now, values=values, evidence=evidence, subject=subject, detail=detail
    )


def _create(*, resident, now, values: dict, evidence: list, subject: dict, detail: dict):
    """The case, its evidence and its first event in one transaction; the notices after."""
    with transaction.atomic():
        complaint = Complaint.objects.create(
            reference=_new_reference(),
            resident=resident,
            status=S.RECEIVED,
            stage_due_at=deadline_after(now, ACCEPT_DAYS),
            created_at=now,
            **subject,
            **values,
        )
        for upload, content_type, extension in evidence:
            record = ComplaintFile(complaint=complaint, content_type=content_type)
            upload.seek(0)
            # The field's upload_to already names the folder; keep only the random file name.
            name = private_name("complaints", extension).rsplit("/", 1)[-1]
            record.file.save(name, ContentFile(upload.read()), save=False)
            record.save()
        ComplaintEvent.objects.create(complaint=complaint, to_status=S.RECEIVED, actor=resident)
        audit_record(
            actor=resident,
            action="complaint.filed",
            target=complaint,
            detail={**detail, "files": len(evidence)},
        )
        transaction.on_commit(lambda: _notify_filed(complaint))
    return complaint


def _provider_of(resident, provider: Provider | None, booking: Booking | None) -> Provider:
    if booking is not None:
        if booking.resident_id != resident.pk:
            raise RatingsError(
                _("只能就您本人的预约进行投诉。"), code="not_your_booking", field="booking"
            )
        if provider is not None and provider.pk != booking.provider_id:
            raise RatingsError(
                _("被投诉机构与预约的机构不一致。"), code="provider_mismatch", field="provider"
            )
        return booking.provider
    if provider is None:
        raise RatingsError(
            _("请选择被投诉的机构或预约。"), code="provider_required", field="provider"
        )
    if provider.status not in COMPLAINABLE:
        raise RatingsError(_("没有这个服务机构。"), code="unknown_provider", field="provider")
    return provider


def _clean_filing(category: str, description: str, desired_outcome: str) -> dict:
    if category not in Complaint.Category.values:
        raise RatingsError(_("请选择投诉类别。"), code="category", field="category")
    description = (description or "").strip()
    if not description:
        raise RatingsError(_("请填写投诉内容。"), code="description", field="description")
    if len(description) > 2000:
        raise RatingsError(_("投诉内容不能超过 2000 字。"), code="too_long", field="description")
    desired_outcome = (desired_outcome or "").strip()
    if len(desired_outcome) > 300:
        raise RatingsError(
            _("诉求不能超过 300 字。"), code="desired_outcome", field="desired_outcome"
        )
    return {"category": category, "description": description, "desired_outcome": desired_outcome}


def _sniff_evidence(files: Iterable) -> list[tuple]:
    """Check every file before anything is written: the type by content, the size, the count."""
    files = [f for f in files if f is not None]
    if len(files) > EVIDENCE_MAX_FILES:
        raise RatingsError(
            _("最多上传 %(n)d 个证据文件。") % {"n": EVIDENCE_MAX_FILES},
            code="too_many_files",
            field="files",
        )
    checked = []
    for upload in files:
        try:
            content_type, extension = sniff(
                upload, allowed=DOCUMENT_KINDS, max_bytes=EVIDENCE_MAX_BYTES
            )
        except ValidationError as exc:
            raise RatingsError(exc.messages[0], code=exc.code, field="files") from None
        checked.append((upload, content_type, extension))
    return checked


# --- Transitions -------------------------------------------------------------------------------


def complaint_transition(
    *,
    complaint: Complaint,
    action: str,
    actor,
    note: str = "",
    outcome: str = "",
    upheld: bool | None = None,
) -> Complaint:
    """Apply one named transition (TRANSITIONS). Only officials covering the complaint's
    division act; an illegal one raises RatingsConflict (409, "illegal_transition")."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise RatingsError(_("未知的操作。"), code="unknown_action", field="action")
    note, outcome = (note or "").strip(), (outcome or "").strip()
    with transaction.atomic():
        complaint = (
            Complaint.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=complaint.pk)
        )
        if not may_handle(actor, complaint):
            raise RatingsForbidden(_("您无权办理这件投诉。"), code="forbidden")
        if complaint.status not in transition.sources:
            raise RatingsConflict(
                _("投诉当前状态为“%(status)s”，不能%(action)s。")
                % {"status": complaint.get_status_display(), "action": transition.label},
                code="illegal_transition",
            )
        _check_inputs(transition, note=note, outcome=outcome, upheld=upheld)
        now = timezone.now()
        source = complaint.status
        complaint.status = transition.target
        if complaint.handler_id is None:
            complaint.handler = actor
        if transition.due_days:
            complaint.stage_due_at = deadline_after(now, transition.due_days)
            complaint.escalated_at = None  # a new stage, not yet overdue
        if transition.closes:
            complaint.stage_due_at = None
            complaint.closed_at = now
        if action == "not_accept":
            complaint.outcome = note
        elif action in ("resolve", "reject"):
            complaint.outcome = outcome
            complaint.upheld = bool(upheld) if action == "resolve" else False
        complaint.save(
            update_fields=[
                "status",
                "handler",
                "stage_due_at",
                "escalated_at",
                "closed_at",
                "outcome",
                "upheld",
            ]
        )
        event = ComplaintEvent.objects.create(
            complaint=complaint,
            from_status=source,
            to_status=transition.target,
            actor=actor,
            note=(note or outcome)[:500],
            at=now,
        )
        audit_record(
            actor=actor,
            action=f"complaint.{action}",
            target=complaint,
            detail={"from": source, "to": transition.target, "upheld": complaint.upheld},
        )
        transaction.on_commit(lambda: _notify_transition(complaint, event))
        if transition.target == S.RESOLVED and complaint.upheld:
            transaction.on_commit(
                lambda: complaint_upheld.send(sender=Complaint, complaint=complaint)
            )
    return complaint


def _check_inputs(transition: Transition, *, note: str, outcome: str, upheld) -> None:
    errors: dict[str, list[str]] = {}
    if "note" in transition.needs and not note:
        errors["note"] = [_("请填写理由。")]
    if "outcome" in transition.needs and not outcome:
        errors["outcome"] = [_("请填写办理结果。")]
    if "upheld" in transition.needs and upheld is None:
        errors["upheld"] = [_("请选择投诉是否成立。")]
    if len(note) > 500:
        errors["note"] = [_("说明不能超过 500 字。")]
    if errors:
        error = RatingsError(
            next(iter(errors.values()))[0], code="required", field=next(iter(errors))
        )
        error.fields = errors
        raise error


def actions_for(complaint: Complaint) -> list[tuple[str, Transition]]:
    """The transitions the complaint's state allows, in table order (for the official's page)."""
    return [(name, t) for name, t in TRANSITIONS.items() if complaint.status in t.sources]


# --- Messages and the rating of the handling --------------------------------------------------


def may_write_message(user, complaint: Complaint) -> bool:
    """The complainant, whoever answers for the subject (the provider's staff) and the
    handling official write in the case."""
    return (
        getattr(user, "pk", None) == complaint.resident_id
        or complaint_subjects.is_answerer(user, complaint)
        or is_handling_official(user, complaint)
    )


def complaint_message(*, complaint: Complaint, author, text: str) -> ComplaintMessage:
    """A message inside the case: the provider's answer, the resident's reply or the handling
    official's question. Nobody else writes, and nothing after the case is closed."""
    text = (text or "").strip()
    is_author_resident = getattr(author, "pk", None) == complaint.resident_id
    is_author_staff = complaint_subjects.is_answerer(author, complaint)
    is_author_official = is_handling_official(author, complaint)
    if not (is_author_resident or is_author_staff or is_author_official):
        raise RatingsForbidden(_("您无权在这件投诉中留言。"), code="forbidden")
    if not text:
        raise RatingsError(_("请填写内容。"), code="text", field="text")
    if len(text) > 2000:
        raise RatingsError(_("内容不能超过 2000 字。"), code="text", field="text")
    with transaction.atomic():
        complaint = Complaint.objects.select_for_update(of=("self",)).get(pk=complaint.pk)
        if not complaint.is_open:
            raise RatingsConflict(_("投诉已办结，不能再留言。"), code="closed")
        message = ComplaintMessage.objects.create(complaint=complaint, author=author, text=text)
        if not is_author_resident:
            audit_record(actor=author, action="complaint.message", target=complaint)
        transaction.on_commit(
            lambda: _notify_message(
                complaint,
                message,
                resident=is_author_resident,
                staff=is_author_staff,
                official=is_author_official,
            )
        )
    return message


def complaint_rate_handling(*, complaint: Complaint, resident, rating: int) -> Complaint:
    """The resident rates how the case was handled (1–5), once, after it is closed."""
    if getattr(resident, "pk", None) != complaint.resident_id:
        raise RatingsForbidden(_("只有投诉人可以评价办理情况。"), code="forbidden")
    if isinstance(rating, bool) or not isinstance(rating, int) or not 1 <= rating <= 5:
        raise RatingsError(_("请选择 1 到 5 分。"), code="rating", field="rating")
    with transaction.atomic():
        rated = Complaint.objects.filter(
            pk=complaint.pk, status__in=_closed_statuses(), handling_rating__isnull=True
        ).update(handling_rating=rating)
        if rated != 1:
            complaint.refresh_from_db()
            if complaint.is_open:
                raise RatingsConflict(_("投诉办结后才能评价。"), code="not_closed")
            raise RatingsConflict(_("您已评价过这件投诉的办理。"), code="already_rated")
        complaint.refresh_from_db()
        audit_record(
            actor=resident,
            action="complaint.rated",
            target=complaint,
            detail={"rating": rating},
        )
    return complaint


def _closed_statuses() -> list[str]:
    return [s for s in S.values if s not in Complaint.OPEN]


# --- The escalation job -------------------------------------------------------------------------


def _stage(complaint: Complaint) -> str:
    return "accept" if complaint.status == S.RECEIVED else "resolve"


def complaints_escalate(*, now: dt.datetime | None = None) -> int:
    """Open complaints past their stage's deadline and not yet escalated for it: mark them and
    tell the supervising officials. Each in its own transaction, claimed with a conditional
    update, so running twice (or concurrently) notifies once."""
    now = now or timezone.now()
    due = Complaint.objects.filter(
        status__in=Complaint.OPEN, stage_due_at__lt=now, escalated_at__isnull=True
    ).order_by("stage_due_at")
    count = 0
    for pk in list(due.values_list("pk", flat=True)[:1000]):
        with transaction.atomic():
            claimed = Complaint.objects.filter(
                pk=pk, status__in=Complaint.OPEN, stage_due_at__lt=now, escalated_at__isnull=True
            ).update(escalated_at=now)
            if claimed != 1:
                continue  # handled or escalated meanwhile
            complaint = Complaint.objects.select_related("provider").get(pk=pk)
            stage = _stage(complaint)
            ComplaintEvent.objects.create(
                complaint=complaint,
                from_status=complaint.status,
                to_status=complaint.status,
                note=_("超过本阶段办理期限，已上报上级监管部门。"),
                at=now,
            )
            audit_record(
                actor=None,
                action="complaint.escalated",
                target=complaint,
                detail={"stage": stage, "due": complaint.stage_due_at.isoformat()},
            )
            notify(
                recipients=supervisors_of(
                    complaint.division_id, complaint_subjects.departments_of(complaint)
                ),
                kind="complaint.overdue",
                title=str(_("投诉超期未办理")),
                body=_("%(ref)s · %(provider)s · 期限 %(due)s")
                % {
                    "ref": complaint.reference,
                    "provider": complaint.subject_display,
                    "due": f"{timezone.localtime(complaint.stage_due_at):%Y-%m-%d %H:%M}",
                },
                link=reverse("ratings:complaint-official", kwargs={"pk": complaint.pk}),
                dedupe_key=f"complaint:{complaint.pk}:overdue:{stage}",
            )
        count += 1
    return count


# --- Notices ------------------------------------------------------------------------------------

_NOTICE_TITLES = {
    S.ACCEPTED: gettext_lazy("您的投诉已受理"),
    S.NOT_ACCEPTED: gettext_lazy("您的投诉不予受理"),
    S.INVESTIGATING: gettext_lazy("您的投诉正在调查"),
    S.RESOLVED: gettext_lazy("您的投诉已办结"),
    S.REJECTED: gettext_lazy("您的投诉经调查不成立"),
}
_PROVIDER_TITLES = {
    S.ACCEPTED: gettext_lazy("针对本机构的投诉已受理"),
    S.NOT_ACCEPTED: gettext_lazy("针对本机构的投诉不予受理"),
    S.INVESTIGATING: gettext_lazy("针对本机构的投诉正在调查"),
    S.RESOLVED: gettext_lazy("针对本机构的投诉已办结"),
    S.REJECTED: gettext_lazy("针对本机构的投诉经调查不成立"),
}


def _provider_staff(complaint: Complaint) -> list:
    """Whoever answers for the subject: a provider's staff, or what the subject's app names."""
    return complaint_subjects.answerers_of(complaint)


def _links(complaint: Complaint) -> dict[str, str]:
    return {
        "resident": reverse("ratings:my-complaint", kwargs={"pk": complaint.pk}),
        "provider": complaint_subjects.answer_link(complaint),
        "official": reverse("ratings:complaint-official", kwargs={"pk": complaint.pk}),
    }


def _notify_filed(complaint: Complaint) -> None:
    links = _links(complaint)
    category = complaint.get_category_display()
    body = f"{complaint.reference} · {complaint.subject_display} · {category}"
    notify(
        recipients=officials_covering(
            complaint.division_id, complaint_subjects.departments_of(complaint)
        ),
        kind="complaint.received",
        title=str(_("新的投诉待受理")),
        body=body,
        link=links["official"],
        dedupe_key=f"complaint:{complaint.pk}:received",
    )
    notify(
        recipients=_provider_staff(complaint),
        kind="complaint.received",
        title=str(_("本机构收到一件投诉")),
        body=body,
        link=links["provider"],
        dedupe_key=f"complaint:{complaint.pk}:received",
    )


def _notify_transition(complaint: Complaint, event: ComplaintEvent) -> None:
    links = _links(complaint)
    target = event.to_status
    key = f"complaint:{complaint.pk}:{target}:{event.pk}"
    body = f"{complaint.reference} · {complaint.subject_display}"
    notify(
        recipients=[complaint.resident],
        kind=f"complaint.{target}",
        title=str(_NOTICE_TITLES[target]),
        body=body,
        link=links["resident"],
        dedupe_key=key,
    )
    notify(
        recipients=_provider_staff(complaint),
        kind=f"complaint.{target}",
        title=str(_PROVIDER_TITLES[target]),
        body=body,
        link=links["provider"],
        dedupe_key=key,
    )


def _notify_message(
    complaint: Complaint, message: ComplaintMessage, *, resident: bool, staff: bool, official: bool
) -> None:
    links = _links(complaint)
    key = f"complaint:{complaint.pk}:message:{message.pk}"
    title = str(_("投诉 %(ref)s 有新的留言") % {"ref": complaint.reference})
    if not resident:
        notify(
            recipients=[complaint.resident],
            kind="complaint.message",
            title=title,
            link=links["resident"],
            dedupe_key=key,
        )
    if not staff:
        notify(
            recipients=_provider_staff(complaint),
            kind="complaint.message",
            title=title,
            link=links["provider"],
            dedupe_key=key,
        )
    if not official:
        officials = (
            [complaint.handler]
            if complaint.handler_id
            else list(
                officials_covering(
                    complaint.division_id, complaint_subjects.departments_of(complaint)
                )
            )
        )
        notify(
            recipients=officials,
            kind="complaint.message",
            title=title,
            link=links["official"],
            dedupe_key=key,
        )
