"""Demo needs: 王芳 asks for lunch near home and home care for her father, 李娜 for a cleaner
for her mother; a few generated residents' needs across 武侯区 and a remote district with no
provider, so the officials' gap page has something to show. Then one match run. Once only:
it stops when 王芳 has a need.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from matching.models import Need
from portal.accounts.models import User


def _next_weekday(days_ahead: int = 2) -> dt.date:
    day = timezone.localdate() + dt.timedelta(days=days_ahead)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    return day


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    from matching.services.engine import run_execute, run_request
    from matching.services.needs import need_create

    wang = User.objects.filter(phone="+8613800000001").first()
    if wang is None or Need.objects.filter(resident=wang).exists():
        return
    home = wang.addresses.filter(is_default=True).first()
    if home is None:
        return
    day = _next_weekday()
    need_create(
        resident=wang,
        data={
            "domain": "eldercare",
            "category": "elder_meals",
            "place": "branch",
            "address": home.pk,
            "max_distance_km": 5,
            "windows": [{"date": day.isoformat(), "start": "11:00", "end": "13:00"}],
            "budget_min_fen": 1000,
            "budget_max_fen": 3000,
            "text": "想在家附近的长者食堂吃午饭，清淡一些。",
        },
    )
    father = wang.dependants.filter(removed_at__isnull=True).first()
    need_create(
        resident=wang,
        data={
            "domain": "eldercare",
            "category": "elder_home_nursing",
            "place": "home",
            "address": home.pk,
            "dependant": father.pk if father else None,
            "windows": [{"weekday": 1, "start": "09:00", "end": "12:00"}],
            "budget_min_fen": 5000,
            "budget_max_fen": 12000,
            "languages": ["四川话"],
            "certificates": ["eldercare_worker"],
            "care_level": "moderate",
            "text": "父亲行动不便，需要每周二上午上门照料。",
        },
    )
    made = 2
    if not minimal:
        # A remote county with demand and no provider: flagged on the officials' gap page.
        for i in range(3):
            resident = User.objects.filter(phone=f"+86138001{i:05d}").first()
            if resident is None:
                continue
            need_create(
                resident=resident,
                data={
                    "domain": "eldercare",
                    "place": "area",
                    "division": "510131",
                    "latitude": "30.21",
                    "longitude": "103.52",
                    "windows": [{"date": day.isoformat(), "start": "09:00", "end": "17:00"}],
                    "budget_max_fen": 20000,
                    "text": "村里老人需要助餐和上门照料。",
                },
            )
            made += 1
    run = run_request(domain="eldercare", division="510100")
    run = run_execute(run.pk) if run.status != "succeeded" else run
    log(f"matching: {made} demo needs, run {run.pk} {run.status} {run.counts}")
