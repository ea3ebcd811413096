"""Filing and closing fundraising projects: only qualified charities, by their owner or a
manager; unique filing numbers; the disclosure duties a project brings; bad input."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from portal.audit.models import AuditEntry
from socialorgs.errors import NotAllowed, SocialOrgConflict, SocialOrgError
from socialorgs.models import DisclosureItem, OrgMembership, SocialOrganisation
from socialorgs.services import charity as services
from tests.accounts.factories import UserFactory
from tests.socialorgs.factories_charity import charity, filing_number, owner_of, project

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 10)


@pytest.fixture(autouse=True)
def _today(time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 10, 10, 0, tzinfo=dt.UTC))


def _values(**change):
    return {
        "filing_number": filing_number(),
        "title": "困境儿童助学计划",
        "purpose": "资助困境家庭儿童。",
        "beneficiary_group": "困境儿童",
        "target_yuan": "50000.50",
        "starts_on": dt.date(2026, 3, 1),
        "ends_on": dt.date(2026, 12, 31),
        **change,
    }


def test_a_qualified_charitys_owner_files_a_project():
    org = charity()
    owner = owner_of(org)

    created = services.project_create(organisation=org, actor=owner, **_values())

    assert created.target_fen == 5000050
    assert created.status == "open"
    assert (created.entry_count, created.head_hash) == (0, "0" * 64)
    assert AuditEntry.objects.filter(
        action="socialorgs.charity_project_created", actor=owner
    ).exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"is_charity": False, "public_fundraising": False}, "not_a_charity"),
        ({"public_fundraising": False}, "no_fundraising_qualification"),
        (
            {"status": SocialOrganisation.Status.REVOKED, "status_changed_on": dt.date(2025, 1, 1)},
            "organisation_inactive",
        ),
    ],
)
def test_only_a_normal_charity_with_the_qualification_files(change, code):
    org = charity(**change)

    with pytest.raises(NotAllowed) as refused:
        services.project_create(organisation=org, actor=owner_of(org), **_values())

    assert refused.value.code == code
    assert not org.fundraising_projects.exists()


def test_a_plain_member_or_an_outsider_cannot_file():
    org = charity()
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")

    for actor in (member, UserFactory(), owner_of(charity(name="别家基金会"))):
        with pytest.raises(NotAllowed):
            services.project_create(organisation=org, actor=actor, **_values())


def test_a_filing_number_is_used_once_across_the_platform():
    number = filing_number()
    project(charity(), filing_number=number)
    other = charity(name="别家基金会")

    with pytest.raises(SocialOrgConflict) as refused:
        project(other, filing_number=number.lower())

    assert refused.value.field == "filing_number"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"filing_number": ""}, "filing_number"),
        ({"filing_number": "备案-123456"}, "filing_number"),
        ({"filing_number": "AB1"}, "filing_number"),
        ({"title": " "}, "title"),
        ({"purpose": ""}, "purpose"),
        ({"beneficiary_group": "人" * 101}, "beneficiary_group"),
        ({"target_yuan": "0"}, "target_yuan"),
        ({"target_yuan": "abc"}, "target_yuan"),
        ({"starts_on": "2026-02-30"}, "starts_on"),
        ({"ends_on": dt.date(2026, 2, 1)}, "ends_on"),
        ({"starts_on": dt.date(2025, 1, 1), "ends_on": dt.date(2026, 3, 9)}, "ends_on"),
        ({"ends_on": dt.date(2032, 1, 1)}, "ends_on"),
    ],
)
def test_bad_project_input_is_refused_on_its_field(change, field):
    org = charity()

    with pytest.raises(SocialOrgError) as refused:
        services.project_create(organisation=org, actor=owner_of(org), **_values(**change))

    assert refused.value.field == field
    assert not org.fundraising_projects.exists()


def test_a_project_owes_progress_every_three_months_and_a_final_report():
    created = project(charity(), starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 12, 31))

    items = list(
        DisclosureItem.objects.filter(project=created).values_list("period", "due_on", "kind")
    )

    assert items == [
        ("第1期", dt.date(2026, 6, 1), "progress"),
        ("第2期", dt.date(2026, 9, 1), "progress"),
        ("第3期", dt.date(2026, 12, 1), "progress"),
        ("结项", dt.date(2027, 3, 31), "progress"),
    ]


def test_a_short_project_owes_only_its_final_report():
    created = project(charity(), starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2026, 5, 31))

    assert list(created.disclosures.values_list("period", flat=True)) == ["结项"]


def test_closing_early_brings_the_final_report_forward_and_drops_later_ones():
    created = project(charity(), starts_on=dt.date(2026, 3, 1), ends_on=dt.date(2027, 2, 28))

    services.project_close(project=created, actor=owner_of(created.organisation))

    created.refresh_from_db()
    assert (created.status, created.closed_on) == ("closed", TODAY)
    assert list(created.disclosures.values_list("period", "due_on")) == [
        ("第1期", dt.date(2026, 6, 1)),
        ("结项", dt.date(2026, 6, 10)),
    ]
    with pytest.raises(SocialOrgConflict):
        services.project_close(project=created, actor=owner_of(created.organisation))


def test_only_the_organisations_managers_close_a_project():
    created = project(charity())

    with pytest.raises(NotAllowed):
        services.project_close(project=created, actor=UserFactory())
    created.refresh_from_db()
    assert created.status == "open"
    assert timezone.localdate() == TODAY
