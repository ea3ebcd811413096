"""Conditional access: an organisation applies, an official decides, the applicant takes a key
scoped to one dataset and period; every use of the key is logged and the key can be revoked."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from openData.errors import OpenDataError
from openData.models import AccessApplication, ApiKey, Dataset, KeyUse
from openData.services.catalogue import can_steward
from portal.accounts.permissions import is_official
from portal.audit.services import audit_record
from portal.notifications.services import notify

KEY_PREFIX = "od_"


def application_submit(
    *,
    dataset: Dataset,
    applicant,
    organisation_name: str,
    credit_code: str,
    purpose: str,
    fields: list[str],
    duration_days: int,
    security_measures: str,
    agreement_accepted: bool,
    field_names: list[str],
) -> AccessApplication:
    """Record an application (field_names: the columns the dataset's releases contain)."""
    if not dataset.is_conditional:
        raise OpenDataError("not_conditional")
    if is_official(applicant):
        raise OpenDataError("applicant_role", status=403)
    if not agreement_accepted:
        raise OpenDataError("agreement_required", field="agreement_accepted")
    if not fields:
        raise OpenDataError("no_fields", field="fields")
    unknown = sorted(set(fields) - set(field_names))
    if unknown:
        raise OpenDataError("unknown_fields", field="fields", fields="、".join(unknown))
    with transaction.atomic():
        live = AccessApplication.objects.select_for_update().filter(
            dataset=dataset,
            applicant=applicant,
            status__in=[AccessApplication.Status.PENDING, AccessApplication.Status.APPROVED],
        )
        if any(app.status == app.Status.PENDING or _in_period(app) for app in live):
            raise OpenDataError("already_applied", status=409)
        application = AccessApplication(
            dataset=dataset,
            applicant=applicant,
            organisation_name=organisation_name.strip(),
            credit_code=credit_code.strip().upper(),
            purpose=purpose.strip(),
            fields=[name for name in field_names if name in set(fields)],
            duration_days=duration_days,
            security_measures=security_measures.strip(),
            agreement_accepted=True,
        )
        application.full_clean()
        application.save()
        audit_record(actor=applicant, action="opendata.application_submitted", target=application)
    return application


def _in_period(application: AccessApplication, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return bool(
        application.status == AccessApplication.Status.APPROVED
        and application.valid_from
        and application.valid_from <= today <= application.valid_until
    )


def application_decide(
    *, application: AccessApplication, official, approve: bool, note: str = ""
) -> AccessApplication:
    """Approve (the period starts today and lasts the days asked for) or reject with a reason."""
    if not can_steward(official, application.dataset):
        raise OpenDataError("not_steward", status=403)
    if not approve and not note.strip():
        raise OpenDataError("note_required", field="note")
    with transaction.atomic():
        application = AccessApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != AccessApplication.Status.PENDING:
            raise OpenDataError("not_pending", status=409)
        application.decided_by = official
        application.decided_at = timezone.now()
        application.decision_note = note.strip()
        if approve:
            application.status = AccessApplication.Status.APPROVED
            application.valid_from = timezone.localdate()
            application.valid_until = application.valid_from + dt.timedelta(
                days=application.duration_days - 1
            )
        else:
            application.status = AccessApplication.Status.REJECTED
        application.save()
        audit_record(
            actor=official,
            action="opendata.application_approved" if approve else "opendata.application_rejected",
            target=application,
        )
        transaction.on_commit(lambda: _notify_decision(application))
    return application


def _notify_decision(application: AccessApplication) -> None:
    approved = application.status == AccessApplication.Status.APPROVED
    notify(
        recipients=[application.applicant],
        kind="opendata.application_decided",
        dedupe_key=f"opendata.application.{application.pk}.{application.status}",
        title=("数据使用申请已批准" if approved else "数据使用申请未获批准"),
        body=(
            f"《{application.dataset.title}》：请在“我的数据申请”中生成接口密钥。"
            if approved
            else f"《{application.dataset.title}》：{application.decision_note}"
        ),
        link=f"/open/applications/{application.pk}/",
    )


def application_revoke(*, application: AccessApplication, official, note: str) -> AccessApplication:
    """End an approved application early; its keys stop working at once."""
    if not can_steward(official, application.dataset):
        raise OpenDataError("not_steward", status=403)
    if not note.strip():
        raise OpenDataError("note_required", field="note")
    with transaction.atomic():
        application = AccessApplication.objects.select_for_update().get(pk=application.pk)
        if application.status != AccessApplication.Status.APPROVED:
            raise OpenDataError("not_revocable", status=409)
        application.status = AccessApplication.Status.REVOKED
        application.decision_note = note.strip()
        application.save(update_fields=["status", "decision_note"])
        application.keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        audit_record(actor=official, action="opendata.application_revoked", target=application)
    return application


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def key_issue(*, application: AccessApplication, user) -> tuple[ApiKey, str]:
    """A new key for the applicant's approved application, retiring any previous one. Returns
    the key and its secret, which is shown once and stored only as a digest."""
    if application.applicant_id != user.pk:
        raise OpenDataError("not_yours", status=403)
    if not _in_period(application):
        raise OpenDataError("not_approved", status=409)
    with transaction.atomic():
        AccessApplication.objects.select_for_update().filter(pk=application.pk).first()
        application.keys.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        prefix = secrets.token_hex(4)
        secret = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(24)}"
        key = ApiKey.objects.create(
            application=application,
            prefix=prefix,
            secret_hash=_hash(secret),
            rate_per_minute=settings.OPENDATA_KEY_RATE,
        )
        audit_record(actor=user, action="opendata.key_issued", target=key)
    return key, secret


def key_revoke(*, key: ApiKey, actor) -> ApiKey:
    """The applicant retires their own key, or a steward of the dataset revokes it."""
    application = key.application
    if application.applicant_id != actor.pk and not can_steward(actor, application.dataset):
        raise OpenDataError("not_steward", status=403)
    ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit_record(actor=actor, action="opendata.key_revoked", target=key)
    key.refresh_from_db()
    return key


def key_find(secret: str) -> ApiKey | None:
    """The key a secret belongs to (compared in constant time), whatever its state."""
    secret = (secret or "").strip()
    parts = secret.removeprefix(KEY_PREFIX).split("_", 1)
    if not secret.startswith(KEY_PREFIX) or len(parts) != 2:
        return None
    key = ApiKey.objects.select_related("application__dataset").filter(prefix=parts[0]).first()
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        return None
    return key


def key_valid_for(key: ApiKey | None, dataset: Dataset, today: dt.date | None = None) -> bool:
    return bool(
        key is not None
        and key.revoked_at is None
        and key.application.dataset_id == dataset.pk
        and _in_period(key.application, today)
    )


def key_use_record(*, key: ApiKey, path: str, status_code: int, ip: str | None) -> None:
    KeyUse.objects.create(key=key, path=path[:300], status_code=status_code, ip=ip)
    if status_code < 400:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
