"""Need pages and API: post, follow (progress, candidates with reasons), accept, decline,
withdraw; the provider's leads; 代办 by an official; who may see what."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.models import Candidate, MatchRun, Need
from matching.services.decisions import candidate_accept
from matching.services.needs import need_create
from portal.audit.models import AuditEntry
from services.models import Booking
from tests.matching.factories import need_data, offer, proposals
from tests.services.factories import AddressFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def need(wang_fang):
    return need_create(resident=wang_fang, data=need_data(wang_fang))


def _form(address=None, **overrides) -> dict:
    data = {
        "domain": "eldercare",
        "category": "elder_meals",
        "place": "branch",
        "address": str(address.pk) if address else "",
        "max_distance_km": "5",
        "budget_min_yuan": "10",
        "budget_max_yuan": "30",
        "care_level": "",
        "urgency": "normal",
        "window-TOTAL_FORMS": "3",
        "window-INITIAL_FORMS": "0",
        "window-MIN_NUM_FORMS": "0",
        "window-MAX_NUM_FORMS": "3",
        "window-0-weekday": "2",
        "window-0-start": "11:00",
        "window-0-end": "12:00",
    }
    data.update(overrides)
    return data


# --- Pages ----------------------------------------------------------------------------------------


def test_a_resident_posts_a_need_from_the_form(client, wang_fang):
    address = AddressFactory(owner=wang_fang)
    client.force_login(wang_fang)
    page = client.get(reverse("matching:need-new"))
    assert page.status_code == 200
    assert "发布服务需求" in page.content.decode()
    response = client.post(reverse("matching:need-new"), _form(address))
    need = Need.objects.get(resident=wang_fang)
    assert response.status_code == 302
    assert response["Location"] == reverse("matching:my-need", kwargs={"pk": need.pk})
    assert need.budget_max_fen == 3000
    assert need.windows == [{"weekday": 2, "start": "11:00", "end": "12:00"}]
    assert need.address == address


def test_the_form_shows_the_services_field_errors(client, wang_fang):
    address = AddressFactory(owner=wang_fang)
    client.force_login(wang_fang)
    response = client.post(
        reverse("matching:need-new"),
        _form(address, budget_min_yuan="50", **{"window-0-end": "10:00"}),
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "预算上限不能低于下限" in body
    assert "结束时间必须晚于开始时间" in body
    assert not Need.objects.exists()


def test_the_need_page_polls_while_the_run_is_running(client, wang_fang, need):
    run = MatchRun.objects.create(need=need, status=MatchRun.Status.RUNNING, progress=40)
    client.force_login(wang_fang)
    body = client.get(reverse("matching:my-need", kwargs={"pk": need.pk})).content.decode()
    progress_url = reverse("matching:need-progress", kwargs={"pk": need.pk})
    assert f'hx-get="{progress_url}"' in body
    assert 'hx-trigger="every 2s"' in body
    fragment = client.get(progress_url)
    assert fragment.status_code == 200
    assert 'value="40"' in fragment.content.decode()
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.SUCCEEDED, progress=100)
    done = client.get(progress_url)
    assert done.status_code == 204
    assert done["HX-Refresh"] == "true"


def test_the_need_page_shows_the_proposal_with_its_reasons_and_accepting_books_it(
    client, wang_fang, need, provider_a
):
    first, _second = proposals(need, [offer(provider_a), offer(provider_a)])
    client.force_login(wang_fang)
    body = client.get(reverse("matching:my-need", kwargs={"pk": need.pk})).content.decode()
    assert "为您推荐" in body
    assert "距离您约 1.0 公里" in body
    assert "其他选择" in body
    response = client.post(reverse("matching:candidate-accept", kwargs={"pk": first.pk}))
    assert response.status_code == 302
    booking = Booking.objects.get(resident=wang_fang)
    assert booking.slot_id == first.slot_id
    page = client.get(response["Location"]).content.decode()
    assert booking.reference in page
    bookings = client.get(reverse("services:my-bookings")).content.decode()
    assert first.listing.title in bookings


def test_declining_on_the_page_shows_the_next(client, wang_fang, need, provider_a):
    first, second = proposals(need, [offer(provider_a), offer(provider_a)])
    client.force_login(wang_fang)
    url = reverse("matching:candidate-decline", kwargs={"pk": first.pk})
    client.post(url, {"reason": ""})
    first.refresh_from_db()
    assert first.status == Candidate.Status.PROPOSED  # a reason is required
    client.post(url, {"reason": "太远了"})
    first.refresh_from_db()
    assert first.status == Candidate.Status.DECLINED
    body = client.get(reverse("matching:my-need", kwargs={"pk": need.pk})).content.decode()
    assert f'id="candidate-{second.pk}"' in body


def test_withdrawing_from_the_page(client, wang_fang, need):
    client.force_login(wang_fang)
    client.post(reverse("matching:need-withdraw", kwargs={"pk": need.pk}))
    need.refresh_from_db()
    assert need.status == Need.Status.WITHDRAWN


def test_my_needs_are_listed_and_linked_from_my_services(client, wang_fang, need):
    client.force_login(wang_fang)
    body = client.get(reverse("matching:my-needs")).content.decode()
    assert reverse("matching:my-need", kwargs={"pk": need.pk}) in body
    assert (
        reverse("matching:my-needs") in client.get(reverse("services:my-bookings")).content.decode()
    )


def test_another_resident_cannot_see_or_touch_my_need(client, daughter, need, provider_a):
    (first,) = proposals(need, [offer(provider_a)])
    client.force_login(daughter)
    assert client.get(reverse("matching:my-need", kwargs={"pk": need.pk})).status_code == 404
    progress = reverse("matching:need-progress", kwargs={"pk": need.pk})
    assert client.get(progress).status_code == 404
    accept = reverse("matching:candidate-accept", kwargs={"pk": first.pk})
    assert client.post(accept).status_code == 404
    withdraw = reverse("matching:need-withdraw", kwargs={"pk": need.pk})
    assert client.post(withdraw).status_code == 404
    assert not Booking.objects.exists()


def test_the_provider_sees_its_leads_with_masked_names(
    client, wang_fang, need, provider_a, staff_a
):
    proposals(need, [offer(provider_a)])
    client.force_login(staff_a)
    body = client.get(reverse("matching:leads", kwargs={"pk": provider_a.pk})).content.decode()
    assert "王*" in body
    assert "王芳" not in body
    detail = client.get(reverse("providers:staff-detail", kwargs={"pk": provider_a.pk}))
    assert reverse("matching:leads", kwargs={"pk": provider_a.pk}) in detail.content.decode()


def test_another_provider_cannot_see_the_leads(client, need, provider_a, staff_b):
    (first,) = proposals(need, [offer(provider_a)])
    client.force_login(staff_b)
    assert client.get(reverse("matching:leads", kwargs={"pk": provider_a.pk})).status_code == 404
    respond = reverse("matching:lead-respond", kwargs={"pk": first.pk})
    assert client.post(respond, {"answer": "accept"}).status_code == 404


def test_an_official_posts_a_proxy_need_and_the_provider_accepts_the_referral(
    client, official_wuhou, provider_a, staff_a
):
    client.force_login(official_wuhou)
    assert client.get(reverse("matching:proxy-need-new")).status_code == 200
    form = _form(
        place="home",
        division="510107",
        proxy_name="李秀英",
        proxy_phone="13800009999",
        proxy_address="浆洗街街道 12 号院 3 栋 101",
    )
    response = client.post(reverse("matching:proxy-need-new"), form)
    need = Need.objects.get(resident=official_wuhou)
    assert response["Location"] == reverse("matching:proxy-need", kwargs={"pk": need.pk})
    assert need.latitude is not None  # the district's centre
    (first,) = proposals(need, [offer(provider_a)])
    client.post(reverse("matching:candidate-accept", kwargs={"pk": first.pk}))
    need.refresh_from_db()
    assert need.status == Need.Status.REFERRED
    listed = client.get(reverse("matching:proxy-needs")).content.decode()
    assert "李秀英" in listed

    client.force_login(staff_a)
    leads = reverse("matching:leads", kwargs={"pk": provider_a.pk})
    before = client.get(leads).content.decode()
    assert "李*英" in before
    assert "浆洗街街道 12 号院" not in before  # the address only after accepting
    client.post(reverse("matching:lead-respond", kwargs={"pk": first.pk}), {"answer": "accept"})
    body = client.get(leads).content.decode()
    assert "李秀英" in body
    assert "+8613800009999" in body
    assert "浆洗街街道 12 号院 3 栋 101" in body
    read = AuditEntry.objects.filter(action="personal_data.read", actor=staff_a).last()
    assert read.detail["fields"] == ["proxy_name", "proxy_phone", "proxy_address"]


def test_residents_cannot_open_the_officials_pages(client, wang_fang):
    client.force_login(wang_fang)
    assert client.get(reverse("matching:proxy-needs")).status_code == 403
    assert client.get(reverse("matching:proxy-need-new")).status_code == 403


# --- API -----------------------------------------------------------------------------------------


def test_api_post_list_and_read_a_need(api_client, wang_fang, provider_a):
    api_client.force_authenticate(wang_fang)
    address = AddressFactory(owner=wang_fang)
    response = api_client.post(
        "/api/v1/needs/", need_data(wang_fang, address=address.pk), format="json"
    )
    assert response.status_code == 201, response.json()
    need_id = response.json()["id"]
    need = Need.objects.get(pk=need_id)
    proposals(need, [offer(provider_a)])
    listed = api_client.get("/api/v1/needs/").json()
    assert [row["id"] for row in listed["results"]] == [need_id]
    detail = api_client.get(f"/api/v1/needs/{need_id}/").json()
    assert detail["candidates"][0]["reasons"][0] == "距离您约 1.0 公里"
    assert detail["candidates"][0]["status"] == "proposed"


def test_api_answers_field_errors(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)
    data = need_data(wang_fang, budget_min_fen=5000, budget_max_fen=100, max_distance_km=99)
    response = api_client.post("/api/v1/needs/", data, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body["fields"]) >= {"budget_max_fen", "max_distance_km"}
    assert body["code"] == "invalid"


def test_api_accept_decline_and_withdraw(api_client, wang_fang, need, provider_a):
    first, second, _third = proposals(need, [offer(provider_a) for _ in range(3)])
    api_client.force_authenticate(wang_fang)
    refused = api_client.post(f"/api/v1/candidates/{first.pk}/decline/", {}, format="json")
    assert refused.status_code == 400
    assert refused.json()["fields"] == {"reason": ["请说明婉拒的原因。"]}
    declined = api_client.post(
        f"/api/v1/candidates/{first.pk}/decline/", {"reason": "太贵"}, format="json"
    )
    assert declined.json()["status"] == "declined"
    accepted = api_client.post(f"/api/v1/candidates/{second.pk}/accept/")
    assert accepted.status_code == 200
    assert accepted.json()["booking"] == str(Booking.objects.get().pk)
    closed = api_client.post(f"/api/v1/needs/{need.pk}/withdraw/")
    assert closed.status_code == 409
    assert closed.json()["code"] == "not_open"


def test_api_a_full_slot_is_a_409(api_client, wang_fang, daughter, need, provider_a):
    from tests.services.factories import book

    first, _second = proposals(need, [offer(provider_a), offer(provider_a)])
    book(daughter, first.slot)
    api_client.force_authenticate(wang_fang)
    response = api_client.post(f"/api/v1/candidates/{first.pk}/accept/")
    assert response.status_code == 409
    assert response.json()["code"] == "slot_full"


def test_api_someone_elses_need_and_leads_do_not_exist(
    api_client, daughter, need, provider_a, staff_b
):
    (first,) = proposals(need, [offer(provider_a)])
    api_client.force_authenticate(daughter)
    assert api_client.get(f"/api/v1/needs/{need.pk}/").status_code == 404
    assert api_client.post(f"/api/v1/candidates/{first.pk}/accept/").status_code == 404
    api_client.force_authenticate(staff_b)
    assert api_client.get(f"/api/v1/providers/{provider_a.pk}/leads/").status_code == 404
    respond = api_client.post(f"/api/v1/candidates/{first.pk}/respond/", {"accept": True})
    assert respond.status_code == 404


def test_api_the_provider_reads_leads_and_answers_a_referral(
    api_client, official_wuhou, provider_a, staff_a
):
    need = need_create(
        resident=official_wuhou,
        data=need_data(
            official_wuhou,
            place="area",
            division="510107",
            latitude="30.64",
            longitude="104.04",
            proxy_name="李秀英",
            proxy_phone="13800009999",
        ),
    )
    (first,) = proposals(need, [offer(provider_a)])
    candidate_accept(candidate=first, resident=official_wuhou)
    api_client.force_authenticate(staff_a)
    leads = api_client.get(f"/api/v1/providers/{provider_a.pk}/leads/").json()
    assert leads[0]["person_name"] == "李*英"
    assert leads[0]["referral"] is True
    answered = api_client.post(
        f"/api/v1/candidates/{first.pk}/respond/", {"accept": True}, format="json"
    )
    assert answered.status_code == 200
    assert answered.json()["provider_decision"] == "accepted"
    assert answered.json()["person_phone"] == "+8613800009999"


# --- Query counts ---------------------------------------------------------------------------------


def test_the_leads_page_and_api_do_not_grow_with_the_leads(
    client, api_client, wang_fang, provider_a, staff_a, django_assert_max_num_queries
):
    for _ in range(5):
        need = need_create(resident=wang_fang, data=need_data(wang_fang))
        proposals(need, [offer(provider_a)])
    client.force_login(staff_a)
    with django_assert_max_num_queries(5):
        assert (
            client.get(reverse("matching:leads", kwargs={"pk": provider_a.pk})).status_code == 200
        )
    api_client.force_authenticate(staff_a)
    with django_assert_max_num_queries(2):
        assert api_client.get(f"/api/v1/providers/{provider_a.pk}/leads/").status_code == 200


def test_my_needs_page_and_api_do_not_grow_with_the_needs(
    client, api_client, wang_fang, django_assert_max_num_queries
):
    for _ in range(5):
        need_create(resident=wang_fang, data=need_data(wang_fang))
    client.force_login(wang_fang)
    with django_assert_max_num_queries(4):
        assert client.get(reverse("matching:my-needs")).status_code == 200
    api_client.force_authenticate(wang_fang)
    with django_assert_max_num_queries(2):
        assert api_client.get("/api/v1/needs/").status_code == 200
