"""An organiser cancels an activity before it starts: every open sign-up is cancelled, the
places are released, the volunteers are told why; nobody else can, and not after the start."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.notifications.models import Notification
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import activity, organisation, volunteer
from volunteers.errors import NotAllowed, VolunteerConflict, VolunteerError
from volunteers.models import Activity, Signup
from volunteers.services import activity_cancel, signup_create, signup_decide

pytestmark = pytest.mark.django_db


@pytest.fixture
def act(org):
    return activity(org, title="周六助老读报", starts_in=dt.timedelta(days=2))


def _signed_up(act, user, *, accept_by=None) -> Signup:
    volunteer(user)
    signup = signup_create(activity=act, user=user, position_id=act.positions.get().pk)
    if accept_by:
        signup = signup_decide(signup=signup, actor=accept_by, accept=True)
    return signup


def test_cancelling_cancels_every_open_sign_up_and_tells_each_volunteer(
    act, boss, wang_fang, daughter
):
    accepted = _signed_up(act, wang_fang, accept_by=boss)
    applied = _signed_up(act, daughter)

    activity_cancel(activity=act, actor=boss, reason="场地临时维修")

    act.refresh_from_db()
    assert act.status == Activity.Status.CANCELLED
    assert set(Signup.objects.filter(activity=act).values_list("status", flat=True)) == {
        "cancelled"
    }
    assert act.positions.get().accepted == 0
    told = Notification.objects.filter(
        recipient__in=[wang_fang, daughter], title__contains="已取消"
    )
    assert told.count() == 2
    assert all("场地临时维修" in n.title for n in told)
    entry = AuditEntry.objects.get(action="volunteer_activity.cancelled")
    assert entry.detail["signups"] == 2
    assert {accepted.pk, applied.pk} <= set(Signup.objects.values_list("pk", flat=True))


def test_a_cancelled_activity_leaves_the_search_and_takes_no_sign_up(client, act, boss, wang_fang):
    activity_cancel(activity=act, actor=boss, reason="天气原因")

    assert "周六助老读报" not in client.get(reverse("volunteers:home")).content.decode()
    volunteer(wang_fang)
    # Even with the activity as it was read before the cancellation (a page open meanwhile).
    with pytest.raises(VolunteerConflict) as closed:
        signup_create(activity=act, user=wang_fang, position_id=act.positions.get().pk)
    assert closed.value.code == "closed"
    assert not Signup.objects.filter(activity=act).exists()


def test_only_its_managers_cancel_and_the_refusal_comes_before_the_input(act, wang_fang):
    stranger = UserFactory(name="别的组织负责人")
    organisation(stranger, name="别的志愿队")

    for actor in (stranger, wang_fang):
        with pytest.raises(NotAllowed):
            activity_cancel(activity=act, actor=actor, reason="")
    act.refresh_from_db()
    assert act.status == Activity.Status.PUBLISHED


def test_a_reason_is_required_and_a_started_or_cancelled_activity_stays_as_it_is(org, act, boss):
    with pytest.raises(VolunteerError) as missing:
        activity_cancel(activity=act, actor=boss, reason="  ")
    assert missing.value.field == "reason"

    started = activity(org, starts_in=dt.timedelta(minutes=-5))
    with pytest.raises(VolunteerConflict) as running:
        activity_cancel(activity=started, actor=boss, reason="来不及了")
    assert running.value.code == "already_started"

    activity_cancel(activity=act, actor=boss, reason="天气原因")
    with pytest.raises(VolunteerConflict) as again:
        activity_cancel(activity=act, actor=boss, reason="天气原因")
    assert again.value.code == "already_cancelled"
    assert AuditEntry.objects.filter(action="volunteer_activity.cancelled").count() == 1


def test_the_desk_cancels_with_a_reason_and_shows_the_refusal_in_words(client, act, boss):
    url = reverse("volunteers:activity-cancel", args=[act.pk])
    client.force_login(boss)
    desk = reverse("volunteers:activity-manage", args=[act.pk])
    assert url in client.get(desk).content.decode()

    refused = client.post(url, {"reason": ""}, follow=True)
    assert "此项为必填项。" in refused.content.decode()
    act.refresh_from_db()
    assert act.status == Activity.Status.PUBLISHED

    done = client.post(url, {"reason": "场地临时维修"})
    assert done["Location"] == reverse("volunteers:organisation-manage", args=[act.organisation_id])
    act.refresh_from_db()
    assert act.status == Activity.Status.CANCELLED


def test_another_organisations_manager_gets_no_such_activity(client, act):
    stranger = UserFactory(name="别的组织负责人")
    organisation(stranger, name="别的志愿队")
    client.force_login(stranger)

    response = client.post(reverse("volunteers:activity-cancel", args=[act.pk]), {"reason": "x"})

    assert response.status_code in (403, 404)
    act.refresh_from_db()
    assert act.status == Activity.Status.PUBLISHED
