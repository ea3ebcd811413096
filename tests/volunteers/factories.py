"""Factories for the volunteers app: real ID numbers, registered volunteers, approved
organisations with a manager, activities at a chosen time."""

from __future__ import annotations

import datetime as dt

import factory
from django.conf import settings
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F
from django.utils import timezone

from portal.identifiers import resident_id_check_char
from tests.accounts.factories import UserFactory
from volunteers.models import Activity, HourRecord, Member, Organisation, Position, Signup
from volunteers.services import activities_reindex, volunteer_register


def id_number(birth: dt.date, serial: int = 123, area: str = "510107") -> str:
    """A valid 公民身份号码 for a birth date (the check character computed)."""
    first17 = f"{area}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def born_years_ago(years: int, *, days: int = 10) -> dt.date:
    """A birth date `years` years (and a few days) before today."""
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


_serial = iter(range(100, 10**6))


def volunteer(user=None, *, age: int = 30, skills=("companionship",), **extra):
    """Register a resident (a new one unless given) as an adult volunteer through the service."""
    user = user or UserFactory()
    values = {
        "real_name": user.name or "测试志愿者",
        "id_number": id_number(born_years_ago(age), next(_serial)),
        "phone": user.phone,
        "division_code": "510107",
        "consent_version": settings.VOLUNTEER_AGREEMENT_VERSION,
        "skills": list(skills),
        "languages": ["普通话", "四川话"],
        "available_times": ["weekend_morning"],
    }
    if age < 18:
        values.update(guardian_name="王建国", guardian_phone="13800001111", guardian_consent=True)
    values.update(extra)
    return volunteer_register(user=user, **values)


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"测试志愿服务队{n}")
    kind = Organisation.Kind.COMMUNITY
    division_id = "510107"
    contact_phone = "+8613800002222"
    status = Organisation.Status.APPROVED


def organisation(manager=None, **kwargs) -> Organisation:
    """An approved organisation with `manager` (a new resident unless given) as its owner."""
    org = OrganisationFactory(**kwargs)
    Member.objects.create(organisation=org, user=manager or UserFactory(), role="owner")
    return org


def activity(
    org: Organisation,
    *,
    starts_in: dt.timedelta = dt.timedelta(days=3),
    hours: float = 3,
    positions=(("陪伴老人", 2, ["companionship"]),),
    **kwargs,
) -> Activity:
    """An activity starting `starts_in` from now (may be negative), written directly (the
    service refuses activities in the past); the secret seed of its check-in code is 246810
    (volunteers.services.checkin_code_at gives the code shown at a moment)."""
    starts = (timezone.now() + starts_in).replace(second=0, microsecond=0)
    values = {
        "organisation": org,
        "title": "重阳节敬老院陪伴",
        "description": "陪老人聊天、读报",
        "domain": "elderly",
        "division_id": org.division_id,
        "address": "武侯区浆洗街街道敬老院",
        "starts_at": starts,
        "ends_at": starts + dt.timedelta(hours=hours),
        "checkin_code": "246810",
    }
    values.update(kwargs)
    act = Activity.objects.create(**values)
    for name, needed, skills in positions:
        Position.objects.create(activity=act, name=name, needed=needed, skills=list(skills))
    activities_reindex(queryset=Activity.objects.filter(pk=act.pk))  # as publishing does
    return act


def hour_record(act: Activity, vol, *, status: str = "pending") -> HourRecord:
    """An accepted sign-up of `vol` with a checked-out record over the whole activity,
    written directly (for activities already over)."""
    position = act.positions.first()
    signup = Signup.objects.create(
        activity=act, position=position, volunteer=vol, status=Signup.Status.ACCEPTED
    )
    Position.objects.filter(pk=position.pk).update(accepted=F("accepted") + 1)
    return HourRecord.objects.create(
        signup=signup,
        volunteer=vol,
        activity=act,
        window_start=act.starts_at,
        window_end=act.ends_at,
        checked_in_at=act.starts_at,
        checked_out_at=act.ends_at,
        period=DateTimeTZRange(act.starts_at, act.ends_at, "[)"),
        minutes=int((act.ends_at - act.starts_at).total_seconds() // 60),
        status=status,
    )


def banked(vol, *, hours: float = 3, org=None, domain: str = "elderly", days_ago: int = 2):
    """A finished activity of `vol` (a new organisation's unless given), confirmed by its
    owner through hours_confirm: eldercare hours land in the volunteer's time-bank account.
    Confirmed periods may not overlap: give each call of one volunteer its own `days_ago`."""
    from volunteers.services import hours_confirm

    org = org or organisation()
    act = activity(org, starts_in=-dt.timedelta(days=days_ago), hours=hours, domain=domain)
    owner = org.members.get(role="owner").user
    return hours_confirm(record=hour_record(act, vol), actor=owner)


def timebank_service(org: Organisation, **kwargs):
    """A time-bank service of `org` (助洁, one hour) written directly."""
    from volunteers.models import TimeBankService

    values = {
        "organisation": org,
        "title": "上门助洁",
        "skill": "cleaning",
        "description": "打扫卫生、整理房间",
        "division_id": org.division_id,
        "price_minutes": 60,
    }
    values.update(kwargs)
    return TimeBankService.objects.create(**values)


def certificate(vol, **kwargs):
    """A certificate of `vol` written directly (one line of two hours unless given)."""
    from volunteers.certificate_codes import certificate_code_new
    from volunteers.models import Certificate

    today = timezone.localdate()
    lines = kwargs.pop("lines", None) or [
        {
            "date": today.isoformat(),
            "activity": "重阳节敬老院陪伴",
            "organisation": "测试志愿服务队",
            "domain": "elderly",
            "minutes": 120,
        }
    ]
    values = {
        "volunteer": vol,
        "code": certificate_code_new(),
        "period_start": today.replace(month=1, day=1),
        "period_end": today,
        "minutes": sum(line["minutes"] for line in lines),
        "activity_count": len(lines),
        "lines": lines,
    }
    values.update(kwargs)
    return Certificate.objects.create(**values)


def dispute(record: HourRecord, **kwargs):
    """An open dispute on `record` claiming the activity's whole time, written directly."""
    from volunteers.models import HourDispute

    values = {
        "record": record,
        "volunteer": record.volunteer,
        "reason": "忘记签退，实际服务到活动结束。",
        "claimed_start": record.window_start,
        "claimed_end": record.window_end,
    }
    values.update(kwargs)
    return HourDispute.objects.create(**values)
