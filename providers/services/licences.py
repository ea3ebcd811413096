"""Licences with their scans, and the daily notice about licences about to expire."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from portal.uploads import DOCUMENT_KINDS, MB, private_name, sniff
from providers.domains import DEPARTMENT_OF_DOMAIN, LicenceKind
from providers.errors import ProviderError
from providers.models import Licence, Provider
from providers.services.access import require_owner
from providers.signals import provider_compliance_changed

SCAN_MAX_BYTES = 5 * MB
EXPIRY_NOTICE_DAYS = 30


def check_scan(upload) -> tuple[str, str]:
    """PDF, JPEG or PNG by content, at most 5 MB; (content type, extension) or ProviderError."""
    try:
        return sniff(upload, allowed=DOCUMENT_KINDS, max_bytes=SCAN_MAX_BYTES)
    except ValidationError as exc:
        raise ProviderError(exc.messages[0], code=exc.code, field="scan") from None


def licence_add(
    *,
    provider: Provider,
    actor,
    kind: str,
    number: str,
    issuer: str,
    valid_from: dt.date,
    valid_until: dt.date | None,
    scan,
) -> Licence:
    require_owner(actor, provider)
    if kind not in LicenceKind.values:
        raise ProviderError(_("未知的证照类型。"), code="invalid", field="kind")
    number, issuer = (number or "").strip(), (issuer or "").strip()
    if not number:
        raise ProviderError(_("请填写证照编号。"), code="required", field="number")
    if not issuer:
        raise ProviderError(_("请填写发证机关。"), code="required", field="issuer")
    if valid_until is not None and valid_until < valid_from:
        raise ProviderError(_("有效期至不能早于有效期起。"), code="invalid", field="valid_until")
    content_type, extension = check_scan(scan)
    scan.seek(0)
    try:
        with transaction.atomic():
            licence = Licence(
                provider=provider,
                kind=kind,
                number=number,
                issuer=issuer,
                valid_from=valid_from,
                valid_until=valid_until,
                scan_content_type=content_type,
            )
            licence.scan.save(
                private_name("licences", extension), ContentFile(scan.read()), save=False
            )
            licence.save()
            audit_record(actor=actor, action="licence.added", target=licence)
            if provider.status != Provider.Status.DRAFT:
                _notify_supervisors(provider, licence)
            transaction.on_commit(
                lambda: provider_compliance_changed.send(sender=Licence, provider=provider)
            )
    except IntegrityError:
        raise ProviderError(_("该证照已登记。"), code="duplicate", field="number") from None
    return licence


def _notify_supervisors(provider: Provider, licence: Licence) -> None:
    """A registered organisation changed its licences: the officials who supervise it see it
    (the new licence takes effect at once; they can suspend the organisation if it is wrong)."""
    departments = {DEPARTMENT_OF_DOMAIN[d] for d in provider.domains}
    officials = User.objects.filter(
        role=User.Role.OFFICIAL, is_active=True, department__in=departments
    ).select_related("jurisdiction")
    notify(
        recipients=[o for o in officials if o.covers(provider.division_id)],
        kind="licence_changed",
        title=_("机构更新了证照：%(name)s") % {"name": provider.name},
        body=_("%(kind)s，编号 %(number)s，有效期至 %(until)s。")
        % {
            "kind": licence.get_kind_display(),
            "number": licence.number,
            "until": licence.valid_until or _("长期"),
        },
        link=f"/official/providers/{provider.pk}/",
        dedupe_key=f"licence-added:{licence.pk}",
    )


def licence_delete(*, licence: Licence, actor) -> None:
    require_owner(actor, licence.provider)
    provider = licence.provider
    with transaction.atomic():
        audit_record(actor=actor, action="licence.deleted", target=licence)
        licence.scan.delete(save=False)
        licence.delete()
        transaction.on_commit(
            lambda: provider_compliance_changed.send(sender=Licence, provider=provider)
        )


def licences_notify_expiring(*, today: dt.date | None = None) -> int:
    """Notify each organisation's members of licences ending within 30 days.

    Idempotent: one notice per licence and expiry date, however often the job runs.
    """
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=EXPIRY_NOTICE_DAYS)
    expiring = (
        Licence.objects.filter(valid_until__gte=today, valid_until__lte=horizon)
        .select_related("provider")
        .prefetch_related("provider__memberships__user")
    )
    sent = 0
    for licence in expiring:
        members = [m.user for m in licence.provider.memberships.all()]
        days = (licence.valid_until - today).days
        sent += notify(
            recipients=members,
            kind="licence_expiring",
            title=_("证照即将到期：%(licence)s") % {"licence": licence.get_kind_display()},
            body=_(
                "%(provider)s 的%(kind)s（编号 %(number)s）将于 %(date)s 到期（还剩 %(days)d 天）。"
                "请及时续期并上传新证照，过期后相关服务将自动下线。"
            )
            % {
                "provider": licence.provider.name,
                "kind": licence.get_kind_display(),
                "number": licence.number,
                "date": licence.valid_until,
                "days": days,
            },
            link="/provider/organisation/",
            dedupe_key=f"licence-expiring:{licence.pk}:{licence.valid_until.isoformat()}",
        )
    return sent
