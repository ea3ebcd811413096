import pytest
from django.urls import reverse

from portal.accounts.models import User
from portal.audit.models import AuditEntry

pytestmark = pytest.mark.django_db


def test_the_admin_lists_users_with_masked_identities(client, platform_admin, wang_fang):
    client.force_login(platform_admin)
    page = client.get(reverse("admin:accounts_user_changelist")).content.decode()
    assert "138****0101" in page
    assert "王*" in page


def test_opening_an_account_in_the_admin_is_an_audited_read(client, platform_admin, wang_fang):
    client.force_login(platform_admin)

    assert client.get(reverse("admin:accounts_user_change", args=[wang_fang.pk])).status_code == 200

    entry = AuditEntry.objects.get(action="personal_data.read")
    assert entry.actor == platform_admin
    assert entry.subject == wang_fang


def test_the_admin_creates_an_official_with_a_normalised_phone(client, platform_admin):
    client.force_login(platform_admin)
    assert client.get(reverse("admin:accounts_user_add")).status_code == 200

    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "137 0000 0009",
            "name": "钱进",
            "role": "official",
            "jurisdiction": "510105",
            "department": "civil_affairs",
            "usable_password": "true",
            "password1": "Qingyang-2026",
            "password2": "Qingyang-2026",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    official = User.objects.get(phone="+8613700000009")
    assert official.covers("510105")


def test_the_admin_refuses_an_official_without_a_jurisdiction(client, platform_admin):
    client.force_login(platform_admin)
    response = client.post(
        reverse("admin:accounts_user_add"),
        {
            "phone": "13700000009",
            "name": "钱进",
            "role": "official",
            "department": "health",
            "usable_password": "true",
            "password1": "Qingyang-2026",
            "password2": "Qingyang-2026",
        },
    )
    assert response.status_code == 200
    assert "管辖区域" in response.content.decode()
    assert not User.objects.filter(phone="+8613700000009").exists()


def test_the_admin_login_takes_a_phone_as_people_type_it(client, platform_admin, password):
    response = client.post(
        reverse("admin:login"),
        {"username": platform_admin.phone.removeprefix("+86"), "password": password},
    )
    assert response.status_code == 302


def test_residents_cannot_enter_the_admin(client, wang_fang):
    client.force_login(wang_fang)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert reverse("admin:login") in response.url
