import re

import pytest
from django.core import mail
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_a_resident_resets_a_forgotten_password_by_email(client, wang_fang):
    response = client.post(reverse("accounts:password-reset"), {"email": "wangfang@example.cn"})
    assert response.status_code == 302

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["wangfang@example.cn"]
    assert "重置密码" in message.subject
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", message.body).group(1)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Xinmima-2026-ok", "new_password2": "Xinmima-2026-ok"}
    )
    assert done.status_code == 302

    wang_fang.refresh_from_db()
    assert wang_fang.check_password("Xinmima-2026-ok")


def test_an_unknown_email_sends_nothing_and_reveals_nothing(client, wang_fang):
    response = client.post(reverse("accounts:password-reset"), {"email": "nobody@example.cn"})
    assert response.status_code == 302  # same answer as for a known address
    assert mail.outbox == []


def test_a_tampered_reset_link_is_refused(client, wang_fang):
    page = client.get("/accounts/password/reset/MQ/set-password/", follow=True)
    assert "链接无效或已过期" in page.content.decode()


def test_a_malformed_email_is_a_field_error(client, db):
    response = client.post(reverse("accounts:password-reset"), {"email": "not-an-email"})
    assert response.status_code == 200
    assert "email" in response.context["form"].errors


def test_a_password_change_revokes_api_tokens(client, wang_fang, password):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=wang_fang)
    client.force_login(wang_fang)

    response = client.post(
        reverse("accounts:password-change"),
        {
            "old_password": password,
            "new_password1": "Xinmima-2026-ok",
            "new_password2": "Xinmima-2026-ok",
        },
    )

    assert response.status_code == 302
    assert not Token.objects.filter(user=wang_fang).exists()


def test_a_password_reset_revokes_api_tokens(client, wang_fang):
    from rest_framework.authtoken.models import Token

    Token.objects.create(user=wang_fang)
    client.post(reverse("accounts:password-reset"), {"email": "wangfang@example.cn"})
    link = re.search(r"https?://[^/]+(/accounts/password/reset/\S+/)", mail.outbox[0].body).group(1)
    set_url = client.get(link, follow=True).redirect_chain[-1][0]

    client.post(set_url, {"new_password1": "Xinmima-2026-ok", "new_password2": "Xinmima-2026-ok"})

    assert not Token.objects.filter(user=wang_fang).exists()
