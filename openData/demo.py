"""Demo data of the open-data catalogue: the built-in datasets, a first release of each, and an
organisation's pending application for the conditional dataset."""

from __future__ import annotations

from collections.abc import Callable

from openData.models import AccessApplication, Dataset, Run
from openData.selectors import dataset_field_names
from openData.services import access, releases
from openData.services.catalogue import catalogue_sync
from portal.accounts.models import User
from portal.identifiers import credit_code_check_char

RESEARCHER_CODE_FIRST17 = "12510100MB0000001"  # a public institution (事业单位) in 成都市


def seed(*, scale: int, log: Callable[[str], object], minimal: bool = False) -> None:
    catalogue_sync()
    if minimal:
        return
    for dataset in Dataset.objects.exclude(access=Dataset.Access.CLOSED).order_by("slug"):
        if dataset.releases.exists():
            continue
        run = releases.run_execute(
            Run.objects.create(dataset=dataset, trigger=Run.Trigger.MANUAL).pk
        )
        log(f"  open data: {dataset.slug} {run.get_status_display()}")
    _pending_application()


def _pending_application() -> None:
    """陈静 applies, for her organisation's research partner, to use the complaint cases."""
    applicant = User.objects.filter(phone="+8613900000002").first()
    dataset = Dataset.objects.filter(slug="complaint-cases").first()
    if applicant is None or dataset is None or AccessApplication.objects.exists():
        return
    access.application_submit(
        dataset=dataset,
        applicant=applicant,
        organisation_name="成都市社会服务研究中心",
        credit_code=RESEARCHER_CODE_FIRST17 + credit_code_check_char(RESEARCHER_CODE_FIRST17),
        purpose="研究各区县养老服务投诉的类型与办结时长，提出改进建议。",
        fields=["month", "district", "domain", "category", "outcome", "days_to_close"],
        duration_days=90,
        security_measures="专人管理、加密存储、仅在内网分析，期满删除。",
        agreement_accepted=True,
        field_names=dataset_field_names(dataset),
    )
