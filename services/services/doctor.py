"""家庭医生签约: sign a package for oneself or a family member, renew, remind before the end.

Services the package includes are booked at zero price while the contract runs
(services.services.bookings._contract_covering).
"""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.permissions import is_resident
from portal.audit.services import audit_record
from portal.notifications.services import notify
from providers.domains import Domain
from providers.models import Provider
from services.errors import BookingError, BookingInputError
from services.models import FamilyDoctorContract, FamilyDoctorPackage

C = FamilyDoctorContract.Status
RENEWAL_NOTICE_DAYS = 30


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    last = [
        31,
        29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28,
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ][month - 1]
    return dt.date(year, month, min(day.day, last))


def contract_sign(
    *, resident, package: FamilyDoctorPackage, dependant=None, starts_on: dt.date | None = None
) -> FamilyDoctorContract:
    """Sign for one person; one family-doctor contract at a time (database exclusion)."""
    if not is_resident(resident):
        raise BookingInputError(_("只有居民可以签约家庭医生。"), code="not_resident")
    provider = package.provider
    if (
        not package.is_active
        or provider.status != Provider.Status.APPROVED
        or provider.standing != Provider.Standing.NORMAL
        or Domain.HEALTH not in provider.approved_domains
    ):
        raise BookingInputError(_("该服务包目前不可签约。"), code="unavailable", field="package")
    if dependant is not None and (dependant.owner_id != resident.pk or dependant.removed_at):
        raise BookingInputError(
            _("只能为您添加的家庭成员签约。"), code="not_your_dependant", field="dependant"
        )
    starts_on = starts_on or timezone.localdate()
    ends_on = _add_months(starts_on, package.term_months) - dt.timedelta(days=1)
    try:
        with transaction.atomic():
            contract = FamilyDoctorContract.objects.create(
                package=package,
                resident=resident,
                dependant=dependant,
                starts_on=starts_on,
                ends_on=ends_on,
            )
    except IntegrityError as exc:
        raise BookingError(
            _("该服务对象在这段时间已有家庭医生签约。"), code="already_signed"
        ) from exc
    audit_record(actor=resident, action="doctor_contract.sign", target=contract, subject=resident)
    notify(
        recipients=[m.user for m in provider.memberships.select_related("user")],
        kind="doctor_contract.signed",
        title=_("新的家庭医生签约"),
        body=f"{package.name} · {starts_on}–{ends_on}",
        dedupe_key=f"contract:{contract.pk}:signed",
    )
    return contract


def contract_renew(*, contract: FamilyDoctorContract, actor) -> FamilyDoctorContract:
    """Sign the next term starting the day after this one ends."""
    if contract.resident_id != getattr(actor, "pk", None):
        raise BookingInputError(_("没有这份签约。"), code="not_found")
    if contract.status != C.ACTIVE:
        raise BookingError(_("只有履约中的签约可以续约。"), code="illegal_transition")
    if FamilyDoctorContract.objects.filter(renewed_from=contract).exists():
        raise BookingError(_("这份签约已经续约。"), code="already_renewed")
    with transaction.atomic():
        renewal = contract_sign(
            resident=actor,
            package=contract.package,
            dependant=contract.dependant,
            starts_on=contract.ends_on + dt.timedelta(days=1),
        )
        renewal.renewed_from = contract
        renewal.save(update_fields=["renewed_from"])
    return renewal


def contract_terminate(*, contract: FamilyDoctorContract, actor) -> None:
    if contract.resident_id != getattr(actor, "pk", None):
        raise BookingInputError(_("没有这份签约。"), code="not_found")
    if contract.status != C.ACTIVE:
        raise BookingError(_("这份签约已结束。"), code="illegal_transition")
    contract.status = C.TERMINATED
    contract.save(update_fields=["status"])


def contracts_remind_renewal(*, today: dt.date | None = None) -> int:
    """End lapsed contracts and remind residents 30 days before the end (once per contract)."""
    today = today or timezone.localdate()
    FamilyDoctorContract.objects.filter(status=C.ACTIVE, ends_on__lt=today).update(status=C.ENDED)
    due = FamilyDoctorContract.objects.filter(
        status=C.ACTIVE,
        ends_on__gte=today,
        ends_on__lte=today + dt.timedelta(days=RENEWAL_NOTICE_DAYS),
        renewal__isnull=True,
    ).select_related("package", "resident")
    sent = 0
    for contract in due:
        sent += notify(
            recipients=[contract.resident],
            kind="doctor_contract.renewal",
            title=_("家庭医生签约即将到期"),
            body=_("%(package)s 将于 %(date)s 到期，可在线续约。")
            % {"package": contract.package.name, "date": contract.ends_on},
            link=reverse("services:my-doctor"),
            dedupe_key=f"contract:{contract.pk}:renewal",
        )
    return sent
