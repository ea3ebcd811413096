"""Closing an account erases at once what must go; what is kept (complaint cases, the audit
trail of who read the person's data) is pseudonymised by the nightly job once
ACCOUNT_RETENTION_DAYS have passed, one transaction per account, never twice."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.conf import settings
from django.urls import reverse

from matching.models import Need
from matching.services.needs import need_create
from portal.accounts import personal_data
from portal.accounts.services import user_erase
from portal.audit.models import AuditEntry
from portal.tasks import purge_closed_accounts
from ratings.models import ComplaintFile, ComplaintMessage
from ratings.services.complaints import complaint_message
from services.models import Booking
from tests.matching.factories import matchable_listing, need_data
from tests.ratings.factories import evidence, file_complaint
from tests.services.factories import AddressFactory, book

pytestmark = pytest.mark.django_db

CLOSED_AT = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)
DESCRIPTION = "护理员迟到两小时，请回电 13912345678。"


@pytest.fixture
def closed(wang_fang, password, provider_a, staff_a, client):
    """王芳 with a booking, an open need, a complaint with a message and evidence, and a read of
    her data by provider staff; she closes her account on CLOSED_AT."""
    address = AddressFactory(owner=wang_fang)
    _listing, slot = matchable_listing(provider_a)
    booking = book(wang_fang, slot, address=address, note="门铃坏了请敲门")
    need = need_create(
        resident=wang_fang, data=need_data(wang_fang, address=address.pk, text="父亲行动不便")
    )
    complaint = file_complaint(
        wang_fang, provider=provider_a, description=DESCRIPTION, files=[evidence()]
    )
    complaint_message(complaint=complaint, author=wang_fang, text="补充：13912345678 随时可打")
    client.force_login(staff_a)
    client.get(reverse("services:staff-booking", args=[booking.pk]))
    with time_machine.travel(CLOSED_AT, tick=False):
        user_erase(user=wang_fang, password=password)
    wang_fang.refresh_from_db()
    return {"user": wang_fang, "booking": booking, "need": need, "complaint": complaint}


def test_closing_erases_at_once_what_must_go_and_keeps_the_case(closed):
    user, booking, need, complaint = (
        closed["user"],
        closed["booking"],
        closed["need"],
        closed["complaint"],
    )
    booking.refresh_from_db()
    need.refresh_from_db()
    complaint.refresh_from_db()

    assert user.erased_at == CLOSED_AT
    assert not user.is_active
    assert user.retention_purged_at is None
    assert booking.status == Booking.Status.CANCELLED_BY_RESIDENT
    assert booking.note == ""
    assert need.status == Need.Status.WITHDRAWN
    assert need.text == ""
    assert need.address_id is None
    # Kept for the retention period: the case as written, and who read her data.
    assert complaint.description == DESCRIPTION
    assert AuditEntry.objects.filter(subject=user, action="personal_data.read").count() == 1


def test_the_job_leaves_accounts_inside_the_retention_period(closed):
    days = settings.ACCOUNT_RETENTION_DAYS
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=days) - dt.timedelta(minutes=1)):
        assert purge_closed_accounts() == 0
    closed["complaint"].refresh_from_db()
    assert closed["complaint"].description == DESCRIPTION


def test_after_the_period_the_job_pseudonymises_what_was_kept(
    closed, settings, django_capture_on_commit_callbacks
):
    settings.ACCOUNT_RETENTION_DAYS = 30
    user, complaint = closed["user"], closed["complaint"]
    stored = ComplaintFile.objects.get(complaint=complaint).file
    storage, name = stored.storage, stored.name
    assert storage.exists(name)

    with (
        time_machine.travel(CLOSED_AT + dt.timedelta(days=30, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        done = purge_closed_accounts()

    assert done == 1
    user.refresh_from_db()
    complaint.refresh_from_db()
    assert user.retention_purged_at == CLOSED_AT + dt.timedelta(days=30, hours=1)
    assert "13912345678" not in complaint.description
    assert complaint.desired_outcome == ""
    assert all(
        "13912345678" not in m.text for m in ComplaintMessage.objects.filter(complaint=complaint)
    )
    assert not ComplaintFile.objects.filter(complaint=complaint).exists()
    assert not storage.exists(name)
    # The audit trail stays (what was read, by whom, why) but no longer points at the account.
    read = AuditEntry.objects.get(action="personal_data.read")
    assert read.subject is None
    assert read.actor is not None
    assert read.detail["purpose"] == "booking_fulfilment"
    assert not AuditEntry.objects.filter(subject=user).exists()
    assert not AuditEntry.objects.filter(actor=user).exists()
    assert (
        AuditEntry.objects.filter(action="account.retention_purged", target_id=str(user.pk)).count()
        == 1
    )


def test_running_the_job_twice_does_the_work_once(closed, settings):
    settings.ACCOUNT_RETENTION_DAYS = 30
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=31), tick=False):
        assert purge_closed_accounts() == 1
    first = closed["user"].__class__.objects.get(pk=closed["user"].pk).retention_purged_at

    with time_machine.travel(CLOSED_AT + dt.timedelta(days=32), tick=False):
        assert purge_closed_accounts() == 0

    user = closed["user"].__class__.objects.get(pk=closed["user"].pk)
    assert user.retention_purged_at == first
    assert AuditEntry.objects.filter(action="account.retention_purged").count() == 1


def test_open_accounts_are_never_touched(wang_fang, daughter, settings):
    settings.ACCOUNT_RETENTION_DAYS = 0
    with time_machine.travel(dt.datetime(2030, 1, 1, tzinfo=dt.UTC)):
        assert purge_closed_accounts() == 0
    wang_fang.refresh_from_db()
    assert wang_fang.retention_purged_at is None
    assert wang_fang.is_active


def test_one_account_failing_does_not_undo_or_stop_the_others(
    closed, daughter, password, settings, monkeypatch
):
    """One transaction per account: the failing one is rolled back whole (and retried next
    night), the other is done."""
    with time_machine.travel(CLOSED_AT, tick=False):
        user_erase(user=daughter, password=password)
    settings.ACCOUNT_RETENTION_DAYS = 30
    failing = closed["user"].pk

    def explode(user):
        if user.pk == failing:
            raise RuntimeError("storage unavailable")

    monkeypatch.setitem(personal_data._purgers, "zz_test", explode)
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=31), tick=False):
        assert purge_closed_accounts() == 1

    closed["complaint"].refresh_from_db()
    daughter.refresh_from_db()
    assert daughter.retention_purged_at is not None
    assert closed["complaint"].description == DESCRIPTION  # rolled back whole
    assert AuditEntry.objects.filter(subject_id=failing).exists()

    monkeypatch.delitem(personal_data._purgers, "zz_test")
    with time_machine.travel(CLOSED_AT + dt.timedelta(days=32), tick=False):
        assert purge_closed_accounts() == 1  # the retry next night completes it


def test_the_job_is_on_the_nightly_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["purge-closed-accounts"]
    assert entry["task"] == "portal.tasks.purge_closed_accounts"
