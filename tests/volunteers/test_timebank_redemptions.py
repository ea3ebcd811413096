"""Spending banked hours: services listed by approved organisations' managers, redemptions
for oneself or a family member, fulfilment and cancellation with the hours given back once,
and who may do what."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.utils import timezone

from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.services.factories import DependantFactory
from tests.volunteers.factories import (
    banked,
    born_years_ago,
    organisation,
    timebank_service,
    volunteer,
)
from volunteers.errors import NotAllowed, NotFound, VolunteerConflict, VolunteerError
from volunteers.models import (
    Member,
    Organisation,
    TimeBankAccount,
    TimeBankRedemption,
    TimeBankTransaction,
)
from volunteers.services import (
    redemption_cancel,
    redemption_contact_reveal,
    redemption_create,
    redemption_fulfil,
    timebank_reconcile,
    timebank_service_create,
    timebank_service_update,
    timebank_transfer,
)
from volunteers.services.timebank import account_total

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(wang_fang):
    vol = volunteer(wang_fang)
    banked(vol, hours=3)
    return vol


def tomorrow() -> dt.date:
    return timezone.localdate() + dt.timedelta(days=1)


def balance(vol, dependant=None) -> int:
    kind = "family" if dependant else "personal"
    return TimeBankAccount.objects.get(
        kind=kind, volunteer=vol, dependant=dependant
    ).balance_minutes


def received(org) -> int:
    return account_total(TimeBankAccount.objects.get(kind="service_received", organisation=org))


# --- Services offered ---------------------------------------------------------------------------


def test_a_manager_lists_a_service_priced_in_minutes(org, boss):
    service = timebank_service_create(
        actor=boss,
        organisation=org,
        title="陪老人聊天",
        skill="companionship",
        description="每次一小时",
        division_code="510107",
        price_minutes=60,
    )

    assert (service.price_minutes, service.division_id, service.active) == (60, "510107", True)
    assert not any("fen" in f.name or "yuan" in f.name for f in service._meta.fields)
    assert AuditEntry.objects.filter(action="timebank.service_created", actor=boss).exists()

    service = timebank_service_update(actor=boss, service=service, active=False, price_minutes=90)
    assert (service.active, service.price_minutes) == (False, 90)


def test_only_the_organisations_managers_list_services(org, wang_fang):
    with pytest.raises(NotAllowed):
        timebank_service_create(
            actor=wang_fang, organisation=org, title="x", skill="cleaning", price_minutes=60
        )


def test_an_organisation_under_review_cannot_list_services(boss):
    pending = organisation(boss, status=Organisation.Status.SUBMITTED)
    with pytest.raises(VolunteerConflict) as refused:
        timebank_service_create(
            actor=boss, organisation=pending, title="助洁", skill="cleaning", price_minutes=60
        )
    assert refused.value.code == "organisation_not_approved"


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"title": "", "skill": "cleaning", "price_minutes": 60}, "title"),
        ({"title": "助洁", "skill": "juggling", "price_minutes": 60}, "skill"),
        ({"title": "助洁", "skill": "cleaning", "price_minutes": 10}, "price_minutes"),
        ({"title": "助洁", "skill": "cleaning", "price_minutes": 24 * 60 + 1}, "price_minutes"),
        ({"title": "助洁", "skill": "cleaning", "price_minutes": -60}, "price_minutes"),
        ({"title": "助洁", "skill": "cleaning", "price_minutes": "1h"}, "price_minutes"),
        (
            {"title": "助洁", "skill": "cleaning", "price_minutes": 60, "division_code": "999"},
            "division",
        ),
    ],
)
def test_a_service_with_bad_input_is_refused_on_its_field(org, boss, values, field):
    with pytest.raises(VolunteerError) as refused:
        timebank_service_create(actor=boss, organisation=org, **values)
    assert refused.value.field == field


# --- Redemptions --------------------------------------------------------------------------------


def test_a_volunteer_spends_hours_on_a_service_for_themself(vol, wang_fang, service, org, boss):
    redemption = redemption_create(
        user=wang_fang, service=service, account="self", wanted_on=tomorrow(), note="上午来"
    )

    assert (redemption.status, redemption.minutes) == ("requested", 60)
    assert balance(vol) == 120
    assert received(org) == 60
    assert boss.notifications.filter(kind="timebank_redemption").exists()

    redemption = redemption_fulfil(redemption=redemption, actor=boss)
    assert redemption.status == "fulfilled"
    assert redemption_fulfil(redemption=redemption, actor=boss).status == "fulfilled"
    with pytest.raises(VolunteerConflict):
        redemption_cancel(redemption=redemption, actor=boss)
    assert balance(vol) == 120
    assert timebank_reconcile().ok


def test_hours_given_to_a_parent_are_spent_for_the_parent(vol, wang_fang, service):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(75))
    timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=120)

    redemption = redemption_create(
        user=wang_fang, service=service, account=father.pk, wanted_on=tomorrow()
    )

    assert redemption.account.dependant_id == father.pk
    assert balance(vol, father) == 60
    assert balance(vol) == 60
    assert timebank_reconcile().ok


def test_the_same_request_spends_once(vol, wang_fang, service):
    request_id = uuid.uuid4()
    first = redemption_create(
        user=wang_fang, service=service, wanted_on=tomorrow(), request_id=request_id
    )
    again = redemption_create(
        user=wang_fang, service=service, wanted_on=tomorrow(), request_id=request_id
    )

    assert first.pk == again.pk
    assert balance(vol) == 120


def test_cancelling_gives_the_hours_back_once(vol, wang_fang, service, org):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())

    redemption_cancel(redemption=redemption, actor=wang_fang)
    redemption_cancel(redemption=redemption, actor=wang_fang)

    redemption.refresh_from_db()
    assert redemption.status == "cancelled"
    assert balance(vol) == 180
    assert received(org) == 0
    refunds = TimeBankTransaction.objects.filter(redemption=redemption, kind="refund")
    assert refunds.count() == 1
    with pytest.raises(VolunteerConflict):
        redemption_fulfil(redemption=redemption, actor=org.members.get().user)
    assert timebank_reconcile().ok


def test_the_organisations_manager_may_cancel_and_the_requester_is_told(
    vol, wang_fang, service, boss
):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())

    redemption_cancel(redemption=redemption, actor=boss)

    assert balance(vol) == 180
    assert wang_fang.notifications.filter(kind="timebank_redemption").exists()


def test_the_requester_cancelling_tells_the_organisations_managers(
    vol, wang_fang, service, org, boss
):
    deputy = UserFactory(name="副队长")
    Member.objects.create(organisation=org, user=deputy, role=Member.Role.MANAGER)
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())

    redemption_cancel(redemption=redemption, actor=wang_fang)
    redemption_cancel(redemption=redemption, actor=wang_fang)  # once, however often

    for manager in (boss, deputy):
        told = manager.notifications.filter(kind="timebank_redemption", title__contains="取消")
        assert told.count() == 1
        assert told.get().link == f"/volunteers/organisations/{org.pk}/redemptions/"
    # The requester did it herself: nothing to tell her.
    assert not wang_fang.notifications.filter(title__contains="取消").exists()


def test_a_stranger_cannot_cancel(vol, wang_fang, service, daughter):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())

    with pytest.raises(NotAllowed):
        redemption_cancel(redemption=redemption, actor=daughter)
    assert balance(vol) == 120


def test_another_organisations_manager_can_neither_fulfil_nor_cancel(vol, wang_fang, service):
    other_boss = UserFactory()
    organisation(other_boss, name="另一支志愿服务队")
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())

    with pytest.raises(NotAllowed):
        redemption_fulfil(redemption=redemption, actor=other_boss)
    with pytest.raises(NotAllowed):
        redemption_cancel(redemption=redemption, actor=other_boss)
    with pytest.raises(NotAllowed):
        redemption_contact_reveal(redemption=redemption, actor=other_boss)
    redemption.refresh_from_db()
    assert redemption.status == "requested"


def test_spending_more_than_the_balance_is_refused(vol, wang_fang, org):
    dear = timebank_service(org, title="全天陪护", price_minutes=240)

    with pytest.raises(VolunteerConflict) as refused:
        redemption_create(user=wang_fang, service=dear, wanted_on=tomorrow())

    assert refused.value.code == "insufficient"
    assert balance(vol) == 180
    assert not dear.redemptions.exists()


def test_an_inactive_service_or_unapproved_organisation_cannot_be_redeemed(
    vol, wang_fang, service, org
):
    service.active = False
    service.save()
    with pytest.raises(VolunteerConflict):
        redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())

    service.active = True
    service.save()
    Organisation.objects.filter(pk=org.pk).update(status=Organisation.Status.REJECTED)
    with pytest.raises(VolunteerConflict) as refused:
        redemption_create(user=wang_fang, service=service, wanted_on=tomorrow())
    assert refused.value.code == "service_unavailable"


def test_a_date_in_the_past_is_refused(vol, wang_fang, service):
    with pytest.raises(VolunteerError) as refused:
        redemption_create(
            user=wang_fang,
            service=service,
            wanted_on=timezone.localdate() - dt.timedelta(days=1),
        )
    assert (refused.value.code, refused.value.field) == ("in_the_past", "wanted_on")


def test_someone_elses_family_account_cannot_be_spent(vol, wang_fang, daughter, service):
    hers = DependantFactory(owner=daughter, birth_date=born_years_ago(80))

    with pytest.raises(NotFound):
        redemption_create(user=wang_fang, service=service, account=hers.pk, wanted_on=tomorrow())


def test_the_manager_reads_the_contact_on_the_record(vol, wang_fang, service, boss):
    father = DependantFactory(
        owner=wang_fang, name="王建国", phone="+8613900001111", birth_date=born_years_ago(70)
    )
    timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=60)
    redemption = redemption_create(
        user=wang_fang, service=service, account=father.pk, wanted_on=tomorrow()
    )

    contact = redemption_contact_reveal(redemption=redemption, actor=boss)

    assert contact["name"] == "王建国"
    assert contact["phone"] == "+8613900001111"
    entry = AuditEntry.objects.get(action="personal_data.read", actor=boss)
    assert entry.subject == wang_fang
    assert entry.detail["purpose"] == "timebank_service"


# --- Personal data ------------------------------------------------------------------------------


def test_the_export_lists_the_time_bank_and_erasure_cancels_open_requests(vol, wang_fang, service):
    from volunteers.personal_data import erase_volunteering, export_volunteering

    father = DependantFactory(owner=wang_fang, name="王建国", birth_date=born_years_ago(70))
    timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=60, note="给爸爸")
    redemption = redemption_create(
        user=wang_fang, service=service, wanted_on=tomorrow(), note="请下午来"
    )

    exported = export_volunteering(wang_fang)["time_bank"]
    assert {(a["kind"], a["for"], a["balance_minutes"]) for a in exported["accounts"]} == {
        ("personal", None, 60),
        ("family", "王建国", 60),
    }
    assert exported["redemptions"][0]["note"] == "请下午来"

    erase_volunteering(wang_fang)

    redemption.refresh_from_db()
    assert (redemption.status, redemption.note) == ("cancelled", "")
    assert balance(vol) == 120
    assert not TimeBankTransaction.objects.filter(memo__contains="给爸爸").exists()
    assert timebank_reconcile().ok


# --- Accounts and request ids -------------------------------------------------------------------


def test_a_refused_redemption_leaves_no_account_behind(wang_fang, service):
    vol = volunteer(wang_fang)  # never banked anything
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(75))

    for account in ("self", father.pk):
        with pytest.raises(VolunteerConflict) as refused:
            redemption_create(
                user=wang_fang, service=service, account=account, wanted_on=tomorrow()
            )
        assert refused.value.code == "insufficient"
    with pytest.raises(VolunteerError):
        redemption_create(
            user=wang_fang, service=service, wanted_on=timezone.localdate() - dt.timedelta(days=1)
        )

    assert not TimeBankAccount.objects.filter(volunteer=vol).exists()


@pytest.mark.parametrize("change", ["service", "account"])
def test_a_request_id_reused_for_another_request_is_refused(vol, wang_fang, service, org, change):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(75))
    timebank_transfer(user=wang_fang, dependant_id=father.pk, minutes=60)
    request_id = uuid.uuid4()
    first = redemption_create(
        user=wang_fang, service=service, wanted_on=tomorrow(), request_id=request_id
    )
    other = {
        "service": {"service": timebank_service(org, title="陪同就医"), "account": "self"},
        "account": {"service": service, "account": father.pk},
    }[change]

    with pytest.raises(VolunteerConflict) as refused:
        redemption_create(user=wang_fang, wanted_on=tomorrow(), request_id=request_id, **other)

    assert (refused.value.code, refused.value.field) == ("request_reused", "request_id")
    assert list(TimeBankRedemption.objects.values_list("pk", flat=True)) == [first.pk]
    assert (balance(vol), balance(vol, father)) == (60, 60)
