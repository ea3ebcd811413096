"""Whom an organisation serves for banked hours: its managers see the person's name masked and
the note's identifiers redacted; the name and phone come on an explicit POST, audit-logged,
only while the service is still to be delivered."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.audit.models import AuditEntry
from tests.accounts.factories import UserFactory
from tests.volunteers.factories import banked, organisation, timebank_service, volunteer
from volunteers.errors import VolunteerConflict
from volunteers.forms_timebank import RedeemForm
from volunteers.services import (
    redemption_cancel,
    redemption_contact_reveal,
    redemption_create,
    redemption_fulfil,
)

pytestmark = pytest.mark.django_db

NOTE = "下午方便，电话 13912345678，身份证 510107195003151234"


@pytest.fixture
def redemption(wang_fang, org):
    vol = volunteer(wang_fang)
    banked(vol, hours=3, org=org)
    service = timebank_service(org, price_minutes=60)
    return redemption_create(
        user=wang_fang,
        service=service,
        wanted_on=timezone.localdate() + dt.timedelta(days=1),
        note=NOTE,
    )


def contact_url(redemption) -> str:
    return reverse("volunteers:org-redemption-contact", kwargs={"pk": redemption.pk})


def reads():
    return AuditEntry.objects.filter(action="personal_data.read")


def test_the_detail_page_shows_the_masked_name_and_reads_nothing(redemption, boss, client):
    client.force_login(boss)

    response = client.get(reverse("volunteers:org-redemption", kwargs={"pk": redemption.pk}))

    page = response.content.decode()
    volunteer = redemption.account.volunteer
    assert response.status_code == 200
    assert volunteer.masked_name in page
    assert volunteer.real_name not in page
    assert volunteer.phone not in page
    assert 'method="post"' in page
    assert contact_url(redemption) in page
    assert not reads().exists()


def test_the_manager_asks_for_the_contact_and_the_read_is_logged(
    redemption, boss, wang_fang, client
):
    client.force_login(boss)

    fragment = client.post(contact_url(redemption), HTTP_HX_REQUEST="true")
    page = client.post(contact_url(redemption))  # without JavaScript: the whole page

    volunteer = redemption.account.volunteer
    for response in (fragment, page):
        assert response.status_code == 200
        assert volunteer.real_name in response.content.decode()
        assert volunteer.phone in response.content.decode()
    assert "<html" not in fragment.content.decode()
    assert reads().filter(actor=boss, subject=wang_fang).count() == 2


def test_a_get_on_the_contact_url_reveals_nothing(redemption, boss, client):
    client.force_login(boss)

    assert client.get(contact_url(redemption)).status_code == 405
    assert not reads().exists()


@pytest.mark.parametrize("close", ["fulfil", "cancel"])
def test_a_delivered_or_cancelled_request_keeps_its_contact_hidden(redemption, boss, client, close):
    if close == "fulfil":
        redemption_fulfil(redemption=redemption, actor=boss)
    else:
        redemption_cancel(redemption=redemption, actor=boss)
    redemption.refresh_from_db()

    with pytest.raises(VolunteerConflict) as refused:
        redemption_contact_reveal(redemption=redemption, actor=boss)
    assert refused.value.code == "not_requested"

    client.force_login(boss)
    detail = client.get(reverse("volunteers:org-redemption", kwargs={"pk": redemption.pk}))
    assert contact_url(redemption) not in detail.content.decode()
    response = client.post(contact_url(redemption))
    assert response.status_code == 409
    assert redemption.account.volunteer.real_name not in response.content.decode()
    htmx = client.post(contact_url(redemption), HTTP_HX_REQUEST="true")
    assert 'role="alert"' in htmx.content.decode()
    assert not reads().exists()


def test_someone_else_cannot_ask_for_the_contact(redemption, client):
    stranger = UserFactory()
    organisation(stranger)
    client.force_login(stranger)

    assert client.post(contact_url(redemption)).status_code == 404
    assert not reads().exists()


def test_the_note_is_redacted_in_the_queue_the_detail_and_the_api(
    redemption, boss, client, api_client
):
    client.force_login(boss)
    api_client.force_authenticate(boss)
    org = redemption.service.organisation_id

    queue = client.get(reverse("volunteers:org-redemptions", kwargs={"pk": org}))
    detail = client.get(reverse("volunteers:org-redemption", kwargs={"pk": redemption.pk}))
    revealed = client.post(contact_url(redemption))
    api = api_client.get(f"/api/v1/volunteers/organisations/{org}/redemptions/")

    for response in (queue, detail, revealed, api):
        body = response.content.decode()
        assert response.status_code == 200
        assert "13912345678" not in body
        assert "510107195003151234" not in body
        assert "139****5678" in body
    assert api.json()[0]["note"].startswith("下午方便")


def test_the_note_field_does_not_ask_for_an_address():
    note = RedeemForm().fields["note"]

    assert "上门" not in str(note.label)
    assert "地址" not in str(note.label)
    assert "住址" in str(note.help_text)
    assert "身份证" in str(note.help_text)
