"""The time-bank pages: balances and the transfer form (eligible family members only), the
services list and the redeem form, and the organiser's services and redemption queue (names
masked; the contact on the redemption's page, audit-logged)."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import reverse
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
from volunteers.models import TimeBankAccount, TimeBankRedemption, TimeBankService
from volunteers.services import redemption_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(wang_fang, org):
    vol = volunteer(wang_fang)
    banked(vol, hours=3, org=org)
    return vol


def own_balance(vol) -> int:
    return TimeBankAccount.objects.get(kind="personal", volunteer=vol).balance_minutes


def test_the_time_bank_page_shows_hours_and_offers_only_eligible_family(vol, wang_fang, client):
    father = DependantFactory(owner=wang_fang, name="王建国", birth_date=born_years_ago(70))
    DependantFactory(owner=wang_fang, name="王小明", birth_date=born_years_ago(59))
    client.force_login(wang_fang)

    response = client.get(reverse("volunteers:timebank"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "3.0" in page
    assert "不能提现" in page
    assert "年满 60 周岁" in page
    options = response.context["form"].fields["dependant"].choices
    assert options == [(str(father.pk), "王建国（父母）")]
    assert "王小明" in page  # named among those who cannot receive hours yet


def test_the_transfer_form_moves_hours_once(vol, wang_fang, client):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(70))
    client.force_login(wang_fang)
    data = {"dependant": father.pk, "hours": "1.5", "note": "", "request_id": str(uuid.uuid4())}

    first = client.post(reverse("volunteers:timebank"), data)
    again = client.post(reverse("volunteers:timebank"), data)  # a double click

    assert first.status_code == again.status_code == 302
    assert own_balance(vol) == 90
    family = TimeBankAccount.objects.get(kind="family", dependant=father)
    assert family.balance_minutes == 90
    statement = client.get(reverse("volunteers:timebank") + f"?account={family.pk}")
    assert "转给家人" in statement.content.decode()


def test_the_transfer_form_refuses_more_than_the_balance(vol, wang_fang, client):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(70))
    client.force_login(wang_fang)

    response = client.post(
        reverse("volunteers:timebank"),
        {"dependant": father.pk, "hours": "4", "request_id": str(uuid.uuid4())},
    )

    assert response.status_code == 400
    assert response.context["form"].errors["hours"] == ["时间银行余额不足。"]
    assert own_balance(vol) == 180


def test_the_transfer_form_refuses_a_family_member_not_offered(vol, wang_fang, daughter, client):
    young = DependantFactory(owner=wang_fang, birth_date=born_years_ago(59))
    hers = DependantFactory(owner=daughter, birth_date=born_years_ago(80))
    client.force_login(wang_fang)

    for dependant in (young, hers):
        response = client.post(
            reverse("volunteers:timebank"),
            {"dependant": dependant.pk, "hours": "1", "request_id": str(uuid.uuid4())},
        )
        assert response.status_code == 400
        assert "dependant" in response.context["form"].errors
    assert own_balance(vol) == 180


def test_a_resident_not_registered_is_invited_to_register(daughter, client):
    client.force_login(daughter)
    response = client.get(reverse("volunteers:timebank"))
    assert response.status_code == 200
    assert reverse("volunteers:register") in response.content.decode()


def test_provider_staff_have_no_time_bank_page(staff_a, client):
    client.force_login(staff_a)
    assert client.get(reverse("volunteers:timebank")).status_code == 403


def test_another_persons_statement_is_a_404(vol, daughter, client):
    volunteer(daughter)
    client.force_login(daughter)
    account = TimeBankAccount.objects.get(kind="personal", volunteer=vol)
    response = client.get(reverse("volunteers:timebank") + f"?account={account.pk}")
    assert response.status_code == 404


def test_the_services_page_is_public_and_filters(org, service, client):
    timebank_service(org, title="陪同就医", skill="companionship")

    everything = client.get(reverse("volunteers:timebank-services")).content.decode()
    cleaning = client.get(reverse("volunteers:timebank-services") + "?skill=cleaning")

    assert "上门助洁" in everything
    assert "陪同就医" in everything
    assert "陪同就医" not in cleaning.content.decode()
    assert "登录后兑换" in everything


def test_redeeming_for_a_parent_from_the_family_account(vol, wang_fang, service, client):
    father = DependantFactory(owner=wang_fang, name="王建国", birth_date=born_years_ago(70))
    client.force_login(wang_fang)
    client.post(
        reverse("volunteers:timebank"),
        {"dependant": father.pk, "hours": "1", "request_id": str(uuid.uuid4())},
    )
    url = reverse("volunteers:timebank-redeem", kwargs={"pk": service.pk})
    form = client.get(url).context["form"]
    assert [value for value, _label in form.fields["account"].choices] == ["self", str(father.pk)]

    response = client.post(
        url,
        {
            "account": str(father.pk),
            "wanted_on": (timezone.localdate() + dt.timedelta(days=3)).isoformat(),
            "note": "",
            "request_id": str(uuid.uuid4()),
        },
    )

    assert response.status_code == 302
    redemption = TimeBankRedemption.objects.get()
    assert redemption.account.dependant_id == father.pk
    assert TimeBankAccount.objects.get(kind="family", dependant=father).balance_minutes == 0
    assert own_balance(vol) == 120


def test_the_redeem_form_says_what_is_wrong(vol, wang_fang, service, client):
    client.force_login(wang_fang)
    url = reverse("volunteers:timebank-redeem", kwargs={"pk": service.pk})

    response = client.post(
        url, {"account": "self", "wanted_on": "2020-01-01", "request_id": str(uuid.uuid4())}
    )

    assert response.status_code == 400
    assert response.context["form"].errors["wanted_on"] == ["期望服务日期不能早于今天。"]
    assert not TimeBankRedemption.objects.exists()


def test_an_inactive_service_has_no_redeem_page(vol, wang_fang, service, client):
    TimeBankService.objects.filter(pk=service.pk).update(active=False)
    client.force_login(wang_fang)
    url = reverse("volunteers:timebank-redeem", kwargs={"pk": service.pk})
    assert client.get(url).status_code == 404


def test_the_organisers_queue_masks_names_and_the_detail_is_audited(
    vol, wang_fang, service, org, boss, client
):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=timezone.localdate())
    client.force_login(boss)

    queue = client.get(reverse("volunteers:org-redemptions", kwargs={"pk": org.pk}))
    page = queue.content.decode()
    assert queue.status_code == 200
    assert vol.masked_name in page
    assert vol.real_name not in page
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()

    detail = client.get(reverse("volunteers:org-redemption", kwargs={"pk": redemption.pk}))
    assert detail.status_code == 200
    page = detail.content.decode()
    assert vol.masked_name in page
    assert vol.real_name not in page
    assert vol.phone not in page
    assert not AuditEntry.objects.filter(action="personal_data.read").exists()

    contact_url = reverse("volunteers:org-redemption-contact", kwargs={"pk": redemption.pk})
    assert contact_url in page  # the explicit request, a POST
    revealed = client.post(contact_url, HTTP_HX_REQUEST="true")
    assert revealed.status_code == 200
    assert vol.real_name in revealed.content.decode()
    assert vol.phone in revealed.content.decode()
    entry = AuditEntry.objects.get(action="personal_data.read", actor=boss)
    assert entry.subject == wang_fang


def test_the_organiser_fulfils_and_cancels_from_the_queue(
    vol, wang_fang, service, org, boss, client
):
    first = redemption_create(user=wang_fang, service=service, wanted_on=timezone.localdate())
    second = redemption_create(user=wang_fang, service=service, wanted_on=timezone.localdate())
    client.force_login(boss)

    client.post(reverse("volunteers:timebank-redemption-fulfil", kwargs={"pk": first.pk}))
    client.post(reverse("volunteers:timebank-redemption-cancel", kwargs={"pk": second.pk}))

    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("fulfilled", "cancelled")
    assert own_balance(vol) == 120


def test_strangers_get_404s_on_the_organisers_pages(vol, wang_fang, service, org, client):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=timezone.localdate())
    other = UserFactory()
    organisation(other)
    client.force_login(other)

    for url in (
        reverse("volunteers:org-redemptions", kwargs={"pk": org.pk}),
        reverse("volunteers:org-redemption", kwargs={"pk": redemption.pk}),
        reverse("volunteers:org-timebank-services", kwargs={"pk": org.pk}),
    ):
        assert client.get(url).status_code == 404, url
    for url in (
        reverse("volunteers:timebank-redemption-fulfil", kwargs={"pk": redemption.pk}),
        reverse("volunteers:timebank-redemption-cancel", kwargs={"pk": redemption.pk}),
        reverse("volunteers:timebank-service-status", kwargs={"pk": service.pk}),
        reverse("volunteers:org-redemption-contact", kwargs={"pk": redemption.pk}),
    ):
        assert client.post(url).status_code == 404, url
    redemption.refresh_from_db()
    assert redemption.status == "requested"


def test_the_organiser_lists_a_service_and_stops_it(org, boss, client):
    client.force_login(boss)
    url = reverse("volunteers:org-timebank-services", kwargs={"pk": org.pk})

    bad = client.post(url, {"title": "助浴", "skill": "general", "division": "510107"})
    assert bad.status_code == 400
    assert "price_minutes" in bad.context["form"].errors
    created = client.post(
        url, {"title": "助浴", "skill": "general", "division": "510107", "price_minutes": 90}
    )
    assert created.status_code == 302
    service = TimeBankService.objects.get(title="助浴")
    assert service.price_minutes == 90

    client.post(reverse("volunteers:timebank-service-status", kwargs={"pk": service.pk}))
    service.refresh_from_db()
    assert service.active is False


# --- Amounts shown and who may post -------------------------------------------------------------


def test_the_whole_balance_shown_can_be_transferred(wang_fang, org, client):
    from volunteers.services.timebank import expired_account, personal_account, transaction_post

    vol = volunteer(wang_fang)
    banked(vol, hours=2, org=org)
    own = personal_account(vol)
    transaction_post(  # 25 of the 120 minutes expired: 95 left, 1.58 hours
        key="test-expiry", kind="expiry", memo="过期", lines=[(own, -25), (expired_account(), 25)]
    )
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(70))
    client.force_login(wang_fang)

    page = client.get(reverse("volunteers:timebank"))
    hours_field = page.context["form"].fields["hours"]
    shown = hours_field.widget.attrs["max"]
    assert shown == "1.5"  # rounded down: 1.6 hours would be 96 minutes
    assert "最多可转 1.5 小时" in page.content.decode()
    assert "<strong>1.5</strong>" in page.content.decode()

    data = {"dependant": father.pk, "hours": shown, "note": "", "request_id": str(uuid.uuid4())}
    response = client.post(reverse("volunteers:timebank"), data)

    assert response.status_code == 302
    assert own_balance(vol) == 5
    family = TimeBankAccount.objects.get(kind="family", dependant=father)
    assert family.balance_minutes == 90


def test_a_resident_who_is_not_a_volunteer_is_refused_before_the_input_is_read(
    daughter, service, client
):
    client.force_login(daughter)
    nonsense = {"dependant": "x", "hours": "-3", "account": "nobody", "wanted_on": "never"}

    transfer = client.post(reverse("volunteers:timebank"), nonsense)
    redeem = client.post(reverse("volunteers:timebank-redeem", kwargs={"pk": service.pk}), nonsense)

    for response in (transfer, redeem):
        assert response.status_code == 403
        page = response.content.decode()
        assert "注册成为志愿者" in page
        assert "errorlist" not in page
    assert not TimeBankRedemption.objects.exists()
