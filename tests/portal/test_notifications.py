"""Notices: in-app always, e-mail only for people who chose it; once per dedupe key."""

from django.core import mail
from django.urls import reverse

from portal.notifications.models import Notification
from portal.notifications.services import notify


def test_email_goes_only_to_people_who_chose_it(
    wang_fang, daughter, django_capture_on_commit_callbacks
):
    daughter.notify_by_email = False
    daughter.save(update_fields=["notify_by_email"])
    with django_capture_on_commit_callbacks(execute=True):
        created = notify(
            recipients=[wang_fang, daughter], kind="t", title="预约已确认", dedupe_key="k1"
        )
    assert created == 2
    assert Notification.objects.filter(recipient=daughter).count() == 1
    assert [m.to for m in mail.outbox] == [[wang_fang.email]]


def test_the_same_notice_is_sent_once(wang_fang, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(recipients=[wang_fang], kind="t", title="x", dedupe_key="k2")
        assert notify(recipients=[wang_fang], kind="t", title="x", dedupe_key="k2") == 0
    assert len(mail.outbox) == 1


def test_a_resident_turns_email_notices_off_on_the_account_page(client, wang_fang):
    client.force_login(wang_fang)
    client.post(reverse("accounts:me"), {"name": "王芳", "email": wang_fang.email})
    wang_fang.refresh_from_db()
    assert wang_fang.notify_by_email is False
    client.post(
        reverse("accounts:me"), {"name": "王芳", "email": wang_fang.email, "notify_by_email": "on"}
    )
    wang_fang.refresh_from_db()
    assert wang_fang.notify_by_email is True
