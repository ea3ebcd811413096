"""Every read of a resident's personal data by staff, an official or an admin is one audit
entry: who (actor), whose (subject), what (target and fields), why (purpose). The resident's
"who saw my data" page shows it in words; the admin's view of the log is read-only."""

from __future__ import annotations

import pytest
from django.urls import reverse

from matching.services.decisions import candidate_accept, lead_respond
from matching.services.needs import need_create
from portal.audit.models import AuditEntry
from portal.audit.services import audit_personal_data_read
from portal.privacy import redact_identifiers
from ratings.services.complaints import complaint_transition
from tests.matching.factories import matchable_listing, offer, proposals, proxy_need_data
from tests.ratings.factories import file_complaint
from tests.services.factories import AddressFactory, DependantFactory, book

pytestmark = pytest.mark.django_db

ID_NUMBER = "510107195003151238"


def reads(**filters):
    return AuditEntry.objects.filter(action="personal_data.read", **filters)


@pytest.fixture
def booking(wang_fang, provider_a):
    address = AddressFactory(owner=wang_fang)
    father = DependantFactory(owner=wang_fang, care_notes="高血压，每日服药")
    _listing, slot = matchable_listing(provider_a)
    return book(wang_fang, slot, dependant=father, address=address, note="请先电话联系")


@pytest.fixture
def complaint(wang_fang, provider_a, official_wuhou):
    case = file_complaint(
        wang_fang, provider=provider_a, description=f"请回电 13912345678，身份证 {ID_NUMBER}"
    )
    return complaint_transition(complaint=case, action="accept", actor=official_wuhou)


# --- One entry per read, with who, whose, what and why -------------------------------------------


def test_the_booking_detail_on_the_desk_is_one_read_with_its_purpose(
    client, booking, staff_a, wang_fang, provider_a
):
    client.force_login(staff_a)

    response = client.get(reverse("services:staff-booking", args=[booking.pk]))

    assert response.status_code == 200
    entry = reads().get()
    assert (entry.actor, entry.subject) == (staff_a, wang_fang)
    assert (entry.target_type, entry.target_id) == ("services.booking", str(booking.pk))
    assert entry.detail == {
        "fields": ["name", "phone", "address", "care_notes", "note"],
        "purpose": "booking_fulfilment",
        "organisation": provider_a.name,
    }


def test_another_providers_staff_cannot_read_the_booking_and_nothing_is_logged(
    client, booking, staff_b
):
    client.force_login(staff_b)
    assert client.get(reverse("services:staff-booking", args=[booking.pk])).status_code == 404
    assert not reads().exists()


def test_the_desk_list_and_its_export_show_masked_data_and_log_no_read(
    client, booking, staff_a, provider_a, wang_fang
):
    client.force_login(staff_a)
    page = client.get(reverse("services:desk", args=[provider_a.pk]) + "?view=upcoming")
    export = client.get(reverse("services:desk-export", args=[provider_a.pk]) + "?view=upcoming")

    assert wang_fang.masked_phone in export.content.decode()
    for body in (page.content.decode(), export.content.decode()):
        assert wang_fang.phone.removeprefix("+86") not in body
    assert not reads().exists()


def test_the_handling_official_reading_a_complaint_is_one_read(
    client, api_client, complaint, official_wuhou, wang_fang
):
    client.force_login(official_wuhou)
    page = client.get(reverse("ratings:complaint-official", args=[complaint.pk]))
    assert "13912345678" in page.content.decode()
    entry = reads().get()
    assert (entry.actor, entry.subject) == (official_wuhou, wang_fang)
    assert entry.detail == {
        "fields": ["name", "phone", "description"],
        "purpose": "complaint_handling",
    }

    api_client.force_authenticate(official_wuhou)
    data = api_client.get(reverse("complaint-detail", args=[complaint.pk])).json()
    assert data["complainant"]["masked"] is False
    assert ID_NUMBER in data["description"]
    assert reads().count() == 2


@pytest.mark.parametrize("viewer", ["staff_a", "official_city"])
def test_others_on_the_case_read_the_complaint_with_identifiers_masked(
    viewer, request, client, api_client, complaint
):
    """The provider answers the case and a city official supervises it: they read what was
    written, but not the number to call or the ID number in it, and no read is logged."""
    user = request.getfixturevalue(viewer)
    client.force_login(user)
    url = (
        reverse("ratings:complaint-staff", args=[complaint.pk])
        if viewer == "staff_a"
        else reverse("ratings:complaint-official", args=[complaint.pk])
    )
    page = client.get(url).content.decode()
    api_client.force_authenticate(user)
    data = api_client.get(reverse("complaint-detail", args=[complaint.pk])).json()

    assert "请回电 139****5678" in page
    assert data["description"] == redact_identifiers(complaint.description)
    for body in (page, str(data)):
        assert "13912345678" not in body
        assert ID_NUMBER not in body
    assert not reads().exists()


def test_an_accepted_referral_shows_the_person_to_the_provider_once_per_view(
    client, official_wuhou, provider_a, staff_a
):
    need = need_create(resident=official_wuhou, data=proxy_need_data(official_wuhou))
    (lead,) = proposals(need, [offer(provider_a)])
    candidate_accept(candidate=lead, resident=official_wuhou)
    lead.refresh_from_db()
    lead_respond(candidate=lead, actor=staff_a, accept=True)
    client.force_login(staff_a)

    client.get(reverse("matching:leads", args=[provider_a.pk]))

    entry = reads().get()
    assert entry.actor == staff_a
    assert entry.subject is None  # a 代办 person has no account to show it to
    assert entry.detail["purpose"] == "referral_follow_up"
    assert entry.detail["organisation"] == provider_a.name


def test_an_admin_opening_an_account_is_one_read_for_administration(
    client, platform_admin, wang_fang
):
    client.force_login(platform_admin)
    client.get(reverse("admin:accounts_user_change", args=[wang_fang.pk]))
    entry = reads().get()
    assert (entry.actor, entry.subject) == (platform_admin, wang_fang)
    assert entry.detail["purpose"] == "platform_administration"


def test_a_read_without_a_known_purpose_is_refused(official_wuhou, wang_fang):
    with pytest.raises(ValueError, match="purpose"):
        audit_personal_data_read(
            viewer=official_wuhou, subject=wang_fang, target=wang_fang, fields=["phone"], purpose=""
        )
    assert not AuditEntry.objects.exists()


def test_identifiers_in_free_text_are_masked_and_other_numbers_kept():
    text = f"电话 139-1234-5678 或 +8613912345678，证件 {ID_NUMBER}，订单 20260105123456789012"
    assert redact_identifiers(text) == (
        "电话 139****5678 或 139****5678，证件 5****************8，订单 20260105123456789012"
    )


# --- The resident's "who saw my data" ------------------------------------------------------------


def test_who_saw_my_data_names_the_viewer_masked_with_organisation_what_and_why(
    client, booking, complaint, staff_a, official_wuhou, wang_fang, provider_a
):
    client.force_login(staff_a)
    client.get(reverse("services:staff-booking", args=[booking.pk]))
    client.force_login(official_wuhou)
    client.get(reverse("ratings:complaint-official", args=[complaint.pk]))
    client.force_login(wang_fang)

    page = client.get(reverse("accounts:my-data")).content.decode()

    rows = page.split('class="access-row"')[1:]
    assert len(rows) == 2
    official_row, staff_row = rows  # newest first
    assert "赵*" in official_row
    assert "武侯区民政" in official_row
    assert "投诉内容" in official_row
    assert "办理投诉" in official_row
    assert "张*" in staff_row
    assert provider_a.name in staff_row
    assert "手机号码" in staff_row
    assert "提供所预约的服务" in staff_row
    assert "赵敏" not in page
    assert "张伟" not in page
    assert staff_a.phone not in page


def test_resident_b_does_not_see_who_read_resident_a(client, booking, staff_a, daughter):
    client.force_login(staff_a)
    client.get(reverse("services:staff-booking", args=[booking.pk]))
    client.force_login(daughter)

    page = client.get(reverse("accounts:my-data")).content.decode()
    export = client.get(reverse("accounts:my-data-export")).json()

    assert 'class="access-row"' not in page
    assert export["sections"]["access_log"] == []


def test_the_export_says_who_for_whom_and_why(client, booking, staff_a, wang_fang, provider_a):
    client.force_login(staff_a)
    client.get(reverse("services:staff-booking", args=[booking.pk]))
    client.force_login(wang_fang)

    (row,) = client.get(reverse("accounts:my-data-export")).json()["sections"]["access_log"]

    assert row["by"] == "张*"
    assert row["organisation"] == provider_a.name
    assert row["purpose"] == "booking_fulfilment"
    assert "phone" in row["fields"]


# --- The admin's view of the log -----------------------------------------------------------------


@pytest.fixture
def logged_read(booking, staff_a, client):
    client.force_login(staff_a)
    client.get(reverse("services:staff-booking", args=[booking.pk]))
    client.logout()
    return reads().get()


def test_the_admin_lists_and_filters_the_log(client, platform_admin, logged_read):
    client.force_login(platform_admin)
    url = reverse("admin:audit_auditentry_changelist")

    listed = client.get(url, {"action": "personal_data.read"})
    other = client.get(url, {"action": "account.signup"})

    assert listed.status_code == 200
    assert listed.context["cl"].result_count == 1
    assert other.context["cl"].result_count == 0
    assert client.get(url, {"actor_role": "provider_staff"}).context["cl"].result_count == 1
    assert client.get(url, {"target_type": "services.booking"}).context["cl"].result_count == 1


def test_the_admin_can_open_an_entry_but_not_add_change_or_delete(
    client, platform_admin, logged_read
):
    client.force_login(platform_admin)
    change = reverse("admin:audit_auditentry_change", args=[logged_read.pk])

    page = client.get(change)
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()  # a read-only view
    assert client.get(reverse("admin:audit_auditentry_add")).status_code == 403
    assert client.post(change, {"action": "forged"}).status_code == 403
    delete = reverse("admin:audit_auditentry_delete", args=[logged_read.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    bulk = client.post(
        reverse("admin:audit_auditentry_changelist"),
        {"action": "delete_selected", "_selected_action": [logged_read.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    logged_read.refresh_from_db()
    assert logged_read.action == "personal_data.read"
    assert AuditEntry.objects.filter(pk=logged_read.pk).exists()


def test_only_administrators_see_the_log_in_the_admin(client, staff_a, official_wuhou, logged_read):
    for user in (staff_a, official_wuhou):
        client.force_login(user)
        response = client.get(reverse("admin:audit_auditentry_changelist"))
        assert response.status_code == 302  # to the admin login: not staff
