"""Demo providers: two hand-made organisations with staff, plus generated ones for --scale."""

from __future__ import annotations

from collections.abc import Callable

from portal.accounts.demo import ensure_user
from portal.accounts.models import Division, User
from portal.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_char
from providers.models import Membership, Provider


def demo_credit_code(division_code: str, serial: int) -> str:
    """A valid 统一社会信用代码: 52 (民办非企业) + division + 9-character serial + check."""
    body, n = [], serial
    for _ in range(9):
        n, digit = divmod(n, len(CREDIT_CODE_ALPHABET))
        body.append(CREDIT_CODE_ALPHABET[digit])
    first17 = "52" + division_code + "".join(reversed(body))
    return first17 + credit_code_check_char(first17)


# name, district, owner phone/name, extra staff phone/name
HAND_MADE = [
    ("幸福里养老服务中心", "510107", ("13900000001", "张伟"), ("13900000002", "陈静")),
    ("小橡树托育中心", "510104", ("13900000003", "刘洋"), None),
]


def _ensure_provider(name: str, division_code: str, serial: int, owner: User) -> Provider:
    provider, _created = Provider.objects.get_or_create(
        credit_code=demo_credit_code(division_code, serial),
        defaults={"name": name, "division_id": division_code, "status": Provider.Status.APPROVED},
    )
    Membership.objects.get_or_create(
        user=owner, provider=provider, defaults={"role": Membership.Role.OWNER}
    )
    return provider


def seed(*, scale: int, log: Callable[[str], object]) -> None:
    for serial, (name, district, owner, staff) in enumerate(HAND_MADE, start=1):
        owner_user = ensure_user(*owner, role=User.Role.PROVIDER_STAFF)
        provider = _ensure_provider(name, district, serial, owner_user)
        if staff:
            staff_user = ensure_user(*staff, role=User.Role.PROVIDER_STAFF)
            Membership.objects.get_or_create(
                user=staff_user, provider=provider, defaults={"role": Membership.Role.STAFF}
            )

    generated = 0
    if scale > 1:
        districts = list(
            Division.objects.filter(
                level=Division.Level.COUNTY, code__startswith="5101"
            ).values_list("code", flat=True)
        )
        rows = []
        for i in range((scale - 1) * 10):
            district = districts[i % len(districts)]
            rows.append(
                Provider(
                    name=f"示例服务机构{i + 1:06d}",
                    division_id=district,
                    credit_code=demo_credit_code(district, 1000 + i),
                    status=Provider.Status.APPROVED,
                )
            )
        generated = len(Provider.objects.bulk_create(rows, batch_size=2000, ignore_conflicts=True))
    log(f"providers: {len(HAND_MADE)} demo organisations, {generated} generated ones ensured")
