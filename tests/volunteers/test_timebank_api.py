"""The time-bank API: my accounts and statements, transfers, services, redemptions and the
organisation's queue; who gets a 403/404 before any input is read; clear field errors; and
no operation anywhere that pays hours out."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from rest_framework.test import APIClient

from tests.accounts.factories import UserFactory
from tests.services.factories import DependantFactory
from tests.volunteers.factories import (
    banked,
    born_years_ago,
    organisation,
    timebank_service,
    volunteer,
)
from volunteers.models import TimeBankAccount, TimeBankRedemption
from volunteers.services import redemption_create, timebank_reconcile

pytestmark = pytest.mark.django_db


@pytest.fixture
def vol(wang_fang, org):
    vol = volunteer(wang_fang)
    banked(vol, hours=3, org=org)
    return vol


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def own_balance(vol) -> int:
    return TimeBankAccount.objects.get(kind="personal", volunteer=vol).balance_minutes


def tomorrow() -> str:
    return (timezone.localdate() + dt.timedelta(days=1)).isoformat()


# --- Accounts -----------------------------------------------------------------------------------


def test_my_accounts_and_statement(vol, wang_fang):
    father = DependantFactory(owner=wang_fang, name="王建国", birth_date=born_years_ago(70))
    young = DependantFactory(owner=wang_fang, name="王小明", birth_date=born_years_ago(30))

    body = api(wang_fang).get(reverse("api-timebank-me")).json()

    [account] = body["accounts"]
    assert (account["kind"], account["balance_minutes"], account["hours"]) == (
        "personal",
        180,
        "3.0",
    )
    assert [t["id"] for t in body["transfer_targets"]] == [father.pk]
    assert young.pk not in [t["id"] for t in body["transfer_targets"]]
    assert body["family_min_age"] == 60

    statement = api(wang_fang).get(reverse("api-timebank-statement", kwargs={"pk": account["id"]}))
    assert statement.status_code == 200
    [line] = statement.json()["lines"]
    assert (line["kind"], line["minutes"], line["balance_minutes"]) == ("deposit", 180, 180)


def test_a_resident_who_is_not_a_volunteer_has_no_accounts(daughter):
    body = api(daughter).get(reverse("api-timebank-me")).json()
    assert body["accounts"] == []
    assert body["transfer_targets"] == []


def test_someone_elses_statement_does_not_exist(vol, daughter):
    account = TimeBankAccount.objects.get(kind="personal", volunteer=vol)
    volunteer(daughter)

    response = api(daughter).get(reverse("api-timebank-statement", kwargs={"pk": account.pk}))

    assert response.status_code == 404


# --- Transfers ----------------------------------------------------------------------------------


def test_a_transfer_to_an_elderly_parent(vol, wang_fang):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(70))
    payload = {"dependant": father.pk, "minutes": 60, "request_id": str(uuid.uuid4())}

    first = api(wang_fang).post(reverse("api-timebank-transfer"), payload, format="json")
    again = api(wang_fang).post(reverse("api-timebank-transfer"), payload, format="json")

    assert first.status_code == again.status_code == 201
    assert first.json()["transaction"] == again.json()["transaction"]
    assert first.json()["balance_minutes"] == 120
    assert own_balance(vol) == 120
    assert timebank_reconcile().ok


def test_a_transfer_to_someone_elses_parent_is_a_404(vol, wang_fang, daughter):
    hers = DependantFactory(owner=daughter, birth_date=born_years_ago(80))

    response = api(wang_fang).post(
        reverse("api-timebank-transfer"), {"dependant": hers.pk, "minutes": 60}, format="json"
    )

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert own_balance(vol) == 180


@pytest.mark.parametrize(
    ("minutes", "status"),
    [(-60, 400), (0, 400), ("1.5", 400), ("两小时", 400), (10**9, 400), (181, 409)],
)
def test_a_bad_amount_is_a_field_error(vol, wang_fang, minutes, status):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(70))

    response = api(wang_fang).post(
        reverse("api-timebank-transfer"),
        {"dependant": father.pk, "minutes": minutes},
        format="json",
    )

    assert response.status_code == status
    assert "minutes" in response.json()["fields"]
    assert own_balance(vol) == 180


def test_the_role_is_refused_before_the_input_is_read(daughter, staff_a):
    # Not a volunteer: 403, even with an empty body (never a 400 that would describe it).
    assert (
        api(daughter).post(reverse("api-timebank-transfer"), {}, format="json").status_code == 403
    )
    assert api(staff_a).post(reverse("api-timebank-transfer"), {}, format="json").status_code == 403
    assert api().post(reverse("api-timebank-transfer"), {}, format="json").status_code in (401, 403)
    assert (
        api(daughter).post(reverse("api-timebank-redemptions"), {}, format="json").status_code
        == 403
    )


# --- Services -----------------------------------------------------------------------------------


def test_the_public_list_of_services_filters(org, service):
    timebank_service(org, title="陪同就医", skill="companionship", division_id="510104")
    timebank_service(org, title="已停止的服务", active=False)
    pending = organisation(UserFactory(), status="submitted")
    timebank_service(pending, title="未审核组织的服务")

    def titles(query=""):
        response = api().get(reverse("api-timebank-services") + query)
        assert response.status_code == 200
        return sorted(r["title"] for r in response.json()["results"])

    assert titles() == ["上门助洁", "陪同就医"]
    assert titles("?division=510104") == ["陪同就医"]
    assert titles("?skill=cleaning") == ["上门助洁"]
    assert titles("?q=就医") == ["陪同就医"]
    assert api().get(reverse("api-timebank-services") + "?skill=juggling").status_code == 400


def test_the_service_list_costs_a_fixed_number_of_queries(org, django_assert_max_num_queries):
    for n in range(8):
        timebank_service(org, title=f"服务{n}")
    with django_assert_max_num_queries(3):
        api().get(reverse("api-timebank-services"))


def test_a_manager_lists_and_changes_a_service(org, boss):
    url = reverse("api-volorg-timebank-services", kwargs={"pk": org.pk})
    created = api(boss).post(
        url, {"title": "助浴", "skill": "general", "price_minutes": 90}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["price_minutes"], body["division"]) == (90, org.division_id)
    assert not {"price_fen", "price_yuan", "amount", "price"} & set(body)

    changed = api(boss).patch(
        reverse("api-timebank-service", kwargs={"pk": body["id"]}),
        {"active": False},
        format="json",
    )
    assert changed.status_code == 200
    assert changed.json()["active"] is False
    assert [s["title"] for s in api(boss).get(url).json()] == ["助浴"]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"title": "助浴", "skill": "general", "price_minutes": 5}, "price_minutes"),
        ({"title": "助浴", "skill": "general", "price_minutes": "一小时"}, "price_minutes"),
        ({"title": "助浴", "skill": "飞行", "price_minutes": 60}, "skill"),
        ({"skill": "general", "price_minutes": 60}, "title"),
    ],
)
def test_a_bad_service_is_refused_on_its_field(org, boss, payload, field):
    url = reverse("api-volorg-timebank-services", kwargs={"pk": org.pk})
    response = api(boss).post(url, payload, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]


def test_another_organisations_manager_cannot_see_or_list_services(org, service):
    other = UserFactory()
    organisation(other)
    url = reverse("api-volorg-timebank-services", kwargs={"pk": org.pk})

    assert api(other).get(url).status_code == 404
    assert api(other).post(url, {}, format="json").status_code == 404
    patch = reverse("api-timebank-service", kwargs={"pk": service.pk})
    assert api(other).patch(patch, {"active": False}, format="json").status_code == 404


# --- Redemptions --------------------------------------------------------------------------------


def test_a_redemption_for_myself_then_cancelled(vol, wang_fang, service):
    payload = {"service": service.pk, "wanted_on": tomorrow(), "request_id": str(uuid.uuid4())}

    first = api(wang_fang).post(reverse("api-timebank-redemptions"), payload, format="json")
    again = api(wang_fang).post(reverse("api-timebank-redemptions"), payload, format="json")

    assert first.status_code == 201, first.json()
    assert first.json()["id"] == again.json()["id"]
    assert first.json()["dependant"] is None
    assert own_balance(vol) == 120
    mine = api(wang_fang).get(reverse("api-timebank-redemptions")).json()
    assert [r["id"] for r in mine] == [first.json()["id"]]

    cancel = reverse("api-timebank-redemption-cancel", kwargs={"pk": first.json()["id"]})
    assert api(wang_fang).post(cancel).status_code == 200
    assert api(wang_fang).post(cancel).status_code == 200
    assert own_balance(vol) == 180
    assert timebank_reconcile().ok


def test_a_redemption_for_a_parent_from_their_family_account(vol, wang_fang, service):
    father = DependantFactory(owner=wang_fang, birth_date=born_years_ago(70))
    api(wang_fang).post(
        reverse("api-timebank-transfer"), {"dependant": father.pk, "minutes": 60}, format="json"
    )

    response = api(wang_fang).post(
        reverse("api-timebank-redemptions"),
        {"service": service.pk, "account": str(father.pk), "wanted_on": tomorrow()},
        format="json",
    )

    assert response.status_code == 201
    assert response.json()["dependant"] == father.pk
    family = TimeBankAccount.objects.get(kind="family", dependant=father)
    assert family.balance_minutes == 0


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"service": 999999}, "service"),
        ({"service": "助洁"}, "service"),
        ({"wanted_on": "2020-01-01"}, "wanted_on"),
        ({"wanted_on": "明天"}, "wanted_on"),
        ({"account": "everyone"}, "account"),
        ({"request_id": "not-a-uuid"}, "request_id"),
    ],
)
def test_a_bad_redemption_is_a_clear_field_error(vol, wang_fang, service, change, field):
    payload = {"service": service.pk, "wanted_on": tomorrow(), **change}

    response = api(wang_fang).post(reverse("api-timebank-redemptions"), payload, format="json")

    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert response.json()["fields"][field]
    assert own_balance(vol) == 180


def test_the_organisations_queue_masks_the_person(vol, wang_fang, service, boss, org):
    redemption_create(
        user=wang_fang,
        service=service,
        wanted_on=timezone.localdate() + dt.timedelta(days=2),
        note="请下午来，电话 13800000101",
    )
    url = reverse("api-volorg-redemptions", kwargs={"pk": org.pk})

    response = api(boss).get(url)

    assert response.status_code == 200
    [row] = response.json()
    assert row["holder"] == vol.masked_name != vol.real_name
    body = response.content.decode()
    assert vol.real_name not in body
    assert "13800000101" not in body
    assert api(boss).get(url + "?status=fulfilled").json() == []


def test_another_organisations_manager_cannot_fulfil_or_read_the_queue(vol, wang_fang, service):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=timezone.localdate())
    other = UserFactory()
    other_org = organisation(other)

    fulfil = reverse("api-timebank-redemption-fulfil", kwargs={"pk": redemption.pk})
    cancel = reverse("api-timebank-redemption-cancel", kwargs={"pk": redemption.pk})
    assert api(other).post(fulfil).status_code == 404
    assert api(other).post(cancel).status_code == 404
    queue = reverse("api-volorg-redemptions", kwargs={"pk": redemption.service.organisation_id})
    assert api(other).get(queue).status_code == 404
    own_queue = reverse("api-volorg-redemptions", kwargs={"pk": other_org.pk})
    assert api(other).get(own_queue).json() == []
    redemption.refresh_from_db()
    assert redemption.status == TimeBankRedemption.Status.REQUESTED


def test_the_manager_fulfils(vol, wang_fang, service, boss):
    redemption = redemption_create(user=wang_fang, service=service, wanted_on=timezone.localdate())
    url = reverse("api-timebank-redemption-fulfil", kwargs={"pk": redemption.pk})

    response = api(boss).post(url)

    assert response.status_code == 200
    assert response.json()["status"] == "fulfilled"
    # The requester cannot mark their own request fulfilled.
    assert api(wang_fang).post(url).status_code == 404


def test_the_org_queue_costs_a_fixed_number_of_queries(
    vol, wang_fang, service, boss, org, django_assert_max_num_queries
):
    cheap = timebank_service(org, title="读报", price_minutes=15)
    for _n in range(6):
        redemption_create(user=wang_fang, service=cheap, wanted_on=timezone.localdate())
    with django_assert_max_num_queries(4):
        api(boss).get(reverse("api-volorg-redemptions", kwargs={"pk": org.pk}))


# --- No cash ------------------------------------------------------------------------------------


MONEY_WORDS = ("cash", "withdraw", "payout", "convert", "money", "fen", "yuan", "refund-to")


def test_no_route_pays_hours_out():
    routes = []

    def walk(patterns, prefix=""):
        for p in patterns:
            if hasattr(p, "url_patterns"):
                walk(p.url_patterns, prefix + str(p.pattern))
            else:
                routes.append((prefix + str(p.pattern), p.name or ""))

    walk(get_resolver().url_patterns)
    timebank = [(r, n) for r, n in routes if "timebank" in r or "redemption" in r]
    assert len(timebank) >= 15  # the API and the pages
    for route, name in timebank:
        assert not any(word in route or word in name for word in MONEY_WORDS), route


def test_no_time_bank_operation_takes_or_gives_money():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    fields = set()
    for path, operations in schema["paths"].items():
        if "timebank" not in path and "redemptions" not in path:
            continue
        for operation in operations.values():
            body = operation.get("requestBody", {}).get("content", {})
            for media in body.values():
                ref = media["schema"].get("$ref", "")
                component = schema["components"]["schemas"][ref.rsplit("/", 1)[-1]]
                fields |= set(component.get("properties", {}))
    assert fields
    assert not [f for f in fields if any(w in f for w in ("fen", "yuan", "cash", "amount"))]


def test_posting_a_cash_kind_to_any_time_bank_route_changes_nothing(vol, wang_fang):
    account = TimeBankAccount.objects.get(kind="personal", volunteer=vol)
    attempts = [
        ("post", reverse("api-timebank-me"), {"kind": "cash", "minutes": 60}),
        ("post", reverse("api-timebank-statement", kwargs={"pk": account.pk}), {"kind": "cash"}),
        ("delete", reverse("api-timebank-me"), {}),
        (
            "post",
            reverse("api-timebank-transfer"),
            {"kind": "cash", "minutes": 60, "dependant": 0},
        ),
    ]
    for method, url, payload in attempts:
        response = getattr(api(wang_fang), method)(url, payload, format="json")
        assert response.status_code in (400, 404, 405), (url, response.status_code)
    assert own_balance(vol) == 180
    assert set(TimeBankAccount.objects.values_list("kind", flat=True)) == {
        "personal",
        "service_given",
    }
