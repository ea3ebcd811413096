"""Demo social organisations: the registry of the demo city, social work and a charity.

- 武侯区阳光社会工作服务中心 (民非, 4A, 2025 年报 合格, a 警告 in 2025), run by 吴磊 with three
  social workers and two projects near 浆洗街: 长者关爱 (政府购买服务 from 赵敏's catalogue)
  and 儿童成长陪伴 (foundation funded). 王芳 had a completed, reviewed request.
- 成都锦城公益慈善基金会 (基金会, 慈善组织 with 公开募捐资格, 5A), run by 郑洁, with the
  fundraising project 困境儿童助学计划: donations (one anonymous, one online by 王芳) and
  disbursements on its hash chain, and its disclosure duties.
- Twenty more organisations across the city's districts, kinds and domains; one revoked, one
  on the 活动异常名录 with a fine, one on the 严重违法失信名单; two exposed illegal organisations
  and an open complaint against an organisation in 武侯区.

Everything goes through the services (registration, reports, evaluation, penalties, lists,
catalogue, projects, requests, the charity ledger); only the past (a completed request, a 2025
evaluation date) is dated by the services' own inputs. Once only: it stops when 阳光 exists.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

from django.utils import timezone

from portal.accounts.demo import ensure_user
from portal.accounts.models import Division, User
from portal.identifiers import credit_code_check_char
from ratings.dimensions import SOCIAL_WORK as SOCIAL_WORK_DIMENSIONS
from ratings.dimensions import dimension_codes
from socialorgs.models import ServiceRequest, SocialOrganisation

SOCIAL_WORK = "武侯区阳光社会工作服务中心"
FOUNDATION = "成都锦城公益慈善基金会"
KIND_DIGIT = {"association": "1", "social_service": "2", "foundation": "3"}

# name, kind, domain, district, legal representative
OTHERS = [
    ("成都市养老服务行业协会", "association", "industry", "510100", "孔德明"),
    ("锦江区春熙社区服务中心", "social_service", "community", "510104", "陶志华"),
    ("青羊区少城书画院", "social_service", "culture", "510105", "邹文博"),
    ("金牛区助残服务中心", "social_service", "disability", "510106", "骆永刚"),
    ("武侯区浆洗街长者互助会", "association", "eldercare", "510107", "葛玉兰"),
    ("武侯区心语心理服务中心", "social_service", "health", "510107", "车晓燕"),
    ("成华区童心托育服务中心", "social_service", "children", "510108", "祝红梅"),
    ("龙泉驿区乡村振兴促进会", "association", "other", "510112", "鲁建军"),
    ("成都市科普作家协会", "association", "science", "510100", "柏青松"),
    ("新都区桂湖社会工作服务中心", "social_service", "social_work", "510114", "苗新华"),
    ("温江区鱼凫体育俱乐部", "social_service", "sports", "510115", "滕飞"),
    ("双流区空港社区基金会", "foundation", "charity", "510116", "殷志强"),
    ("郫都区蜀绣文化促进会", "association", "culture", "510117", "冉秀英"),
    ("都江堰市灌区环保志愿者协会", "association", "community", "510181", "晏平"),
    ("成都市教育发展基金会", "foundation", "education", "510100", "童光明"),
    ("锦江区和美家庭服务中心", "social_service", "social_work", "510104", "乐静"),
    ("青羊区银杏长者照护中心", "social_service", "eldercare", "510105", "司徒慧"),
    ("金牛区西华社区发展协会", "association", "community", "510106", "阎德胜"),
]
REVOKED = "武侯区浆洗街长者互助会"
ABNORMAL = "龙泉驿区乡村振兴促进会"
SERIOUS = "温江区鱼凫体育俱乐部"


def _user(phone: str) -> User | None:
    return User.objects.filter(phone=f"+86{phone}").first()


def _code(kind: str, district: str, serial: int) -> str:
    first17 = f"5{KIND_DIGIT[kind]}{district}MJ{serial:07d}"
    return first17 + credit_code_check_char(first17)


def _official_for(district: str, zhao: User, zhou: User) -> User:
    return zhao if district == "510107" else zhou


def _register(official, *, name, kind, domain, district, legal_rep, serial, **extra):
    from socialorgs.services import registry

    division = Division.objects.get(code=district)
    data = {
        "name": name,
        "kind": kind,
        "credit_code": _code(kind, district, serial),
        "domain": domain,
        "division": district,
        "authority": f"{division.name}民政局",
        "legal_rep_name": legal_rep,
        "founded_on": dt.date(2012 + serial % 10, 1 + serial % 12, 10),
        "address": f"{division.name}{name[:2]}路{serial}号",
        "latitude": str(division.latitude + Decimal(serial % 7) / 1000),
        "longitude": str(division.longitude - Decimal(serial % 5) / 1000),
        "business_scope": extra.pop("business_scope", f"{name}章程规定的业务活动。"),
        **extra,
    }
    return registry.org_register(official=official, data=data)


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    if SocialOrganisation.objects.filter(name=SOCIAL_WORK).exists():
        return
    wang, zhao, zhou = _user("13800000001"), _user("13700000001"), _user("13700000003")
    if None in (wang, zhao, zhou):
        log("socialorgs: demo personas missing, nothing added")
        return
    wu = ensure_user("13900000004", "吴磊", User.Role.PROVIDER_STAFF)
    zheng = ensure_user("13900000005", "郑洁", User.Role.PROVIDER_STAFF)
    today = timezone.localdate()

    sunshine, foundation = _registry(zhao, zhou, wu, zheng, today)
    if not minimal:
        _city(zhao, zhou, today)
    _social_work(sunshine, zhao, wu, wang, today)
    _charity(foundation, zheng, wang, today)
    log(
        "socialorgs: "
        f"{SocialOrganisation.objects.count()} organisations, a social-work centre with "
        "2 projects, a foundation with a traced fundraising project"
    )


def _registry(zhao, zhou, wu, zheng, today):
    from socialorgs.services import credit, evaluation, registry, reports

    sunshine = _register(
        zhao,
        name=SOCIAL_WORK,
        kind="social_service",
        domain="social_work",
        district="510107",
        legal_rep="吴建平",
        serial=1,
        business_scope="为老年人、儿童和困难家庭提供个案、小组和社区社会工作服务。",
        latitude="30.643800",
        longitude="104.041900",
        address="武侯区浆洗街街道洗面桥横街21号",
    )
    registry.org_owner_bind(organisation=sunshine, official=zhao, phone="13900000004")
    foundation = _register(
        zhou,
        name=FOUNDATION,
        kind="foundation",
        domain="charity",
        district="510104",
        legal_rep="郑国华",
        serial=2,
        business_scope="资助困境儿童、孤寡老人和社区公益项目。",
    )
    registry.org_owner_bind(organisation=foundation, official=zhou, phone="13900000005")
    foundation = registry.org_charity_set(
        organisation=foundation,
        official=zhou,
        is_charity=True,
        charity_recognised_on=dt.date(2018, 5, 1),
        public_fundraising=True,
        fundraising_qualified_on=dt.date(2020, 9, 1),
    )
    last_year = today.year - 1
    for org, actor, income in ((sunshine, wu, 1_860_000), (foundation, zheng, 5_320_000)):
        report = reports.annual_report_save(
            organisation=org,
            actor=actor,
            year=last_year,
            submit=True,
            data={
                "activities": "开展社区服务项目，年度服务对象逾千人次。",
                "income": str(income),
                "expenditure": str(income * 9 // 10),
                "net_assets": str(income // 3),
                "staff_count": "12",
                "volunteer_count": "60",
            },
        )
        reports.annual_report_review(
            report=report, official=zhou, result="qualified", comment="材料齐全，运作规范。"
        )
    evaluation.evaluation_record(
        organisation=sunshine,
        official=zhao,
        data={
            "basic_conditions": "92",
            "governance": "350",
            "performance": "300",
            "social_evaluation": "120",
            "awarded_on": str(today - dt.timedelta(days=400)),
        },
    )
    evaluation.evaluation_record(
        organisation=foundation,
        official=zhou,
        data={
            "basic_conditions": "96",
            "governance": "380",
            "performance": "330",
            "social_evaluation": "140",
            "awarded_on": str(today - dt.timedelta(days=200)),
        },
    )
    credit.penalty_record(
        actor=zhao,
        organisation=sunshine,
        decision_number=f"武民罚〔{last_year}〕3号",
        kind="warning",
        facts="未按规定办理负责人变更备案。",
        basis="《民办非企业单位登记管理暂行条例》第二十五条",
        decided_on=str(dt.date(last_year, 6, 18)),
        decided_by="成都市武侯区民政局",
    )
    credit.licence_record(
        actor=zhao,
        organisation=sunshine,
        name="民办非企业单位登记证书",
        number="武民证字第2014001号",
        issued_by="成都市武侯区民政局",
        issued_on=str(dt.date(2014, 3, 10)),
    )
    return sunshine, foundation


def _city(zhao, zhou, today):
    from socialorgs.services import credit, registry

    orgs = {}
    for serial, (name, kind, domain, district, legal_rep) in enumerate(OTHERS, start=10):
        official = _official_for(district, zhao, zhou)
        orgs[name] = _register(
            official,
            name=name,
            kind=kind,
            domain=domain,
            district=district,
            legal_rep=legal_rep,
            serial=serial,
        )
    revoked = orgs[REVOKED]
    registry.org_status_change(
        organisation=revoked,
        official=zhao,
        status="revoked",
        changed_on=str(today - dt.timedelta(days=90)),
        reason="连续两年未参加年检，依法撤销登记。",
    )
    abnormal = orgs[ABNORMAL]
    credit.penalty_record(
        actor=zhou,
        organisation=abnormal,
        decision_number=f"成民罚〔{today.year}〕12号",
        kind="fine",
        facts="超出章程规定的宗旨和业务范围开展活动。",
        basis="《社会团体登记管理条例》第三十条",
        decided_on=str(today - dt.timedelta(days=60)),
        decided_by="成都市民政局",
        amount_yuan="5000",
    )
    credit.list_add(
        actor=zhou,
        organisation=abnormal,
        list="abnormal",
        reason="未按规定报送年度工作报告。",
        basis="《社会组织信用信息管理办法》第十条",
        starts_on=str(today - dt.timedelta(days=45)),
    )
    credit.list_add(
        actor=zhou,
        organisation=orgs[SERIOUS],
        list="serious",
        reason="被限期停止活动后继续开展活动。",
        basis="《社会组织信用信息管理办法》第十五条",
        starts_on=str(today - dt.timedelta(days=30)),
    )
    credit.illegal_org_expose(
        actor=zhou,
        name="中华国学复兴总会",
        description="未经登记，以社会团体名义收取会费、颁发证书。",
        division="510100",
        basis="《社会团体登记管理条例》第三十二条",
        exposed_on=str(today - dt.timedelta(days=20)),
    )
    credit.illegal_org_expose(
        actor=zhao,
        name="全球华人养老产业联合会",
        description="未经登记，以“养老项目投资”为名向老年人募集资金。",
        division="510107",
        basis="《社会组织登记管理条例》；民政部等《关于铲除非法社会组织滋生土壤净化社会组织生态空间的通知》",
        exposed_on=str(today - dt.timedelta(days=5)),
    )


def _social_work(sunshine, zhao, wu, wang, today):
    from socialorgs.services.socialwork import (
        catalogue,
        matching,
        projects,
        requests,
        reviews,
        workers,
    )

    item = catalogue.catalogue_item_create(
        official=zhao,
        data={
            "code": "MZ-2026-01",
            "name": "困境老人关爱社会工作服务",
            "category": "养老服务",
            "description": "为独居、空巢、失能等困境老人提供探访、个案辅导和资源链接。",
            "target_group": "elderly",
            "division": "510107",
            "year": str(today.year),
        },
    )
    catalogue.catalogue_item_publish(item=item, official=zhao)
    for name, level, number in (
        ("吴磊", "senior", "GJ2015510001"),
        ("何晓雯", "social_worker", "ZJ2018510123"),
        ("唐小龙", "assistant", "CJ2021510456"),
    ):
        workers.social_worker_add(
            organisation=sunshine,
            actor=wu,
            data={
                "name": name,
                "level": level,
                "certificate_number": number,
                "certified_on": "2021-06-20",
            },
        )
    start = today.replace(month=1, day=1)
    elder = projects.project_create(
        organisation=sunshine,
        actor=wu,
        data={
            "title": "浆洗街长者关爱社工服务",
            "description": "上门探访独居老人，开展个案辅导、防诈骗小组和社区互助活动。",
            "target_group": "elderly",
            "division": "510107",
            "address": "武侯区浆洗街街道洗面桥横街21号",
            "latitude": "30.643800",
            "longitude": "104.041900",
            "service_radius_km": "5",
            "starts_on": str(start),
            "ends_on": str(start.replace(year=start.year + 1) - dt.timedelta(days=1)),
            "funding": "government",
            "catalogue_item": str(item.pk),
            "capacity": "20",
        },
    )
    projects.project_publish(project=elder, actor=wu)
    children = projects.project_create(
        organisation=sunshine,
        actor=wu,
        data={
            "title": "四点半课堂儿童成长陪伴",
            "description": "放学后为双职工和困难家庭的儿童提供课业辅导和成长小组。",
            "target_group": "children",
            "division": "510107",
            "address": "武侯区玉林街道玉林北路3号",
            "latitude": "30.632100",
            "longitude": "104.058900",
            "service_radius_km": "3",
            "starts_on": str(start),
            "ends_on": str(start.replace(year=start.year + 1) - dt.timedelta(days=1)),
            "funding": "foundation",
            "capacity": "15",
        },
    )
    projects.project_publish(project=children, actor=wu)
    # 王芳 asked for her father last month; the centre served and she reviewed it.
    served = requests.service_request_create(
        resident=wang,
        data={
            "target_group": "elderly",
            "division": "510107",
            "address": "武侯区浆洗街街道洗面桥街8号",
            "latitude": "30.645100",
            "longitude": "104.043700",
            "description": "父亲独居，腿脚不便，希望社工定期上门探访、陪他聊天。",
        },
    )
    # The demo loads in one transaction, so the after-commit match run comes too late: run it.
    matching.service_requests_match(request_id=served.pk)
    served.refresh_from_db()
    if served.status == ServiceRequest.Status.PROPOSED:
        served = requests.service_request_accept(service_request=served, resident=wang)
        served = requests.service_request_complete(
            service_request=served, actor=wu, note="已完成三次探访。"
        )
        reviews.project_review_create(
            service_request=served,
            resident=wang,
            overall=5,
            dimensions=dict.fromkeys(dimension_codes(SOCIAL_WORK_DIMENSIONS), 5),
            text="社工每周上门，父亲很开心，也学会了识别诈骗电话。",
        )


def _charity(foundation, zheng, wang, today):
    from socialorgs.services import charity
    from socialorgs.services.charity import ledger

    start = today - dt.timedelta(days=60)
    project = charity.project_create(
        organisation=foundation,
        actor=zheng,
        # As 慈善中国 numbers them: the charity's credit code, the year, a serial.
        filing_number=f"{foundation.credit_code}{today:%y}001",
        title="困境儿童助学计划",
        purpose="资助锦江区、武侯区困境家庭儿童的学费、书本和营养餐。",
        beneficiary_group="困境儿童",
        target_yuan="200000",
        starts_on=str(start),
        ends_on=str(start + dt.timedelta(days=365)),
    )
    gifts = [
        ("四川蜀光电子有限公司", "organisation", False, "20000.00", 55),
        ("刘明", "person", False, "500.00", 40),
        ("陈雪", "person", True, "1000.00", 30),
        ("张国庆", "person", False, "200.00", 20),
    ]
    for index, (name, party, anonymous, amount, days_ago) in enumerate(gifts):
        ledger.donation_record(
            project=project,
            actor=zheng,
            donor_name=name,
            party_kind=party,
            anonymous=anonymous,
            amount_yuan=amount,
            occurred_on=str(today - dt.timedelta(days=days_ago)),
            request_key=f"demo-donation-{index}",
        )
    # 王芳 gives online: a pledge, on the chain once 郑洁 confirms the money arrived.
    pledge = charity.pledge_create(
        project=project, user=wang, amount_yuan="100.00", request_key="demo-wang"
    )
    charity.pledge_confirm(pledge=pledge, actor=zheng)
    for index, (name, amount, purpose, days_ago) in enumerate(
        [("李小雨", "3000.00", "2026 年秋季学期学费", 15), ("赵晨", "2500.00", "书本和营养餐", 10)]
    ):
        ledger.disbursement_record(
            project=project,
            actor=zheng,
            beneficiary_name=name,
            party_kind="person",
            amount_yuan=amount,
            purpose=purpose,
            occurred_on=str(today - dt.timedelta(days=days_ago)),
            request_key=f"demo-disbursement-{index}",
        )
