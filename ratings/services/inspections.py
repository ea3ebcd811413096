"""Official inspections: plan one (or draw 双随机 spot checks), record the checklist result with
its grade, rectification deadline and follow-up, and confirm the rectification.

Who may inspect follows the registration review (providers.services.review): the official's
jurisdiction contains the provider, and their department supervises the domain inspected
(民政 eldercare, 卫健 childcare and health, 商务 domestic ...).
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import in_jurisdiction, is_official
from portal.audit.services import audit_record
from portal.notifications.services import notify
from portal.uploads import IMAGE_KINDS, MB, private_name, sniff
from providers.domains import DEPARTMENT_OF_DOMAIN, Domain
from providers.models import Branch, Provider
from ratings import checklists
from ratings.errors import RatingsConflict, RatingsError, RatingsForbidden
from ratings.models import Complaint, Grade, Inspection, InspectionItem, InspectionPhoto
from ratings.selectors import grades_current
from ratings.signals import inspection_completed

K = Inspection.Kind

# Providers under supervision: registered and not revoked.
INSPECTABLE_STATUSES = (Provider.Status.APPROVED, Provider.Status.SUSPENDED)
PHOTO_MAX_BYTES = 5 * MB
PHOTOS_PER_INSPECTION = 9
MAX_DRAW = 50
SPOT_CHECK_LEAD_DAYS = 30


# --- Who may inspect ---------------------------------------------------------------------------


def official_may_inspect(official: User, provider: Provider, domain: str) -> bool:
    """The official covers the provider's division and their department supervises `domain`."""
    return (
        is_official(official)
        and official.covers(provider.division_id)
        and DEPARTMENT_OF_DOMAIN.get(domain) == official.department
    )


def _require_inspector(official: User, provider: Provider, domain: str) -> None:
    if not is_official(official) or not official.covers(provider.division_id):
        raise RatingsForbidden(_("该机构不在您的管辖区域内。"), code="out_of_jurisdiction")
    if DEPARTMENT_OF_DOMAIN.get(domain) != official.department:
        raise RatingsForbidden(
            _("%(domain)s领域不属于您所在部门的监管职责。") % {"domain": Domain(domain).label},
            code="wrong_department",
        )


def _checklist_of(domain: str) -> checklists.Checklist:
    if domain not in Domain.values:
        raise RatingsError(_("请选择服务领域。"), code="invalid_domain", field="domain")
    checklist = checklists.checklist_for_domain(domain)
    if checklist is None:
        raise RatingsError(
            _("%(domain)s领域暂无检查表，不能安排检查。") % {"domain": Domain(domain).label},
            code="no_checklist",
            field="domain",
        )
    return checklist


# --- Planning ----------------------------------------------------------------------------------


def inspection_plan(
    *,
    official: User,
    provider: Provider,
    kind: str,
    due_on: dt.date,
    domain: str,
    branch: Branch | None = None,
    follow_up_of: Inspection | None = None,
    complaint: Complaint | None = None,
    request=None,
) -> Inspection:
    """Plan one inspection of `provider` in `domain`, carried out by `official`.

    A follow-up names the inspection it re-checks; a complaint inspection may name the
    complaint that prompted it. Raises RatingsError (bad input) or RatingsForbidden.
    """
    checklist = _checklist_of(domain)
    _require_inspector(official, provider, domain)
    if kind not in K.values:
        raise RatingsError(_("请选择检查类型。"), code="invalid_kind", field="kind")
    if domain not in provider.domains:
        raise RatingsError(
            _("该机构不提供%(domain)s服务。") % {"domain": Domain(domain).label},
            code="domain_not_offered",
            field="domain",
        )
    if provider.status not in INSPECTABLE_STATUSES:
        raise RatingsError(
            _("机构当前状态为“%(status)s”，不在监管检查范围内。")
            % {"status": provider.get_status_display()},
            code="provider_not_registered",
            field="provider",
        )
    if due_on < timezone.localdate():
        raise RatingsError(_("计划检查日期不能早于今天。"), code="due_in_past", field="due_on")
    if branch is not None and branch.provider_id != provider.pk:
        raise RatingsError(_("该网点不属于此机构。"), code="foreign_branch", field="branch")
    if (kind == K.FOLLOW_UP) != (follow_up_of is not None):
        raise RatingsError(
            _("整改复查须指明被复查的检查，其他检查不能指定。"),
            code="follow_up_mismatch",
            field="follow_up_of",
        )
    if follow_up_of is not None and not (
        follow_up_of.provider_id == provider.pk
        and follow_up_of.domain == domain
        and follow_up_of.status == Inspection.Status.COMPLETED
    ):
        raise RatingsError(
            _("只能复查本机构同一领域已完成的检查。"),
            code="follow_up_mismatch",
            field="follow_up_of",
        )
    if complaint is not None and (kind != K.COMPLAINT or complaint.provider_id != provider.pk):
        raise RatingsError(
            _("只有投诉核查可以关联投诉，且投诉须针对此机构。"),
            code="complaint_mismatch",
            field="complaint",
        )
    with transaction.atomic():
        inspection = _create(
            official=official,
            provider=provider,
            domain=domain,
            checklist=checklist,
            kind=kind,
            due_on=due_on,
            branch=branch,
            follow_up_of=follow_up_of,
            complaint=complaint,
        )
        audit_record(
            actor=official,
            action="inspection.planned",
            target=inspection,
            detail={"provider": str(provider.pk), "kind": kind, "domain": domain},
            request=request,
        )
    return inspection


def _create(*, official, provider, domain, checklist, kind, due_on, **links) -> Inspection:
    return Inspection.objects.create(
        provider=provider,
        domain=domain,
        checklist=checklist.code,
        kind=kind,
        due_on=due_on,
        inspector=official,
        **links,
    )


def spot_check_sample(candidates: list, *, count: int, seed: int) -> list:
    """`count` of the candidates (fewer if there are not enough) picked at random.

    The same candidates in the same order with the same seed give the same picks, so a draw
    can be re-run and checked by anyone holding the audit record.
    """
    # Reproducibility is the point here, not unpredictability: the seed is published.
    rng = random.Random(seed)  # noqa: S311
    return rng.sample(candidates, min(count, len(candidates)))


def inspections_draw_spot_checks(
    *,
    official: User,
    domain: str,
    count: int,
    seed: int,
    due_on: dt.date | None = None,
    request=None,
) -> list[Inspection]:
    """双随机、一公开: draw `count` approved providers of `domain` in the official's jurisdiction
    at random and plan a spot check of each (due in 30 days unless `due_on` is given).

    The pool leaves out providers that already have an inspection of this domain planned.
    The draw is reproducible: candidates are taken in primary-key order and shuffled by
    `seed`; the seed, the pool size and the picks go to the audit log.

    The second random half — drawing the inspectors from the 执法检查人员名录 — is not modelled
    yet: the official who draws is the inspector of every pick. When an inspector roster
    exists, draw from it here with the same seed.
    """
    checklist = _checklist_of(domain)
    if not is_official(official):
        raise RatingsForbidden(_("仅监管人员可以进行此操作。"), code="not_official")
    if DEPARTMENT_OF_DOMAIN.get(domain) != official.department:
        raise RatingsForbidden(
            _("%(domain)s领域不属于您所在部门的监管职责。") % {"domain": Domain(domain).label},
            code="wrong_department",
        )
    if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_DRAW:
        raise RatingsError(
            _("抽取数量应在 1 到 %(max)d 之间。") % {"max": MAX_DRAW},
            code="invalid_count",
            field="count",
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise RatingsError(_("随机种子应为非负整数。"), code="invalid_seed", field="seed")
    due_on = due_on or timezone.localdate() + dt.timedelta(days=SPOT_CHECK_LEAD_DAYS)
    if due_on < timezone.localdate():
        raise RatingsError(_("计划检查日期不能早于今天。"), code="due_in_past", field="due_on")
    with transaction.atomic():
        pool = list(
            in_jurisdiction(Provider.objects.all(), official)
            .filter(status=Provider.Status.APPROVED, domains__contains=[domain])
            .exclude(
                Exists(
                    Inspection.objects.filter(
                        provider=OuterRef("pk"), domain=domain, status=Inspection.Status.PLANNED
                    )
                )
            )
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        if not pool:
            raise RatingsError(
                _("辖区内没有可抽取的%(domain)s机构。") % {"domain": Domain(domain).label},
                code="nobody_to_draw",
                field="domain",
            )
        picked = spot_check_sample(pool, count=count, seed=seed)
        providers = Provider.objects.in_bulk(picked)
        inspections = [
            _create(
                official=official,
                provider=providers[pk],
                domain=domain,
                checklist=checklist,
                kind=K.SPOT_CHECK,
                due_on=due_on,
            )
            for pk in picked
        ]
        audit_record(
            actor=official,
            action="inspection.spot_checks_drawn",
            detail={
                "domain": domain,
                "seed": seed,
                "count": count,
                "pool": len(pool),
                "providers": [str(pk) for pk in picked],
                "inspections": [i.pk for i in inspections],
                "inspectors": [official.pk],
            },
            request=request,
        )
    return inspections


# --- Recording the result ----------------------------------------------------------------------


def _decimal(raw) -> Decimal | None:
    if isinstance(raw, bool) or raw is None:
        return None
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


def validate_scores(checklist: checklists.Checklist, items) -> dict[str, Decimal]:
    """Every item of the checklist scored exactly once, within 0..max with at most one decimal.

    Raises RatingsError whose `fields` name each missing, unknown or out-of-range code as
    `items.<code>`, with a summary under `items`.
    """
    if not isinstance(items, Mapping):
        raise RatingsError(_("请按条目编号为每一项打分。"), code="items_invalid", field="items")
    given = {str(code).strip(): raw for code, raw in items.items()}
    errors: dict[str, list[str]] = {}
    scores: dict[str, Decimal] = {}
    unknown = [code for code in given if checklist.item(code) is None]
    missing = [code for code in checklist.codes if code not in given]
    for code in unknown:
        errors[f"items.{code}"] = [_("检查表中没有条目 %(code)s。") % {"code": code}]
    for code in missing:
        errors[f"items.{code}"] = [_("请为此项打分。")]
    for item in checklist.items:
        if item.code not in given:
            continue
        score = _decimal(given[item.code])
        if score is None:
            errors[f"items.{item.code}"] = [_("请填写数字。")]
        elif not 0 <= score <= item.max_score:
            errors[f"items.{item.code}"] = [
                _("得分应在 0 到 %(max)s 之间。") % {"max": item.max_score}
            ]
        elif score != score.quantize(Decimal("0.1")):
            errors[f"items.{item.code}"] = [_("得分最多保留一位小数。")]
        else:
            scores[item.code] = score.quantize(Decimal("0.1"))
    if errors:
        summary = []
        if missing:
            summary.append(_("缺少条目：%(codes)s。") % {"codes": "、".join(missing)})
        if unknown:
            summary.append(_("未知条目：%(codes)s。") % {"codes": "、".join(unknown)})
        if len(errors) > len(missing) + len(unknown):
            summary.append(_("部分条目的得分有误。"))
        error = RatingsError(" ".join(summary), code="items_invalid", field="items")
        error.fields = {"items": summary, **errors}
        raise error
    return scores


def _validated_photos(photos: Iterable) -> list[tuple[object, str, str]]:
    photos = [p for p in photos or () if p]
    if len(photos) > PHOTOS_PER_INSPECTION:
        raise RatingsError(
            _("每次检查最多上传 %(n)d 张照片。") % {"n": PHOTOS_PER_INSPECTION},
            code="too_many_photos",
            field="photos",
        )
    checked = []
    for upload in photos:
        try:
            content_type, extension = sniff(upload, allowed=IMAGE_KINDS, max_bytes=PHOTO_MAX_BYTES)
        except ValidationError as exc:
            raise RatingsError(exc.messages[0], code=exc.code, field="photos") from None
        checked.append((upload, content_type, extension))
    return checked


def inspection_record(
    *,
    inspection: Inspection,
    official: User,
    items: Mapping,
    findings: str,
    rectification_due: dt.date | None = None,
    photos: Iterable = (),
    request=None,
) -> Inspection:
    """Record a planned inspection carried out today by `official`: the score of every
    checklist item, the total, pass (≥ 60 %) and the grade (see ratings.checklists).

    A failed inspection needs findings and a rectification deadline, and plans a follow-up
    for the day after the deadline; a passed follow-up confirms the rectification it checked.
    The grade replaces the provider's earlier grades in the domain (they end the day before)
    and the provider's displayed grade is refreshed. Provider staff are notified, and
    `inspection_completed` is sent after commit (credit records listen to it).
    """
    provider = inspection.provider
    _require_inspector(official, provider, inspection.domain)
    checklist = checklists.checklist_get(inspection.checklist)
    if checklist is None:
        raise RatingsConflict(_("该检查使用的检查表已不存在。"), code="no_checklist")
    scores = validate_scores(checklist, items)
    findings = (findings or "").strip()
    checked_photos = _validated_photos(photos)
    today = timezone.localdate()
    total = sum(scores.values(), Decimal(0))
    passed = checklists.passes(total, checklist.max_total)
    if not passed and not findings:
        raise RatingsError(
            _("检查不合格时请写明发现的问题，机构将据此整改。"),
            code="findings_required",
            field="findings",
        )
    if not passed and rectification_due is None:
        raise RatingsError(
            _("检查不合格，请设定整改期限。"),
            code="rectification_due_required",
            field="rectification_due",
        )
    if rectification_due is not None and rectification_due <= today:
        raise RatingsError(
            _("整改期限应晚于检查日期。"),
            code="rectification_due_too_early",
            field="rectification_due",
        )

    with transaction.atomic():
        # Lock the row: the same inspection recorded twice at once must not get two results.
        inspection = (
            Inspection.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=inspection.pk)
        )
        if inspection.status != Inspection.Status.PLANNED:
            raise RatingsConflict(_("该检查已记录结果。"), code="already_recorded")
        inspection.status = Inspection.Status.COMPLETED
        inspection.inspector = official
        inspection.inspected_on = today
        inspection.score = total
        inspection.passed = passed
        inspection.findings = findings
        inspection.rectification_due = rectification_due
        inspection.save(
            update_fields=[
                "status",
                "inspector",
                "inspected_on",
                "score",
                "passed",
                "findings",
                "rectification_due",
            ]
        )
        InspectionItem.objects.bulk_create(
            InspectionItem(
                inspection=inspection,
                code=item.code,
                area=item.area,
                text=item.text,
                score=scores[item.code],
                max_score=item.max_score,
            )
            for item in checklist.items
        )
        for upload, content_type, extension in checked_photos:
            photo = InspectionPhoto(inspection=inspection, content_type=content_type)
            upload.seek(0)
            photo.image.save(
                private_name("inspections", extension), ContentFile(upload.read()), save=False
            )
            photo.save()

        result = checklists.grade_for(
            domain=inspection.domain,
            score=total,
            max_total=checklist.max_total,
            inspected_on=today,
        )
        _end_earlier_grades(provider=provider, domain=inspection.domain, on=today)
        grade = None
        if result is not None:
            grade = Grade.objects.create(
                provider=provider,
                domain=inspection.domain,
                value=result.value,
                label=result.label,
                valid_from=today,
                valid_until=result.valid_until,
                inspection=inspection,
                awarded_by=official,
            )
        provider_grade_refresh(provider=provider, today=today)

        follow_up = None
        if not passed:
            follow_up = _create(
                official=official,
                provider=provider,
                domain=inspection.domain,
                checklist=checklist,
                kind=K.FOLLOW_UP,
                due_on=rectification_due + dt.timedelta(days=1),
                branch=inspection.branch,
                follow_up_of=inspection,
            )
        original = inspection.follow_up_of
        if passed and original is not None and original.rectified_on is None:
            original.rectified_on = today
            original.save(update_fields=["rectified_on"])

        audit_record(
            actor=official,
            action="inspection.recorded",
            target=inspection,
            detail={
                "score": str(total),
                "max": str(checklist.max_total),
                "passed": passed,
                "grade": grade.value if grade else None,
                "follow_up": follow_up.pk if follow_up else None,
                "photos": len(checked_photos),
            },
            request=request,
        )
        _notify_result(inspection, grade, checklist)
        transaction.on_commit(
            lambda: inspection_completed.send(sender=Inspection, inspection=inspection)
        )
    return inspection


def _end_earlier_grades(*, provider: Provider, domain: str, on: dt.date) -> None:
    """A new result replaces the grades still running in the domain: they end the day before.

    A grade awarded the day before or the same day cannot be shortened (validity would be
    empty); the newest grade wins in `grades_current` anyway.
    """
    day_before = on - dt.timedelta(days=1)
    Grade.objects.filter(
        provider=provider, domain=domain, valid_until__gte=on, valid_from__lt=day_before
    ).update(valid_until=day_before)


def provider_grade_refresh(*, provider: Provider, today: dt.date | None = None) -> Provider:
    """Write the provider's displayed grade: the current grade of its first domain that has
    one (a provider lists its main domain first), or nothing. Idempotent; run daily too, so a
    grade disappears the day after it expires."""
    current = {grade.domain: grade for grade in grades_current(provider=provider, today=today)}
    chosen = next((current[d] for d in provider.domains if d in current), None)
    label = chosen.label if chosen else ""
    until = chosen.valid_until if chosen else None
    if (provider.official_grade, provider.official_grade_until) != (label, until):
        provider.official_grade = label
        provider.official_grade_until = until
        provider.save(update_fields=["official_grade", "official_grade_until", "updated_at"])
    return provider


def grades_expire(*, today: dt.date | None = None) -> int:
    """Clear or replace the displayed grade of providers whose grade ran out (for a daily job;
    running it twice changes nothing). Returns how many providers were looked at."""
    today = today or timezone.localdate()
    stale = Provider.objects.filter(official_grade_until__lt=today)
    count = 0
    for provider in stale.iterator():
        with transaction.atomic():
            provider_grade_refresh(provider=provider, today=today)
        count += 1
    return count


def _notify_result(inspection: Inspection, grade: Grade | None, checklist) -> None:
    provider = inspection.provider
    result = _("合格") if inspection.passed else _("不合格")
    lines = [
        _("得分 %(score)s / %(max)s（%(percent)s%%）")
        % {
            "score": inspection.score,
            "max": checklist.max_total,
            "percent": checklists.percentage(inspection.score, checklist.max_total),
        },
        _("评定等级：%(grade)s") % {"grade": grade.label if grade else _("未评定等级")},
    ]
    if inspection.rectification_due:
        lines.append(
            _("请于 %(date)s 前完成整改。") % {"date": inspection.rectification_due.isoformat()}
        )
    notify(
        recipients=[m.user for m in provider.memberships.select_related("user")],
        kind="inspection_recorded",
        title=_("监督检查结果：%(name)s %(result)s") % {"name": provider.name, "result": result},
        body="\n".join(lines),
        link=reverse("ratings:provider-inspections", kwargs={"pk": provider.pk}),
        dedupe_key=f"inspection:{inspection.pk}:recorded",
    )


# --- Rectification -----------------------------------------------------------------------------


def inspection_rectified(
    *, inspection: Inspection, official: User, rectified_on: dt.date, request=None
) -> Inspection:
    """Confirm that the provider rectified what the inspection found, on `rectified_on`."""
    _require_inspector(official, inspection.provider, inspection.domain)
    with transaction.atomic():
        inspection = (
            Inspection.objects.select_for_update(of=("self",))
            .select_related("provider")
            .get(pk=inspection.pk)
        )
        if inspection.status != Inspection.Status.COMPLETED or not inspection.rectification_due:
            raise RatingsConflict(_("该检查没有需要整改的事项。"), code="nothing_to_rectify")
        if inspection.rectified_on is not None:
            raise RatingsConflict(_("该检查的整改已确认。"), code="already_rectified")
        if not inspection.inspected_on <= rectified_on <= timezone.localdate():
            raise RatingsError(
                _("整改完成日期应在检查日期和今天之间。"),
                code="invalid_rectified_on",
                field="rectified_on",
            )
        inspection.rectified_on = rectified_on
        inspection.save(update_fields=["rectified_on"])
        audit_record(
            actor=official,
            action="inspection.rectified",
            target=inspection,
            detail={"rectified_on": rectified_on.isoformat()},
            request=request,
        )
        provider = inspection.provider
        notify(
            recipients=[m.user for m in provider.memberships.select_related("user")],
            kind="inspection_rectified",
            title=_("整改已确认：%(name)s") % {"name": provider.name},
            link=reverse("ratings:provider-inspections", kwargs={"pk": provider.pk}),
            dedupe_key=f"inspection:{inspection.pk}:rectified",
        )
    return inspection
