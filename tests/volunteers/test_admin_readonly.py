"""The admin shows hour records, certificates and the time bank but never writes them: minutes
or a status changed there would bypass the time bank's ledger and the audit log."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.volunteers.factories import (
    activity,
    banked,
    certificate,
    hour_record,
    organisation,
    volunteer,
)
from volunteers.models import (
    HourRecord,
    TimeBankAccount,
    TimeBankPosting,
    TimeBankTransaction,
)

pytestmark = pytest.mark.django_db

MODELS = [
    "hourrecord",
    "certificate",
    "timebankaccount",
    "timebanktransaction",
    "timebankposting",
    "timebankservice",
    "timebankredemption",
]


def test_the_records_are_viewable_but_not_writable(client, platform_admin, wang_fang):
    vol = volunteer(wang_fang)
    record = banked(vol, hours=2)
    objects = {
        "hourrecord": record,
        "certificate": certificate(vol),
        "timebankaccount": TimeBankAccount.objects.get(volunteer=vol),
        "timebanktransaction": TimeBankTransaction.objects.first(),
        "timebankposting": TimeBankPosting.objects.first(),
    }
    client.force_login(platform_admin)

    for name in MODELS:
        changelist = client.get(reverse(f"admin:volunteers_{name}_changelist"))
        assert changelist.status_code == 200, name
        assert client.get(reverse(f"admin:volunteers_{name}_add")).status_code == 403, name
    for name, obj in objects.items():
        change = reverse(f"admin:volunteers_{name}_change", args=[obj.pk])
        page = client.get(change)
        assert page.status_code == 200, name
        assert 'name="_save"' not in page.content.decode(), name
        assert client.post(change, {}).status_code == 403, name
        delete = reverse(f"admin:volunteers_{name}_delete", args=[obj.pk])
        assert client.post(delete, {"post": "yes"}).status_code == 403, name

    record.refresh_from_db()
    assert (record.status, record.minutes) == (HourRecord.Status.CONFIRMED, 120)


def test_an_hour_record_cannot_be_edited_in_the_admin(client, platform_admin, wang_fang):
    act = activity(organisation(), starts_in=-dt.timedelta(days=1), hours=1)
    record = hour_record(act, volunteer(wang_fang))
    client.force_login(platform_admin)

    response = client.post(
        reverse("admin:volunteers_hourrecord_change", args=[record.pk]),
        {"minutes": 600, "status": "confirmed"},
    )

    record.refresh_from_db()
    assert response.status_code == 403
    assert (record.status, record.minutes) == (HourRecord.Status.PENDING, 60)
    assert not TimeBankAccount.objects.filter(volunteer=record.volunteer).exists()
