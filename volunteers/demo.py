"""Demo volunteering: three approved organisations run by the demo accounts (幸福里's volunteer
team, the 浆洗街 community team in 武侯区 and 小橡树's parents' team in 锦江区), ten activities
across domains, 王芳 registered as a volunteer with confirmed eldercare hours (banked in the
time bank) and one record waiting for confirmation, an upcoming 助老 activity with open places,
and two time-bank services (陪伴聊天, 助洁).

Written through the services (registration, organisation review, publishing, sign-ups, hour
confirmation, time-bank services); only activities already over are written directly, as the
services refuse to publish or sign up for the past. Once only: it stops when 幸福里's team
exists. Small enough for --minimal, which the browser tests use.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.conf import settings
from django.db.backends.postgresql.psycopg_any import DateTimeTZRange
from django.db.models import F
from django.utils import timezone

from portal.accounts.models import User
from portal.identifiers import resident_id_check_char
from providers.models import Provider
from volunteers.models import Activity, HourRecord, Organisation, Position, Signup, Volunteer

TEAM = "幸福里志愿服务队"
COMMUNITY = "浆洗街社区志愿服务队"
PARENTS = "小橡树亲子志愿队"

# (organisation, title, domain, days from today, start hour, hours, address or "" for online,
#  [(position, needed, skills)], description)
PAST = [
    (
        TEAM,
        "重阳敬老：陪长者读报聊天",
        "elderly",
        -40,
        9,
        3,
        "武侯区浆洗街幸福里养老服务中心",
        [("陪伴聊天", 6, ["companionship"])],
        "陪中心的长者读报、聊天、下棋。",
    ),
    (
        TEAM,
        "长者食堂助餐志愿服务",
        "elderly",
        -20,
        11,
        2,
        "武侯区浆洗街幸福里长者食堂",
        [("助餐", 4, ["meals"])],
        "午餐时段帮长者取餐、送餐到桌，照看行动不便的老人。",
    ),
    (
        COMMUNITY,
        "社区环境清洁日",
        "community",
        -10,
        9,
        2,
        "武侯区浆洗街社区洗面桥街",
        [("清洁", 10, ["general"])],
        "清理楼道小广告和公共区域垃圾。",
    ),
    (
        COMMUNITY,
        "教长者用智能手机挂号",
        "elderly",
        -5,
        14,
        2,
        "武侯区浆洗街社区党群服务中心",
        [("手机教学", 4, ["digital"])],
        "一对一教老人用手机预约挂号、视频通话。",
    ),
]
UPCOMING = [
    (
        TEAM,
        "周末陪伴独居老人",
        "elderly",
        3,
        9,
        3,
        "武侯区浆洗街幸福里养老服务中心",
        [("陪伴聊天", 4, ["companionship"]), ("助洁", 2, ["cleaning"])],
        "上门陪伴独居老人聊天，帮忙整理房间。请穿舒适的鞋子。",
    ),
    (
        TEAM,
        "助浴助洁上门服务",
        "elderly",
        8,
        14,
        2,
        "武侯区浆洗街洗面桥街 8 号",
        [("助洁", 3, ["cleaning"])],
        "配合护理员为失能老人助浴、打扫。",
    ),
    (
        COMMUNITY,
        "文明实践：垃圾分类宣传",
        "civilisation",
        6,
        9,
        3,
        "武侯区浆洗街社区广场",
        [("宣传讲解", 6, ["general"]), ("摄影", 1, ["photography"])],
        "在社区广场讲解垃圾分类，发放宣传册。",
    ),
    (
        COMMUNITY,
        "陪同视障居民就医",
        "disability",
        10,
        8,
        4,
        "武侯区浆洗街社区党群服务中心",
        [("陪同就医", 2, ["companionship", "driving"])],
        "陪同视障居民到社区卫生服务中心复诊。",
    ),
    (
        PARENTS,
        "亲子阅读志愿者",
        "childcare",
        5,
        10,
        2,
        "锦江区小橡树托育中心",
        [("绘本讲读", 3, ["childcare"])],
        "为 2–3 岁幼儿和家长讲读绘本。",
    ),
    (
        PARENTS,
        "线上育儿知识答疑",
        "education",
        12,
        19,
        1,
        "",
        [("答疑", 2, ["childcare", "medical"])],
        "在线回答家长关于婴幼儿照护的常见问题。",
    ),
]
# 王芳's demo ID number (born 1968, 武侯区): a valid check character, not a real person's.
WANG_ID_FIRST17 = "51010719680315204"


def _at(days: int, hour: int) -> dt.datetime:
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _user(phone: str) -> User | None:
    return User.objects.filter(phone=f"+86{phone}").first()


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    from volunteers import services
    from volunteers.services.timebank import timebank_service_create

    if Organisation.objects.filter(name=TEAM).exists():
        return
    zhang, chen, liu = _user("13900000001"), _user("13900000002"), _user("13900000003")
    wang, zhao, zhou = _user("13800000001"), _user("13700000001"), _user("13700000003")
    xingfuli = Provider.objects.filter(name="幸福里养老服务中心").first()
    oak = Provider.objects.filter(name="小橡树托育中心").first()
    if None in (zhang, chen, liu, wang, zhao, zhou, xingfuli, oak):
        log("volunteers: demo personas missing, nothing added")
        return

    # Organisations, registered by their owners and approved by the 民政 officials.
    team = services.organisation_register(
        owner=zhang,
        name=TEAM,
        kind=Organisation.Kind.PROVIDER,
        credit_code=xingfuli.credit_code,
        division_code="510107",
        contact_phone="13900000001",
        description="幸福里养老服务中心的志愿服务队，长期招募陪伴、助餐、助洁志愿者。",
    )
    services.member_add(organisation=team, actor=zhang, phone="13900000002", role="manager")
    community = services.organisation_register(
        owner=chen,
        name=COMMUNITY,
        kind=Organisation.Kind.COMMUNITY,
        division_code="510107",
        contact_phone="13900000002",
        description="浆洗街社区居委会指导下的社区志愿服务队。",
    )
    parents = services.organisation_register(
        owner=liu,
        name=PARENTS,
        kind=Organisation.Kind.PROVIDER,
        credit_code=oak.credit_code,
        division_code="510104",
        contact_phone="13900000003",
        description="小橡树托育中心的家长和老师组成的志愿队。",
    )
    team, community, parents = (
        services.organisation_decide(organisation=organisation, official=official, action="approve")
        for organisation, official in ((team, zhao), (community, zhao), (parents, zhou))
    )
    organisations = {TEAM: team, COMMUNITY: community, PARENTS: parents}
    managers = {TEAM: zhang, COMMUNITY: chen, PARENTS: liu}

    volunteer = services.volunteer_register(
        user=wang,
        real_name="王芳",
        id_number=WANG_ID_FIRST17 + resident_id_check_char(WANG_ID_FIRST17),
        phone="13800000001",
        division_code="510107",
        consent_version=settings.VOLUNTEER_AGREEMENT_VERSION,
        skills=["companionship", "cleaning", "digital"],
        languages=["普通话", "四川话"],
        available_times=["weekday_morning", "weekend_morning"],
    )

    # Activities already over: 王芳 served at each; the last one waits for confirmation.
    past = []
    for index, (org, title, domain, days, hour, hours, address, positions, text) in enumerate(PAST):
        activity = _past_activity(
            organisations[org], managers[org], title, domain, days, hour, hours, address, text
        )
        past.append(activity.pk)
        for name, needed, skills in positions:
            Position.objects.create(activity=activity, name=name, needed=needed, skills=skills)
        record = _served(activity, volunteer)
        if index < len(PAST) - 1:
            services.hours_confirm(record=record, actor=managers[org])
    # Written directly (publishing refuses past dates), so their search vectors are too.
    services.activities_reindex(queryset=Activity.objects.filter(pk__in=past))

    # Upcoming activities, published through the service; 王芳 applied for the second one.
    published = []
    for org, title, domain, days, hour, hours, address, positions, text in UPCOMING:
        starts = _at(days, hour)
        published.append(
            services.activity_publish(
                organisation=organisations[org],
                actor=managers[org],
                data={
                    "title": title,
                    "description": text,
                    "domain": domain,
                    "division": organisations[org].division_id,
                    "online": not address,
                    "address": address,
                    "starts_at": starts,
                    "ends_at": starts + dt.timedelta(hours=hours),
                    "min_age": 18 if domain == "childcare" else 0,
                    "positions": [{"name": n, "needed": k, "skills": s} for n, k, s in positions],
                },
            )
        )
    bathing = published[1]
    services.signup_create(
        activity=bathing,
        user=wang,
        position_id=bathing.positions.first().pk,
        note="周三下午都有空。",
    )

    # Services residents can spend banked hours on.
    timebank_service_create(
        actor=chen,
        organisation=community,
        title="陪伴聊天（1 小时）",
        skill="companionship",
        description="志愿者上门陪老人聊天、读报、散步。",
        division_code="510107",
        price_minutes=60,
    )
    timebank_service_create(
        actor=zhang,
        organisation=team,
        title="居家助洁（2 小时）",
        skill="cleaning",
        description="打扫卧室、厨房和卫生间，整理衣物。",
        division_code="510107",
        price_minutes=120,
    )
    log(
        f"volunteers: 3 organisations, {len(PAST) + len(UPCOMING)} activities, "
        f"volunteer {volunteer.number}, 2 time-bank services"
    )


def _past_activity(organisation, manager, title, domain, days, hour, hours, address, text):
    starts = _at(days, hour)
    return Activity.objects.create(
        organisation=organisation,
        title=title,
        description=text,
        domain=domain,
        division=organisation.division,
        online=not address,
        address=address,
        starts_at=starts,
        ends_at=starts + dt.timedelta(hours=hours),
        checkin_code="000000",
        created_by=manager,
        created_at=starts - dt.timedelta(days=14),
    )


def _served(activity: Activity, volunteer: Volunteer) -> HourRecord:
    """An accepted sign-up with the whole activity checked in and out (waiting to confirm)."""
    position = activity.positions.first()
    signup = Signup.objects.create(
        activity=activity,
        position=position,
        volunteer=volunteer,
        status=Signup.Status.ACCEPTED,
        created_at=activity.starts_at - dt.timedelta(days=7),
        decided_at=activity.starts_at - dt.timedelta(days=6),
    )
    Position.objects.filter(pk=position.pk).update(accepted=F("accepted") + 1)
    return HourRecord.objects.create(
        signup=signup,
        volunteer=volunteer,
        activity=activity,
        window_start=activity.starts_at,
        window_end=activity.ends_at,
        checked_in_at=activity.starts_at,
        checked_out_at=activity.ends_at,
        period=DateTimeTZRange(activity.starts_at, activity.ends_at, "[)"),
        minutes=int((activity.ends_at - activity.starts_at).total_seconds() // 60),
        status=HourRecord.Status.PENDING,
    )
