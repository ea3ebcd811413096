"""Volunteer registration by real name (ID number protected, volunteer numbers)."""

from __future__ import annotations

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import Division, User
from portal.accounts.permissions import is_resident
from portal.audit.services import audit_record
from portal.identifiers import normalize_mobile, validate_resident_id
from portal.privacy import id_number_digest, mask_id_number
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import NumberSequence, Skill, TimeOfWeek, Volunteer
from volunteers.services.common import (
    ADULT_AGE,
    birth_date_of,
    check_input,
    division_of,
    known_choices,
    required_text,
)


def _next_number(division: Division, year: int) -> str:
    """City code + year + a 6-digit sequence, e.g. 5101002026000017. The sequence row is
    taken with a conditional UPDATE, so two registrations never get the same number."""
    prefix = f"{division.code[:4]}00{year}"
    NumberSequence.objects.get_or_create(prefix=prefix)
    NumberSequence.objects.filter(prefix=prefix).update(last=F("last") + 1)
    last = NumberSequence.objects.values_list("last", flat=True).get(prefix=prefix)
    return f"{prefix}{last:06d}"


def volunteer_register(
    *,
    user: User,
    real_name: str,
    id_number: str,
    phone: str,
    division_code: str,
    consent_version: str,
    skills: list[str] | None = None,
    languages: list[str] | None = None,
    available_times: list[str] | None = None,
    guardian_name: str = "",
    guardian_phone: str = "",
    guardian_consent: bool = False,
    request=None,
) -> Volunteer:
    """Register a resident as a volunteer by real name. The ID number is validated (GB 11643)
    and kept only as a keyed hash and a masked form; under 18 a guardian must consent."""
    if not is_resident(user):
        raise NotAllowed(_("仅居民用户可以注册为志愿者。"), code="resident_only")
    if Volunteer.objects.filter(user=user).exists():
        raise VolunteerConflict(_("您已注册为志愿者。"), code="already_registered")
    real_name = required_text(real_name, "real_name", 50)
    id_number = (id_number or "").strip().upper()
    check_input(validate_resident_id, id_number, "id_number")
    birth_date = birth_date_of(id_number)
    today = timezone.localdate()
    if birth_date > today:
        raise VolunteerError(
            _("身份证号码中的出生日期无效。"), code="invalid_id_date", field="id_number"
        )
    phone = check_input(normalize_mobile, phone, "phone")
    division = division_of(division_code)
    if consent_version != settings.VOLUNTEER_AGREEMENT_VERSION:
        raise VolunteerError(
            _("请阅读并同意最新的志愿服务协议。"), code="consent_required", field="consent_version"
        )
    languages = [(v or "").strip() for v in languages or [] if (v or "").strip()]
    if len(languages) > 10 or any(len(v) > 20 for v in languages):
        raise VolunteerError(
            _("最多填写 10 种语言，每种不超过 20 个字。"), code="invalid", field="languages"
        )
    values = {
        "skills": known_choices(skills, Skill.values, "skills"),
        "available_times": known_choices(available_times, TimeOfWeek.values, "available_times"),
        "languages": list(dict.fromkeys(languages)),
    }
    probe = Volunteer(birth_date=birth_date)
    if probe.age_on(today) < ADULT_AGE:
        # 未成年人: the guardian's name, a phone to reach them and their consent.
        guardian_name = required_text(guardian_name, "guardian_name", 50)
        guardian_phone = check_input(normalize_mobile, guardian_phone, "guardian_phone")
        if not guardian_consent:
            raise VolunteerError(
                _("未满 18 周岁的志愿者须经监护人同意。"),
                code="guardian_consent_required",
                field="guardian_consent",
            )
    else:
        guardian_name, guardian_phone, guardian_consent = "", "", False
    digest = id_number_digest(id_number)
    if Volunteer.objects.filter(id_number_hash=digest).exists():
        raise VolunteerError(
            _("该身份证号码已注册为志愿者。"), code="id_number_taken", field="id_number"
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            volunteer = Volunteer.objects.create(
                user=user,
                number=_next_number(division, timezone.localdate().year),
                real_name=real_name,
                id_number_hash=digest,
                id_number_masked=mask_id_number(id_number),
                birth_date=birth_date,
                phone=phone,
                division=division,
                consent_version=consent_version,
                consented_at=now,
                guardian_name=guardian_name,
                guardian_phone=guardian_phone,
                guardian_consent=guardian_consent,
                **values,
            )
            audit_record(
                actor=user, action="volunteer.registered", target=volunteer, request=request
            )
    except IntegrityError:
        raise VolunteerConflict(_("您已注册为志愿者。"), code="already_registered") from None
    return volunteer
