"""Activities and sign-ups: publishing, capacity-safe acceptance, waitlist, cancel."""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.audit.services import audit_record
from portal.notifications.services import notify
from volunteers.errors import VolunteerConflict, VolunteerError
from volunteers.models import (
    Activity,
    ActivityDomain,
    HourRecord,
    Organisation,
    Position,
    Signup,
    Skill,
    Volunteer,
)
from volunteers.search import activity_search_vector
from volunteers.services.common import (
    MAX_NEEDED,
    MAX_POSITIONS,
    division_of,
    known_choices,
    locked_signup,
    require_manager,
    require_not_own,
    required_text,
)


def _coordinate(value, low: str, high: str, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError, TypeError):
        raise VolunteerError(_("坐标应为数字。"), code="invalid_coordinate", field=field) from None
    if not (Decimal(low) <= number <= Decimal(high)):
        raise VolunteerError(
            _("坐标不在中国境内，请检查纬度和经度（GCJ-02）。"),
            code="coordinate_out_of_range",
            field=field,
        )
    return number


def _positions(items) -> list[dict]:
    if not items:
        raise VolunteerError(_("请至少设置一个岗位。"), code="required", field="positions")
    if len(items) > MAX_POSITIONS:
        raise VolunteerError(
            _("最多设置 %(n)s 个岗位。") % {"n": MAX_POSITIONS}, code="invalid", field="positions"
        )
    positions = []
    for item in items:
        name = required_text(item.get("name"), "positions", 50)
        needed = item.get("needed")
        if not isinstance(needed, int) or isinstance(needed, bool) or not 1 <= needed <= MAX_NEEDED:
            raise VolunteerError(
                _("招募人数应为 1 到 %(n)s 之间的整数。") % {"n": MAX_NEEDED},
                code="invalid",
                field="positions",
            )
        skills = known_choices(item.get("skills"), Skill.values, "positions")
        positions.append({"name": name, "needed": needed, "skills": skills})
    return positions


def activity_publish(*, organisation: Organisation, actor: User, data: dict) -> Activity:
    """A manager of an approved organisation publishes an activity with its positions."""
    require_manager(actor, organisation)
    if not organisation.is_public:
        raise VolunteerConflict(_("组织通过审核后才能发布活动。"), code="organisation_not_approved")
    title = required_text(data.get("title"), "title", 100)
    domain = data.get("domain")
    if domain not in ActivityDomain.values:
        raise VolunteerError(_("请选择服务领域。"), code="invalid_choice", field="domain")
    division = division_of(data.get("division"))
    online = bool(data.get("online"))
    address = (data.get("address") or "").strip()
    if not online and not address:
        raise VolunteerError(_("线下活动请填写活动地点。"), code="required", field="address")
    latitude = _coordinate(data.get("latitude"), "3.8", "53.6", "latitude")
    longitude = _coordinate(data.get("longitude"), "73.4", "135.1", "longitude")
    if (latitude is None) != (longitude is None):
        raise VolunteerError(
            _("请同时填写纬度和经度。"),
            code="required",
            field="longitude" if latitude else "latitude",
        )
    starts_at, ends_at = data.get("starts_at"), data.get("ends_at")
    if starts_at is None:
        raise VolunteerError(_("此项为必填项。"), code="required", field="starts_at")
    if ends_at is None:
        raise VolunteerError(_("此项为必填项。"), code="required", field="ends_at")
    if ends_at <= starts_at:
        raise VolunteerError(_("结束时间必须晚于开始时间。"), code="invalid", field="ends_at")
    if ends_at - starts_at > dt.timedelta(days=7):
        raise VolunteerError(
            _("单次活动不能超过 7 天，请分多次发布。"), code="invalid", field="ends_at"
        )
    if starts_at <= timezone.now():
        raise VolunteerError(_("开始时间必须在将来。"), code="invalid", field="starts_at")
    min_age = data.get("min_age") or 0
    if not isinstance(min_age, int) or not 0 <= min_age <= 80:
        raise VolunteerError(
            _("最低年龄应为 0 到 80 之间的整数。"), code="invalid", field="min_age"
        )
    positions = _positions(data.get("positions"))
    activity = Activity(
        organisation=organisation,
        title=title,
        description=(data.get("description") or "").strip(),
        domain=domain,
        division=division,
        online=online,
        address=address,
        latitude=latitude,
        longitude=longitude,
        starts_at=starts_at,
        ends_at=ends_at,
        min_age=min_age,
        # The secret seed of the rotating check-in code (services.hours), never shown.
        checkin_code=secrets.token_hex(4),
        created_by=actor,
    )
    # Written with the row (an expression PostgreSQL evaluates), so a later save keeps it.
    activity.search_vector = _search_vector(activity, [p["name"] for p in positions])
    with transaction.atomic():
        activity.save(force_insert=True)
        Position.objects.bulk_create(Position(activity=activity, **p) for p in positions)
        audit_record(actor=actor, action="volunteer_activity.published", target=activity)
    return activity


def _search_vector(activity: Activity, position_names: list[str]):
    """The activity's search vector (volunteers.search) from its current texts."""
    return activity_search_vector(
        title=activity.title,
        organisation_name=activity.organisation.name,
        description=activity.description,
        address=activity.address,
        domain=activity.domain,
        position_names=position_names,
    )


def activities_reindex(*, queryset=None) -> int:
    """Recompute the search vectors of activities written outside activity_publish (the
    admin, demo data), after an organisation is renamed, or of every activity after the
    segmentation rules changed (`manage.py activity_search_rebuild`). Idempotent."""
    queryset = Activity.objects.all() if queryset is None else queryset
    done = 0
    with transaction.atomic():
        activities = queryset.select_related("organisation").prefetch_related("positions")
        for activity in activities.order_by("pk").iterator(chunk_size=500):
            vector = _search_vector(activity, [p.name for p in activity.positions.all()])
            Activity.objects.filter(pk=activity.pk).update(search_vector=vector)
            done += 1
    return done


# --- Sign-ups -----------------------------------------------------------------------------------


def _take_place(position_id: int) -> bool:
    """Take one place of a position if one is free: a conditional UPDATE, so concurrent
    acceptances never exceed `needed`."""
    return (
        Position.objects.filter(pk=position_id, accepted__lt=F("needed")).update(
            accepted=F("accepted") + 1
        )
        == 1
    )


def _release_place(position_id: int) -> None:
    Position.objects.filter(pk=position_id, accepted__gt=0).update(accepted=F("accepted") - 1)


def signup_create(*, activity: Activity, user: User, position_id, note: str = "") -> Signup:
    """A volunteer applies for a position; when it is already full they join its waitlist."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        raise VolunteerError(
            _("请先完成志愿者实名注册。"), code="not_a_volunteer", field="position"
        )
    position = None
    if isinstance(position_id, int) and not isinstance(position_id, bool):
        position = Position.objects.filter(pk=position_id, activity=activity).first()
    if position is None:
        raise VolunteerError(_("请选择该活动的一个岗位。"), code="invalid", field="position")
    if activity.status != Activity.Status.PUBLISHED or activity.starts_at <= timezone.now():
        raise VolunteerConflict(_("该活动已开始或已取消，不能报名。"), code="closed")
    if volunteer.age_on(timezone.localtime(activity.starts_at).date()) < activity.min_age:
        raise VolunteerError(
            _("该活动要求年满 %(n)s 周岁。") % {"n": activity.min_age},
            code="too_young",
            field="position",
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise VolunteerError(_("最多 200 个字。"), code="max_length", field="note")
    full = position.accepted >= position.needed
    now = timezone.now()
    try:
        with transaction.atomic():
            # Read the activity again under a lock that a cancellation (FOR UPDATE) waits for
            # and waits on: no sign-up slips in beside a cancellation.
            status = (
                Activity.objects.select_for_update(no_key=True)
                .filter(pk=activity.pk)
                .values_list("status", flat=True)
                .first()
            )
            if status != Activity.Status.PUBLISHED:
                raise VolunteerConflict(_("该活动已开始或已取消，不能报名。"), code="closed")
            signup = Signup.objects.create(
                activity=activity,
                position=position,
                volunteer=volunteer,
                note=note,
                status=Signup.Status.WAITLISTED if full else Signup.Status.APPLIED,
                waitlisted_at=now if full else None,
                created_at=now,
            )
            audit_record(actor=user, action="volunteer_signup.created", target=signup)
    except IntegrityError:
        raise VolunteerConflict(_("您已报名该活动。"), code="already_signed_up") from None
    return signup


def signup_decide(*, signup: Signup, actor: User, accept: bool) -> Signup:
    """The organiser accepts (录用) or rejects an application. Acceptance takes a place with a
    conditional UPDATE; when none is left the application goes to the waitlist instead.
    Never one's own application."""
    require_manager(actor, signup.activity.organisation)
    require_not_own(actor, signup.volunteer)
    with transaction.atomic():
        signup = locked_signup(signup)
        if signup.status not in (Signup.Status.APPLIED, Signup.Status.WAITLISTED):
            raise VolunteerConflict(
                _("该报名当前状态为“%(s)s”，不能再处理。") % {"s": signup.get_status_display()},
                code="invalid_transition",
            )
        now = timezone.now()
        fields = ["status", "decided_at"]
        if not accept:
            signup.status = Signup.Status.REJECTED
        elif _take_place(signup.position_id):
            signup.status = Signup.Status.ACCEPTED
        else:
            if signup.status != Signup.Status.WAITLISTED:
                signup.waitlisted_at = now
                fields.append("waitlisted_at")
            signup.status = Signup.Status.WAITLISTED
        signup.decided_at = now
        signup.save(update_fields=fields)
        audit_record(
            actor=actor,
            action="volunteer_signup.decided",
            target=signup,
            detail={"status": signup.status},
        )
        _notify_volunteer(signup)
    return signup


def _notify_volunteer(signup: Signup) -> None:
    notify(
        recipients=[signup.volunteer.user],
        kind="volunteer_signup",
        title=_("志愿活动“%(title)s”报名状态：%(status)s")
        % {"title": signup.activity.title, "status": signup.get_status_display()},
        dedupe_key=f"volsignup:{signup.pk}:{signup.status}",
    )


def _promote_from_waitlist(position_id: int) -> Signup | None:
    """Give a freed place to the earliest waitlisted sign-up of the position, if any."""
    waiting = (
        Signup.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("activity", "volunteer__user")
        .filter(position_id=position_id, status=Signup.Status.WAITLISTED)
        .order_by("waitlisted_at", "id")
        .first()
    )
    if waiting is None or not _take_place(position_id):
        return None
    waiting.status = Signup.Status.ACCEPTED
    waiting.decided_at = timezone.now()
    waiting.save(update_fields=["status", "decided_at"])
    _notify_volunteer(waiting)
    return waiting


def signup_cancel(*, signup: Signup, actor: User) -> Signup:
    """The volunteer (or the organiser) cancels before the activity ends and before any
    attendance; an accepted place passes to the first on the waitlist."""
    is_own = signup.volunteer.user_id == actor.pk
    if not is_own:
        require_manager(actor, signup.activity.organisation)
    with transaction.atomic():
        signup = locked_signup(signup)
        if signup.status not in Signup.ACTIVE:
            raise VolunteerConflict(_("该报名已结束，不能取消。"), code="invalid_transition")
        if HourRecord.objects.filter(signup=signup).exists():
            raise VolunteerConflict(_("已签到的报名不能取消。"), code="attended")
        if signup.activity.ends_at <= timezone.now():
            raise VolunteerConflict(_("活动已结束，不能取消报名。"), code="closed")
        release_signup(signup)
        audit_record(actor=actor, action="volunteer_signup.cancelled", target=signup)
    return signup


def activity_cancel(*, activity: Activity, actor: User, reason: str) -> Activity:
    """A manager cancels an activity that has not started: every open sign-up is cancelled
    (its place released), and each volunteer who had applied is told why."""
    require_manager(actor, activity.organisation)
    reason = required_text(reason, "reason", 200)
    with transaction.atomic():
        activity = Activity.objects.select_for_update(of=("self",)).get(pk=activity.pk)
        if activity.status == Activity.Status.CANCELLED:
            raise VolunteerConflict(_("该活动已取消。"), code="already_cancelled")
        if activity.starts_at <= timezone.now():
            raise VolunteerConflict(_("活动已开始，不能取消。"), code="already_started")
        activity.status = Activity.Status.CANCELLED
        activity.save(update_fields=["status"])
        signups = list(
            Signup.objects.select_for_update(of=("self",))
            .select_related("volunteer__user")
            .filter(activity=activity, status__in=Signup.ACTIVE)
        )
        now = timezone.now()
        Signup.objects.filter(pk__in=[s.pk for s in signups]).update(
            status=Signup.Status.CANCELLED, decided_at=now
        )
        activity.positions.update(accepted=0)
        audit_record(
            actor=actor,
            action="volunteer_activity.cancelled",
            target=activity,
            detail={"reason": reason, "signups": len(signups)},
        )
        if signups:
            notify(
                recipients=[s.volunteer.user for s in signups],
                kind="volunteer_signup",
                title=_("志愿活动“%(title)s”已取消：%(reason)s")
                % {"title": activity.title, "reason": reason},
                dedupe_key=f"volactivity:{activity.pk}:cancelled",
            )
    return activity


def release_signup(signup: Signup) -> None:
    """Cancel an open sign-up (inside the caller's transaction, the row locked or about to
    be erased); an accepted place passes to the first on the waitlist."""
    was_accepted = signup.status == Signup.Status.ACCEPTED
    signup.status = Signup.Status.CANCELLED
    signup.decided_at = timezone.now()
    signup.save(update_fields=["status", "decided_at"])
    if was_accepted:
        _release_place(signup.position_id)
        _promote_from_waitlist(signup.position_id)
