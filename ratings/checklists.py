"""Inspection checklists (kept as data in `data/checklists.csv`) and the grading rules.

One checklist per domain: eldercare follows the areas of GB/T 37276《养老机构等级划分与评定》
(环境, 设施设备, 运营管理, 服务; 1000 points), the others are local checklists. Every rule works
on the percentage of the checklist's maximum, so a checklist may total any number of points.

- An inspection passes at 60 % of the maximum or more.
- Eldercare grades (养老机构等级): 五级 ≥ 90 %, 四级 ≥ 80 %, 三级 ≥ 70 %, 二级 ≥ 60 %,
  一级 ≥ 50 %; below 50 % no grade. Valid three years.
- Other domains: A ≥ 90 %, B ≥ 75 %, C ≥ 60 %, D below. Valid one year.

An eldercare result between 50 % and 60 % is graded 一级 and still fails: the provider keeps the
lowest grade but must rectify, and a follow-up inspection is planned.
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

from providers.domains import Domain

CHECKLISTS_CSV = Path(__file__).resolve().parent / "data" / "checklists.csv"

PASS_PERCENT = Decimal(60)


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    area: str
    text: str
    max_score: Decimal


@dataclass(frozen=True)
class Checklist:
    code: str
    domain: str
    items: tuple[ChecklistItem, ...]

    @property
    def max_total(self) -> Decimal:
        return sum((item.max_score for item in self.items), Decimal(0))

    @property
    def codes(self) -> list[str]:
        return [item.code for item in self.items]

    def item(self, code: str) -> ChecklistItem | None:
        return next((item for item in self.items if item.code == code), None)

    def areas(self) -> list[tuple[str, list[ChecklistItem]]]:
        """The items grouped by area, in the order the file lists them."""
        groups: dict[str, list[ChecklistItem]] = {}
        for item in self.items:
            groups.setdefault(item.area, []).append(item)
        return list(groups.items())


@cache
def _checklists() -> dict[str, Checklist]:
    """Read the file once per process; a malformed file is a loud error at first use."""
    rows: dict[tuple[str, str], list[ChecklistItem]] = {}
    with CHECKLISTS_CSV.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            item = ChecklistItem(
                code=row["code"].strip(),
                area=row["area"].strip(),
                text=row["text"].strip(),
                max_score=Decimal(row["max_score"]),
            )
            rows.setdefault((row["checklist"].strip(), row["domain"].strip()), []).append(item)
    checklists = {}
    for (code, domain), items in rows.items():
        if domain not in Domain.values:
            raise ValueError(f"checklist {code}: unknown domain {domain!r}")
        if len({item.code for item in items}) != len(items):
            raise ValueError(f"checklist {code}: an item code appears twice")
        if code in checklists or any(c.domain == domain for c in checklists.values()):
            raise ValueError(f"checklist {code}: one checklist per domain")
        checklists[code] = Checklist(code=code, domain=domain, items=tuple(items))
    return checklists


def checklist_get(code: str) -> Checklist | None:
    return _checklists().get(code)


def checklist_for_domain(domain: str) -> Checklist | None:
    return next((c for c in _checklists().values() if c.domain == domain), None)


def checklist_domains() -> list[str]:
    """Domains that can be inspected (those with a checklist)."""
    return [c.domain for c in _checklists().values()]


# --- Grading ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class GradeResult:
    value: str  # stable code: "5".."1" for eldercare, "A".."D" otherwise
    label: str  # what the provider and the public see (stored as given)
    valid_until: dt.date


# (lowest percentage, value, label), best first. The last row of a table without a 0 floor
# leaves lower results ungraded.
_ELDERCARE_GRADES = (
    (Decimal(90), "5", "五级"),
    (Decimal(80), "4", "四级"),
    (Decimal(70), "3", "三级"),
    (Decimal(60), "2", "二级"),
    (Decimal(50), "1", "一级"),
)
_LETTER_GRADES = (
    (Decimal(90), "A", "A级"),
    (Decimal(75), "B", "B级"),
    (Decimal(60), "C", "C级"),
    (Decimal(0), "D", "D级"),
)
_VALID_YEARS = {Domain.ELDERCARE: 3}


def percentage(score: Decimal, max_total: Decimal) -> Decimal:
    """Score as a percentage of the maximum, to one decimal (for display only: the rules
    compare exactly)."""
    return (score * 100 / max_total).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def passes(score: Decimal, max_total: Decimal) -> bool:
    return score * 100 >= PASS_PERCENT * max_total


def grade_validity(domain: str, inspected_on: dt.date) -> dt.date:
    """The last day the grade is valid: N years from the inspection, counted inclusively
    (inspected 2026-05-01, one year → valid until 2027-04-30)."""
    years = _VALID_YEARS.get(domain, 1)
    try:
        anniversary = inspected_on.replace(year=inspected_on.year + years)
    except ValueError:  # 29 February
        anniversary = inspected_on.replace(year=inspected_on.year + years, day=28)
    return anniversary - dt.timedelta(days=1)


def grade_for(
    *, domain: str, score: Decimal, max_total: Decimal, inspected_on: dt.date
) -> GradeResult | None:
    """The grade a result earns, or None (eldercare below 50 %)."""
    table = _ELDERCARE_GRADES if domain == Domain.ELDERCARE else _LETTER_GRADES
    for floor, value, label in table:
        if score * 100 >= floor * max_total:
            return GradeResult(value, label, grade_validity(domain, inspected_on))
    return None
