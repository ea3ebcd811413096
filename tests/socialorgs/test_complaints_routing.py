"""Complaints about social organisations in ratings' case workflow: filed from the
organisation's page, routed by its division (the district's officials and the city's see and
handle it, another district's do not), with ratings' deadlines; the organisation's owner and
managers answer inside the case; an upheld complaint costs the organisation credit, once."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from portal.notifications.models import Notification
from ratings.models import Complaint, ComplaintMessage, CreditEvent
from ratings.services import complaints as ratings_complaints
from ratings.signals import complaint_upheld
from ratings.workdays import deadline_after
from socialorgs.models import OrgCreditEvent
from socialorgs.services import complaints as services
from tests.socialorgs.factories_credit import (
    JINJIANG,
    civil_official,
    health_official,
    org_with_staff,
)

pytestmark = pytest.mark.django_db
TZ = ZoneInfo("Asia/Shanghai")
FRIDAY = dt.datetime(2026, 1, 9, 10, 0, tzinfo=TZ)
S = Complaint.Status


@pytest.fixture
def clock():
    with time_machine.travel(FRIDAY, tick=False) as traveller:
        yield traveller


@pytest.fixture
def staffed(clock):
    return org_with_staff(name="武侯区阳光社会工作服务中心")


@pytest.fixture
def org(staffed):
    return staffed[0]


@pytest.fixture
def jinjiang_civil(db):
    return civil_official(JINJIANG)


@pytest.fixture
def wuhou_health(db):
    return health_official()


@pytest.fixture
def complaint(org, wang_fang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return services.org_complaint_file(
            resident=wang_fang,
            organisation=org,
            category="fees",
            description="以培训名义收取会员费 800 元，未开具票据。",
            desired_outcome="退还费用",
        )


def take(complaint, official, *actions, **inputs):
    for action in actions:
        complaint = ratings_complaints.complaint_transition(
            complaint=complaint, action=action, actor=official, **inputs
        )
    return complaint


def get(client, user, name, **kwargs):
    client.force_login(user)
    return client.get(reverse(name, kwargs=kwargs))


# --- Filing -----------------------------------------------------------------------------------


def test_a_resident_files_from_the_organisations_page(client, wang_fang, org):
    client.force_login(wang_fang)
    url = reverse("socialorgs:complain", kwargs={"credit_code": org.credit_code})
    form = client.get(url)
    assert form.status_code == 200
    assert org.name in form.content.decode()

    response = client.post(
        url,
        {
            "category": "service_quality",
            "description": "承接的社区养老项目长期无人值守。",
            "desired_outcome": "责令整改",
        },
    )

    complaint = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("ratings:my-complaint", kwargs={"pk": complaint.pk})
    assert complaint.subject_kind == Complaint.SubjectKind.SOCIAL_ORG
    assert complaint.subject_ref == org.credit_code
    assert complaint.subject_name == org.name
    assert complaint.provider_id is None
    assert complaint.division_id == org.division_id
    assert complaint.status == S.RECEIVED
    # ratings' deadline: 2 working days from filing (Friday → Tuesday).
    assert complaint.stage_due_at == deadline_after(FRIDAY, ratings_complaints.ACCEPT_DAYS)
    # The resident follows it with her other complaints.
    mine = client.get(reverse("ratings:my-complaints")).content.decode()
    assert complaint.reference in mine
    assert org.name in mine


def test_filing_needs_a_description_and_a_category(client, wang_fang, org):
    client.force_login(wang_fang)
    url = reverse("socialorgs:complain", kwargs={"credit_code": org.credit_code})

    response = client.post(url, {"category": "nonsense", "description": ""})

    assert response.status_code == 400
    assert set(response.context["form"].errors) == {"category", "description"}
    assert not Complaint.objects.exists()


def test_ratings_filing_rules_apply(wang_fang, org):
    with pytest.raises(ratings_complaints.RatingsError) as error:
        services.org_complaint_file(
            resident=wang_fang, organisation=org, category="fees", description="长" * 2001
        )
    assert error.value.field == "description"
    assert not Complaint.objects.exists()


def test_only_residents_file(client, org, staffed, official_wuhou):
    url = reverse("socialorgs:complain", kwargs={"credit_code": org.credit_code})
    client.force_login(official_wuhou)
    assert client.get(url).status_code == 403
    client.logout()
    assert client.get(url).status_code == 302  # to the login page
    with pytest.raises(ratings_complaints.RatingsForbidden):
        services.org_complaint_file(
            resident=official_wuhou, organisation=org, category="fees", description="x"
        )


def test_an_unknown_organisation_is_404(client, wang_fang):
    client.force_login(wang_fang)
    url = reverse("socialorgs:complain", kwargs={"credit_code": "52510107MJ0000000X"})
    assert client.get(url).status_code == 404


def test_the_covering_officials_and_the_organisations_managers_are_told(
    official_wuhou, official_city, jinjiang_civil, staffed, complaint
):
    _org, owner, manager, member = staffed
    told = set(
        Notification.objects.filter(kind="complaint.received").values_list(
            "recipient_id", flat=True
        )
    )
    assert {official_wuhou.pk, official_city.pk, owner.pk, manager.pk} <= told
    assert jinjiang_civil.pk not in told
    assert member.pk not in told  # members read the list; owner and managers answer
    link = Notification.objects.get(recipient=owner, kind="complaint.received").link
    assert link == reverse("socialorgs:org-complaint", kwargs={"pk": complaint.pk})


# --- Routing by jurisdiction ----------------------------------------------------------------


def test_the_district_official_sees_and_handles_it(client, complaint, official_wuhou):
    board = get(client, official_wuhou, "ratings:complaint-board").content.decode()
    assert complaint.reference in board
    assert complaint.subject_name in board

    detail = get(client, official_wuhou, "ratings:complaint-official", pk=complaint.pk)
    assert detail.status_code == 200
    assert complaint.subject_name in detail.content.decode()
    response = client.post(
        reverse("ratings:complaint-official", kwargs={"pk": complaint.pk}), {"action": "accept"}
    )
    assert response.status_code == 302
    complaint.refresh_from_db()
    assert complaint.status == S.ACCEPTED
    assert complaint.handler == official_wuhou


def test_a_city_official_covering_the_district_sees_and_handles_it(
    client, complaint, official_city
):
    board = get(client, official_city, "ratings:complaint-board").content.decode()
    assert complaint.reference in board
    take(complaint, official_city, "accept")
    complaint.refresh_from_db()
    assert complaint.status == S.ACCEPTED


def test_another_districts_official_neither_sees_nor_handles_it(
    client, api_client, complaint, jinjiang_civil
):
    board = get(client, jinjiang_civil, "ratings:complaint-board").content.decode()
    assert complaint.reference not in board
    assert (
        get(client, jinjiang_civil, "ratings:complaint-official", pk=complaint.pk).status_code
        == 404
    )

    api_client.force_authenticate(jinjiang_civil)
    url = reverse("complaint-transition", kwargs={"pk": complaint.pk})
    assert api_client.post(url, {"action": "accept"}, format="json").status_code == 404
    with pytest.raises(ratings_complaints.RatingsForbidden):
        take(complaint, jinjiang_civil, "accept")
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_another_departments_official_of_the_district_neither_sees_nor_handles_it(
    client, api_client, wuhou_health, complaint
):
    """Social organisations are 民政's: a 卫健 official of the same district is not told of the
    case, does not find it on the board, and can neither open nor decide it."""
    assert not Notification.objects.filter(recipient=wuhou_health).exists()
    board = get(client, wuhou_health, "ratings:complaint-board").content.decode()
    assert complaint.reference not in board
    detail = get(client, wuhou_health, "ratings:complaint-official", pk=complaint.pk)
    assert detail.status_code == 404
    api_client.force_authenticate(wuhou_health)
    url = reverse("complaint-transition", kwargs={"pk": complaint.pk})
    assert api_client.post(url, {"action": "accept"}, format="json").status_code == 404
    with pytest.raises(ratings_complaints.RatingsForbidden):
        take(complaint, wuhou_health, "accept")
    complaint.refresh_from_db()
    assert complaint.status == S.RECEIVED


def test_an_overdue_complaint_escalates_to_the_city(clock, complaint, official_city):
    clock.move_to(dt.datetime(2026, 1, 14, 10, 0, tzinfo=TZ))

    assert ratings_complaints.complaints_escalate() == 1
    notice = Notification.objects.get(recipient=official_city, kind="complaint.overdue")
    assert complaint.subject_name in notice.body
    assert ratings_complaints.complaints_escalate() == 0


# --- The organisation answers -----------------------------------------------------------------


def test_the_owner_reads_and_answers_the_complainant_masked(client, complaint, staffed, wang_fang):
    _org, owner, _manager, _member = staffed
    listing = get(client, owner, "socialorgs:org-complaints")
    assert complaint.reference in listing.content.decode()

    detail = get(client, owner, "socialorgs:org-complaint", pk=complaint.pk)
    body = detail.content.decode()
    assert detail.status_code == 200
    assert wang_fang.phone not in body
    assert wang_fang.name not in body

    response = client.post(
        reverse("socialorgs:org-complaint", kwargs={"pk": complaint.pk}),
        {"text": "已联系投诉人，费用将于三日内退还。"},
    )
    assert response.status_code == 302
    message = ComplaintMessage.objects.get()
    assert message.author == owner
    assert ratings_complaints.speaker_of(complaint, message) == "provider"


def test_a_member_reads_but_does_not_answer(client, complaint, staffed):
    _org, _owner, manager, member = staffed
    assert get(client, member, "socialorgs:org-complaint", pk=complaint.pk).status_code == 200

    response = client.post(
        reverse("socialorgs:org-complaint", kwargs={"pk": complaint.pk}), {"text": "我来答复"}
    )

    assert response.status_code == 403
    assert not ComplaintMessage.objects.exists()
    assert not ratings_complaints.may_write_message(member, complaint)
    assert ratings_complaints.may_write_message(manager, complaint)


def test_another_organisations_staff_does_not_see_it(client, complaint):
    other_owner = org_with_staff()[1]
    assert get(client, other_owner, "socialorgs:org-complaint", pk=complaint.pk).status_code == 404
    listing = get(client, other_owner, "socialorgs:org-complaints").content.decode()
    assert complaint.reference not in listing


# --- Credit -----------------------------------------------------------------------------------


def test_an_upheld_complaint_costs_the_organisation_credit_once(
    complaint, org, official_wuhou, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        take(complaint, official_wuhou, "accept", "investigate")
        complaint = take(complaint, official_wuhou, "resolve", outcome="经查属实", upheld=True)

    event = OrgCreditEvent.objects.get(organisation=org)
    assert (event.kind, event.points) == ("complaint_upheld", -10)
    assert event.source == f"complaint:{complaint.pk}"
    org.refresh_from_db()
    assert (org.credit_score, org.credit_grade) == (90, "B")

    complaint_upheld.send(sender=Complaint, complaint=complaint)  # delivered twice
    assert OrgCreditEvent.objects.filter(organisation=org).count() == 1
    # Ratings' own receiver leaves complaints about other subjects alone.
    assert not CreditEvent.objects.exists()


def test_a_complaint_found_unfounded_costs_nothing(
    complaint, org, official_wuhou, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        take(complaint, official_wuhou, "accept", "investigate")
        take(complaint, official_wuhou, "reject", outcome="经查不属实")
    assert not OrgCreditEvent.objects.exists()


def test_the_database_refuses_a_social_org_complaint_without_its_reference(complaint, org):
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Complaint.objects.filter(pk=complaint.pk).update(subject_ref="")
    complaint.refresh_from_db()
    assert complaint.subject_ref == org.credit_code
