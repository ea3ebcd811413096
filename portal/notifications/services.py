"""Sending and reading notices."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from portal.notifications.models import Notification


def notify(
    *,
    recipients: Iterable,
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    dedupe_key: str,
) -> int:
    """Notify each recipient once per `dedupe_key`; returns how many new notices were created.

    E-mail goes out after the surrounding transaction commits, and only for new notices.
    """
    created = 0
    for user in recipients:
        notice, is_new = Notification.objects.get_or_create(
            recipient=user,
            dedupe_key=dedupe_key,
            defaults={"kind": kind, "title": title, "body": body, "link": link},
        )
        if is_new:
            created += 1
            if user.email and getattr(user, "notify_by_email", True):
                transaction.on_commit(
                    lambda n=notice, to=user.email: send_mail(
                        n.title, n.body, None, [to], fail_silently=True
                    )
                )
    return created


def notifications_mark_read(*, user) -> int:
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )
