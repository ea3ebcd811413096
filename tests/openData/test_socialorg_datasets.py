"""The socialorgs datasets (社会组织登记信息, 评估等级, 慈善募捐项目善款收支): built by
socialorgs.selectors.opendata, published through the release machinery and its gate, no
person in any file, small flow cells suppressed, and each project's chain head anchored."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io

import pytest
from django.utils import timezone
from frictionless import validate as frictionless_validate

from openData import datasets
from openData.models import Run
from openData.services import releases
from socialorgs.models import (
    AnnualReport,
    ChainEntry,
    Evaluation,
    FundraisingProject,
    IllegalOrganisation,
    OrgListEntry,
    SocialOrganisation,
)
from socialorgs.selectors import opendata as socialorg_selectors
from tests.accounts.factories import OfficialFactory
from tests.openData.conftest import publish
from tests.socialorgs.factories import SocialOrganisationFactory

pytestmark = pytest.mark.django_db

LEGAL_REP = "欧阳法人"
DONOR = "诸葛捐赠"
BENEFICIARY = "司马受益"
DONATIONS = 6  # in one month: at least K, published with their sum
DISBURSEMENTS = 2  # fewer than K: count and sum left empty


def _entry(project, seq, kind, fen, day, **names):
    digest = hashlib.sha256(f"{project.pk}:{seq}".encode()).hexdigest()
    return ChainEntry.objects.create(
        project=project,
        seq=seq,
        kind=kind,
        amount_fen=fen,
        occurred_on=day,
        public_name="匿名爱心人士" if kind == ChainEntry.Kind.DONATION else "司*",
        private_digest=digest,
        prev_hash="0" * 64,
        entry_hash=hashlib.sha256(f"h{project.pk}:{seq}".encode()).hexdigest(),
        **names,
    )


@pytest.fixture
def city(db):
    official = OfficialFactory()
    today = timezone.localdate()
    charity = SocialOrganisationFactory(
        name="锦江区慈善基金会",
        kind=SocialOrganisation.Kind.FOUNDATION,
        domain="charity",
        legal_rep_name=LEGAL_REP,
        is_charity=True,
        charity_recognised_on=dt.date(2019, 1, 1),
        public_fundraising=True,
        fundraising_qualified_on=dt.date(2020, 1, 1),
    )
    revoked = SocialOrganisationFactory(
        name="某某老年协会",
        kind=SocialOrganisation.Kind.ASSOCIATION,
        status=SocialOrganisation.Status.REVOKED,
        status_changed_on=dt.date(2025, 6, 1),
        legal_rep_name="司马会长",
    )
    Evaluation.objects.create(
        organisation=charity,
        basic_conditions=90,
        governance=350,
        performance=300,
        social_evaluation=120,
        total=860,
        grade=4,
        awarded_on=today - dt.timedelta(days=30),
        valid_until=today.replace(year=today.year + 5) - dt.timedelta(days=30),
        evaluated_by=official,
    )
    Evaluation.objects.create(
        organisation=revoked,
        basic_conditions=70,
        governance=250,
        performance=200,
        social_evaluation=80,
        total=600,
        grade=2,
        awarded_on=dt.date(2015, 3, 1),
        valid_until=dt.date(2020, 3, 1),
        evaluated_by=official,
    )
    now = timezone.now()
    AnnualReport.objects.create(
        organisation=charity,
        year=today.year - 1,
        status=AnnualReport.Status.REVIEWED,
        submitted_at=now,
        first_submitted_at=now,
        result=AnnualReport.Result.QUALIFIED,
        reviewed_at=now,
        reviewed_by=official,
    )
    OrgListEntry.objects.create(
        organisation=revoked,
        list=OrgListEntry.List.ABNORMAL,
        reason="未按规定报送年度工作报告",
        basis="《社会组织信用信息管理办法》第十二条",
        starts_on=dt.date(2025, 1, 10),
    )
    IllegalOrganisation.objects.create(
        name="中华传统文化促进总会（非法）",
        description="未经登记以社会组织名义开展活动",
        division_id="510107",
        basis="《社会团体登记管理条例》第三十五条",
        exposed_on=today,
    )
    project = FundraisingProject.objects.create(
        organisation=charity,
        filing_number="53510100MJ0000001A-2026-001",
        title="困境儿童助学",
        purpose="资助困境儿童完成学业",
        beneficiary_group="困境儿童",
        target_fen=10_000_000,
        starts_on=today - dt.timedelta(days=60),
        ends_on=today + dt.timedelta(days=300),
    )
    day = today.replace(day=1)
    seq = 0
    for _ in range(DONATIONS):
        seq += 1
        _entry(project, seq, ChainEntry.Kind.DONATION, 10_000, day, donor_name=DONOR)
    for _ in range(DISBURSEMENTS):
        seq += 1
        _entry(
            project,
            seq,
            ChainEntry.Kind.DISBURSEMENT,
            5_000,
            day,
            beneficiary_name=BENEFICIARY,
            purpose="学费",
        )
    return {"charity": charity, "revoked": revoked, "project": project, "month": f"{day:%Y-%m}"}


def _csv(release, name: str) -> list[dict]:
    text = (releases.release_path(release) / name).read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text)))


def _assert_nobody_in(release):
    for file in release.files.exclude(name__endswith=".xlsx"):
        text = (releases.release_path(release) / file.name).read_text(encoding="utf-8")
        for name in (LEGAL_REP, "司马会长", DONOR, BENEFICIARY):
            assert name not in text, (file.name, name)


@pytest.mark.parametrize(
    ("slug", "builder"),
    [
        ("socialorg-registry", "socialorg_registry"),
        ("socialorg-grades", "socialorg_grades"),
        ("charity-flows", "charity_flows"),
    ],
)
def test_the_datasets_are_in_the_catalogue(catalogue, slug, builder):
    dataset = catalogue[slug]

    assert dataset.builder == builder
    assert dataset.publisher == "civil_affairs"
    assert dataset.access == "open"
    assert dataset.next_release_at is not None


def test_the_registry_release_has_public_fields_and_no_person(catalogue, city):
    run = publish(catalogue["socialorg-registry"])

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    rows = {r["credit_code"]: r for r in _csv(run.release, "socialorgs.csv")}
    charity = rows[city["charity"].credit_code]
    assert charity["name"] == "锦江区慈善基金会"
    assert (charity["kind"], charity["status"], charity["standing"]) == (
        "foundation",
        "normal",
        "normal",
    )
    assert (charity["is_charity"], charity["public_fundraising"]) == ("true", "true")
    assert charity["evaluation_grade"] == "4"
    assert charity["last_report_result"] == "qualified"
    revoked = rows[city["revoked"].credit_code]
    # Its only grade expired in 2020: no current grade.
    assert (revoked["status"], revoked["evaluation_grade"]) == ("revoked", "")
    lists = _csv(run.release, "socialorg_lists.csv")
    assert [(r["credit_code"], r["list"]) for r in lists] == [
        (city["revoked"].credit_code, "abnormal")
    ]
    assert [r["name"] for r in _csv(run.release, "illegal_socialorgs.csv")] == [
        "中华传统文化促进总会（非法）"
    ]
    assert "legal_rep" not in (releases.release_path(run.release) / "socialorgs.csv").read_text(
        encoding="utf-8"
    )
    _assert_nobody_in(run.release)


def test_the_grades_release_tells_current_from_expired(catalogue, city):
    run = publish(catalogue["socialorg-grades"])

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    states = {
        (r["credit_code"], r["grade"]): r["state"]
        for r in _csv(run.release, "socialorg_grades.csv")
    }
    assert states == {
        (city["charity"].credit_code, "4A"): "current",
        (city["revoked"].credit_code, "2A"): "expired",
    }


def test_the_flows_release_suppresses_small_cells_and_anchors_the_chain(catalogue, city):
    run = publish(catalogue["charity-flows"])

    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    project = city["project"]
    [row] = _csv(run.release, "charity_projects.csv")
    head = ChainEntry.objects.filter(project=project).order_by("-seq").first()
    assert row["filing_number"] == project.filing_number
    assert row["chain_head"] == head.entry_hash
    assert row["entries_count"] == str(DONATIONS + DISBURSEMENTS)
    assert float(row["donated_yuan"]) == DONATIONS * 100
    assert float(row["disbursed_yuan"]) == DISBURSEMENTS * 50
    flows = {(r["month"], r["kind"]): r for r in _csv(run.release, "charity_flows.csv")}
    donations = flows[(city["month"], "donation")]
    assert (donations["entries"], float(donations["amount_yuan"])) == (
        str(DONATIONS),
        DONATIONS * 100.0,
    )
    disbursements = flows[(city["month"], "disbursement")]
    assert (disbursements["entries"], disbursements["amount_yuan"]) == ("", "")
    _assert_nobody_in(run.release)

    path = releases.release_path(run.release) / "datapackage.json"
    report = frictionless_validate(str(path))
    assert report.valid, report.flatten(["type", "note"])


def test_the_gate_knows_the_people_socialorgs_hold(city):
    names = datasets.person_names()

    assert {LEGAL_REP, "司马会长", DONOR, BENEFICIARY} <= names


def test_a_company_giving_is_not_a_person_to_the_gate(city):
    """A company's name may be published (the registry holds organisations): the gate must
    not take it for a person's and refuse every release naming it."""
    project = city["project"]
    _entry(
        project,
        DONATIONS + DISBURSEMENTS + 1,
        ChainEntry.Kind.DONATION,
        100_000,
        timezone.localdate(),
        donor_name="锦江区慈善基金会",
        party_kind=ChainEntry.Party.ORGANISATION,
    )

    assert "锦江区慈善基金会" not in datasets.person_names()


def test_the_gate_refuses_a_registry_release_naming_a_legal_representative(
    catalogue, city, monkeypatch
):
    """The gate can fail here: a row carrying a legal representative's name is refused."""
    rows = [{"credit_code": city["charity"].credit_code, "name": LEGAL_REP}]
    monkeypatch.setattr(socialorg_selectors, "open_registry_rows", lambda: rows)

    run = publish(catalogue["socialorg-registry"])

    assert run.status == Run.Status.REFUSED
    assert "person_name" in {f["kind"] for f in run.gate_report["findings"]}
    assert not run.dataset.releases.exists()


def test_openData_reads_socialorgs_through_selectors_only():
    import ast
    from pathlib import Path

    source = Path(datasets.__file__).read_text(encoding="utf-8")
    modules = {
        node.module
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert {m for m in modules if m.startswith("socialorgs")} == {"socialorgs.selectors"}
