"""The demo city's providers: hand-made organisations for the personas, and a few hundred
generated ones across the four main domains in eight districts of 成都, with branches at
plausible coordinates, licences, staff and certificates. Everything is bulk-created and keyed
by deterministic credit codes, so seeding twice adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

from portal.accounts.demo import ensure_user
from portal.accounts.models import Division, User
from portal.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_char, resident_id_check_char
from portal.privacy import id_number_digest, mask_id_number
from providers.domains import REQUIRED_LICENCE, Domain, LicenceKind
from providers.models import Branch, Certificate, Licence, Membership, Provider, StaffMember


def demo_credit_code(division_code: str, serial: int) -> str:
    """A valid 统一社会信用代码: 52 (民办非企业) + division + 9-character serial + check."""
    body, n = [], serial
    for _ in range(9):
        n, digit = divmod(n, len(CREDIT_CODE_ALPHABET))
        body.append(CREDIT_CODE_ALPHABET[digit])
    first17 = "52" + division_code + "".join(reversed(body))
    return first17 + credit_code_check_char(first17)


def demo_id_number(division_code: str, birth: dt.date, serial: int) -> str:
    first17 = f"{division_code}{birth:%Y%m%d}{serial % 1000:03d}"
    return first17 + resident_id_check_char(first17)


DISTRICTS = ["510107", "510104", "510105", "510106", "510108", "510112", "510116", "510114"]
MAIN_DOMAINS = [Domain.ELDERCARE, Domain.CHILDCARE, Domain.DOMESTIC, Domain.HEALTH]
PER_DISTRICT_AND_DOMAIN = 10

NAME_PARTS = {
    Domain.ELDERCARE: (
        [
            "幸福",
            "康乐",
            "颐和",
            "福寿",
            "安康",
            "夕阳红",
            "长青",
            "乐龄",
            "金秋",
            "和美",
            "仁爱",
            "松鹤",
        ],
        ["养老服务中心", "颐养院", "社区养老服务站", "老年公寓", "居家养老服务中心"],
    ),
    Domain.CHILDCARE: (
        [
            "小橡树",
            "贝贝",
            "彩虹",
            "启明星",
            "小海豚",
            "阳光宝贝",
            "童心",
            "蒲公英",
            "向日葵",
            "小脚丫",
            "爱心树",
        ],
        ["托育中心", "托育园", "婴幼儿照护中心", "育儿园"],
    ),
    Domain.DOMESTIC: (
        ["蓉城", "好帮手", "家和", "巧手", "安心", "宜家", "锦程", "天府", "贴心", "众诚", "优嫂"],
        ["家政服务有限公司", "家庭服务有限公司", "家政服务中心"],
    ),
    Domain.HEALTH: (
        [
            "玉林",
            "浆洗街",
            "望江",
            "跳伞塔",
            "簇桥",
            "红牌楼",
            "双楠",
            "草市街",
            "府南",
            "抚琴",
            "驷马桥",
            "猛追湾",
        ],
        ["社区卫生服务中心", "康复诊所", "护理站", "中医诊所"],
    ),
}
STREETS = [
    "人民南路",
    "一环路南二段",
    "科华北路",
    "红星路",
    "蜀都大道",
    "建设路",
    "双林路",
    "龙舟路",
    "营门口路",
    "光华大道",
    "锦华路",
    "成龙大道",
]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高"
GIVEN = [
    "芳",
    "娜",
    "敏",
    "静",
    "丽",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "娟",
    "涛",
    "明",
    "秀英",
    "桂兰",
    "建华",
    "晓燕",
    "玉梅",
    "志强",
    "海燕",
    "小红",
    "文静",
    "丽华",
]
STAFF_BY_DOMAIN = {
    Domain.ELDERCARE: [
        (StaffMember.Role.CAREGIVER, Certificate.Kind.ELDERCARE_WORKER),
        (StaffMember.Role.NURSE, Certificate.Kind.NURSE),
    ],
    Domain.CHILDCARE: [
        (StaffMember.Role.NURSERY_CARER, Certificate.Kind.NURSERY_CARER),
        (StaffMember.Role.INFANT_CARER, Certificate.Kind.INFANT_CARER),
    ],
    Domain.DOMESTIC: [
        (StaffMember.Role.DOMESTIC_WORKER, Certificate.Kind.DOMESTIC_WORKER),
        (StaffMember.Role.MATERNITY_NURSE, Certificate.Kind.MATERNITY_NURSE),
    ],
    Domain.HEALTH: [
        (StaffMember.Role.PHYSICIAN, Certificate.Kind.PHYSICIAN),
        (StaffMember.Role.NURSE, Certificate.Kind.NURSE),
    ],
}
ISSUER = {
    LicenceKind.ELDERCARE_FILING: "民政局",
    LicenceKind.CHILDCARE_FILING: "卫生健康局",
    LicenceKind.MEDICAL_PRACTICE: "卫生健康局",
    LicenceKind.BUSINESS_LICENCE: "市场监督管理局",
}
# Hand-made organisations the personas work for: name, district, domain, owner, staff.
HAND_MADE = [
    (
        "幸福里养老服务中心",
        "510107",
        Domain.ELDERCARE,
        ("13900000001", "张伟"),
        ("13900000002", "陈静"),
    ),
    ("小橡树托育中心", "510104", Domain.CHILDCARE, ("13900000003", "刘洋"), None),
]
# Waiting in officials' queues (武侯区 民政, 锦江区 卫健).
PENDING = [
    ("510107", Domain.ELDERCARE, ["晚晴养老服务中心", "福瑞颐养院", "和顺社区养老服务站"]),
    ("510104", Domain.CHILDCARE, ["小星星托育中心", "蓝鲸婴幼儿照护中心", "暖阳托育园"]),
]
DEMO_SCAN = "private/licences/demo-licence.pdf"


def _demo_scan() -> str:
    if not default_storage.exists(DEMO_SCAN):
        default_storage.save(DEMO_SCAN, ContentFile(b"%PDF-1.4\n% demo licence scan\n%%EOF\n"))
    return DEMO_SCAN


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def _plan(scale: int) -> list[dict]:
    """Every generated organisation as plain data, in a fixed order (seeded randomness)."""
    plans, used = [], set()
    serial = 1000
    for _copy in range(scale):
        for d_index, district in enumerate(DISTRICTS):
            for domain in MAIN_DOMAINS:
                prefixes, suffixes = NAME_PARTS[domain]
                for i in range(PER_DISTRICT_AND_DOMAIN):
                    serial += 1
                    base = (
                        prefixes[(i * 5 + d_index) % len(prefixes)]
                        + suffixes[(i + d_index) % len(suffixes)]
                    )
                    name = base
                    n = 2
                    while (district, name) in used:
                        name = f"{base}（第{n}分部）"
                        n += 1
                    used.add((district, name))
                    plans.append(
                        {
                            "serial": serial,
                            "district": district,
                            "domain": domain,
                            "name": name,
                        }
                    )
    return plans


def _ensure_hand_made() -> None:
    for serial, (name, district, domain, owner, staff) in enumerate(HAND_MADE, start=1):
        owner_user = ensure_user(*owner, role=User.Role.PROVIDER_STAFF)
        provider, _created = Provider.objects.get_or_create(
            credit_code=demo_credit_code(district, serial),
            defaults={
                "name": name,
                "division_id": district,
                "status": Provider.Status.APPROVED,
                "domains": [domain],
                "approved_domains": [domain],
                "legal_representative": owner[1],
                "contact_phone": "028-8555" + f"{serial:04d}",
                "decided_at": timezone.now(),
                "description": "社区身边的服务机构，欢迎预约。",
            },
        )
        Membership.objects.get_or_create(
            user=owner_user, provider=provider, defaults={"role": Membership.Role.OWNER}
        )
        division = Division.objects.get(code=district)
        if not provider.branches.exists():
            Branch.objects.create(
                provider=provider,
                name="总部",
                division=division,
                address=f"{division.name}人民南路{serial * 11}号",
                latitude=division.latitude,
                longitude=division.longitude,
                opening_hours="周一至周日 08:00–20:00",
                accessibility=["step_free", "lift"],
            )
        if not provider.licences.exists():
            kind = REQUIRED_LICENCE[domain]
            Licence.objects.create(
                provider=provider,
                kind=kind,
                number=f"川HM{serial:06d}",
                issuer=f"成都市{division.name}{ISSUER[kind]}",
                valid_from=dt.date(2023, 1, 1),
                valid_until=dt.date(2029, 12, 31),
                scan=_demo_scan(),
                scan_content_type="application/pdf",
            )
        if staff:
            staff_user = ensure_user(*staff, role=User.Role.PROVIDER_STAFF)
            Membership.objects.get_or_create(
                user=staff_user, provider=provider, defaults={"role": Membership.Role.STAFF}
            )


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    _ensure_hand_made()
    plans = [] if minimal else _plan(scale)
    plans += [
        {
            "serial": 900 + 10 * n + i,
            "district": district,
            "domain": domain,
            "name": name,
            "pending": True,
        }
        for n, (district, domain, names) in enumerate(PENDING)
        for i, name in enumerate(names)
    ]
    for plan in plans:
        plan["credit_code"] = demo_credit_code(plan["district"], plan["serial"])
    existing = set(
        Provider.objects.filter(credit_code__in=[p["credit_code"] for p in plans]).values_list(
            "credit_code", flat=True
        )
    )
    todo = [p for p in plans if p["credit_code"] not in existing]
    centroids = {
        d.code: (d.latitude, d.longitude) for d in Division.objects.filter(code__in=DISTRICTS)
    }
    names = dict(Division.objects.filter(code__in=DISTRICTS).values_list("code", "name"))
    now = timezone.now()
    today = timezone.localdate()
    scan = _demo_scan()

    providers, branches, licences, staff_rows, certs = [], [], [], [], []
    for plan in todo:
        rng = random.Random(plan["serial"])  # noqa: S311 - demo data
        pending = plan.get("pending", False)
        district, domain = plan["district"], plan["domain"]
        provider = Provider(
            name=plan["name"],
            credit_code=plan["credit_code"],
            division_id=district,
            domains=[domain],
            legal_representative=_person_name(rng),
            contact_phone=f"028-8{rng.randint(1000000, 9999999)}",
            description=f"{names[district]}的{Domain(domain).label}服务机构。",
            status=Provider.Status.SUBMITTED if pending else Provider.Status.APPROVED,
            approved_domains=[] if pending else [domain],
            submitted_at=now - dt.timedelta(days=rng.randint(0, 10)),
            decided_at=None if pending else now - dt.timedelta(days=rng.randint(30, 900)),
        )
        providers.append(provider)
        lat, lng = centroids[district]
        branches.append(
            Branch(
                provider=provider,
                name="总部",
                division_id=district,
                address=f"{names[district]}{rng.choice(STREETS)}{rng.randint(1, 300)}号",
                latitude=(lat + Decimal(rng.uniform(-0.02, 0.02))).quantize(Decimal("0.000001")),
                longitude=(lng + Decimal(rng.uniform(-0.025, 0.025))).quantize(Decimal("0.000001")),
                opening_hours="周一至周日 08:00–20:00"
                if domain != Domain.CHILDCARE
                else "周一至周五 07:30–18:00",
                beds=rng.choice([None, 40, 80, 120]) if domain == Domain.ELDERCARE else None,
                places=rng.choice([30, 60, 90]) if domain == Domain.CHILDCARE else None,
                staff_capacity=rng.randint(5, 60),
                accessibility=rng.sample(
                    ["step_free", "lift", "accessible_toilet", "wheelchair"], k=rng.randint(1, 3)
                ),
            )
        )
        kind = REQUIRED_LICENCE[domain]
        # Every 40th licence runs out within the month: the expiry notice has work to do.
        valid_until = (
            today + dt.timedelta(days=20) if plan["serial"] % 40 == 0 else dt.date(2029, 12, 31)
        )
        licences.append(
            Licence(
                provider=provider,
                kind=kind,
                number=f"川{plan['serial']:08d}",
                issuer=f"成都市{names[district]}{ISSUER[kind]}",
                valid_from=dt.date(2023, 1, 1),
                valid_until=valid_until,
                scan=scan,
                scan_content_type="application/pdf",
            )
        )
        for k in range(rng.randint(2, 3)):
            role, cert_kind = STAFF_BY_DOMAIN[domain][k % 2]
            birth = dt.date(1965 + rng.randint(0, 30), rng.randint(1, 12), rng.randint(1, 28))
            id_number = demo_id_number(district, birth, plan["serial"] * 10 + k)
            member = StaffMember(
                provider=provider,
                name=_person_name(rng),
                gender=rng.choice(["female", "female", "male"]),
                role=role,
                id_number_hash=id_number_digest(id_number),
                id_number_masked=mask_id_number(id_number),
                years_of_experience=rng.randint(1, 20),
                languages=["普通话", "四川话"],
                health_certificate_expires=today + dt.timedelta(days=rng.randint(60, 700)),
                background_check="verified",
                background_checked_on=today - dt.timedelta(days=90),
            )
            staff_rows.append(member)
            certs.append(
                Certificate(
                    staff=member,
                    kind=cert_kind,
                    number=f"DEMO{plan['serial']:07d}{k}",
                    issuer="四川省人力资源和社会保障厅",
                    level=rng.choice(["四级", "三级", "二级"]),
                    issued_on=dt.date(2020, 6, 1),
                    expires_on=dt.date(2030, 6, 1),
                )
            )

    Provider.objects.bulk_create(providers, batch_size=2000)
    Branch.objects.bulk_create(branches, batch_size=2000)
    Licence.objects.bulk_create(licences, batch_size=2000)
    StaffMember.objects.bulk_create(staff_rows, batch_size=2000)
    Certificate.objects.bulk_create(certs, batch_size=2000)
    approved = Provider.objects.filter(status=Provider.Status.APPROVED).count()
    log(
        f"providers: {len(providers)} new organisations ({approved} approved in all), "
        f"{len(staff_rows)} staff"
    )
