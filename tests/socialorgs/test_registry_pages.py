"""The registry's officials' home (their jurisdiction with reports waiting and overdue), the
organisation accounts' pages (my organisations, members), binding the owner on the page, and
the search-index rebuild command."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from socialorgs.models import OrgMembership, SocialOrganisation
from socialorgs.selectors.registry import org_search
from tests.accounts.factories import OfficialFactory, UserFactory
from tests.socialorgs.factories import socialorg
from tests.socialorgs.factories_registry import civil_affairs_official, indexed_org, report

pytestmark = pytest.mark.django_db
LAST_YEAR = timezone.localdate().year - 1


def test_the_official_home_lists_the_jurisdiction_with_waiting_and_overdue_reports(client):
    waiting = socialorg(name="武侯区等待审核中心")
    report(waiting, LAST_YEAR, status="submitted")
    late = socialorg(name="武侯区逾期中心")
    report(late, LAST_YEAR, overdue_at=timezone.now())
    socialorg(name="锦江区不相干协会", division_id="510104")
    client.force_login(civil_affairs_official())

    response = client.get(reverse("socialorgs:official-home"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "武侯区等待审核中心" in body
    assert "武侯区逾期中心" in body
    assert "锦江区不相干协会" not in body
    counts = response.context["counts"]
    assert (counts["organisations"], counts["pending_reports"], counts["overdue_reports"]) == (
        2,
        1,
        1,
    )
    rows = {
        o.name: (o.pending_reports, o.overdue_reports) for o in response.context["organisations"]
    }
    assert rows == {"武侯区等待审核中心": (1, 0), "武侯区逾期中心": (0, 1)}


def test_an_official_of_another_department_reads_but_does_not_act(client):
    org = socialorg()
    client.force_login(OfficialFactory(department="health"))
    body = client.get(reverse("socialorgs:official-org", args=[org.credit_code])).content.decode()
    assert "您仅可查看" in body
    assert reverse("socialorgs:official-status", args=[org.credit_code]) not in body
    assert (
        client.get(reverse("socialorgs:official-status", args=[org.credit_code])).status_code == 403
    )


def test_residents_and_admins_do_not_reach_the_officials_pages(client):
    client.force_login(UserFactory())
    assert client.get(reverse("socialorgs:official-home")).status_code == 403
    client.logout()
    response = client.get(reverse("socialorgs:official-home"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_owner_is_bound_on_the_page(client):
    org = socialorg()
    org.memberships.all().delete()
    person = UserFactory(phone="+8613900004321")
    client.force_login(civil_affairs_official())
    url = reverse("socialorgs:official-owner", args=[org.credit_code])
    response = client.post(url, {"phone": "139000"})
    assert response.status_code == 400
    assert "手机号码" in response.content.decode()
    assert client.post(url, {"phone": "13900004321"}).status_code == 302
    assert org.memberships.get().user == person


def test_my_organisations_and_adding_a_member(client):
    owner = UserFactory()
    mine = socialorg(owner, name="我负责的中心")
    socialorg(name="别人的中心")
    client.force_login(owner)
    body = client.get(reverse("socialorgs:mine")).content.decode()
    assert "我负责的中心" in body
    assert "别人的中心" not in body
    assert "负责人" in body

    page = reverse("socialorgs:mine-org", args=[mine.credit_code])
    body = client.get(page).content.decode()
    assert f"{LAST_YEAR}" in body  # the year to file
    newcomer = UserFactory(phone="+8613900002468")
    assert client.post(page, {"phone": "13900002468", "role": "manager"}).status_code == 302
    assert mine.memberships.get(user=newcomer).role == OrgMembership.Role.MANAGER


def test_a_member_reads_the_organisation_but_adds_no_one(client):
    org = socialorg()
    member = UserFactory()
    OrgMembership.objects.create(organisation=org, user=member, role="member")
    client.force_login(member)
    page = reverse("socialorgs:mine-org", args=[org.credit_code])
    body = client.get(page).content.decode()
    assert 'name="phone"' not in body
    assert client.post(page, {"phone": "13900002468"}).status_code == 403
    form = reverse("socialorgs:mine-report", args=[org.credit_code, LAST_YEAR])
    assert 'name="action"' not in client.get(form).content.decode()
    assert client.post(form, {"activities": "x", "action": "save"}).status_code == 403


def test_the_rebuild_command_writes_missing_vectors():
    org = indexed_org(name="高新区彩虹青少年服务中心", founded_on=dt.date(2020, 1, 1))
    SocialOrganisation.objects.filter(pk=org.pk).update(search_vector=None)
    assert not org_search(text="caihong").exists()
    out = StringIO()
    call_command("socialorg_search_rebuild", stdout=out)
    assert "1 social organisations re-indexed" in out.getvalue()
    assert list(org_search(text="caihong")) == [org]
