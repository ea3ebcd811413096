import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, phone, password):
    return client.post(reverse("accounts:login"), {"username": phone, "password": password})


@pytest.mark.parametrize("typed", ["13800000101", "+86 138 0000 0101", "86-13800000101"])
def test_a_resident_logs_in_with_the_phone_as_people_type_it(client, wang_fang, password, typed):
    response = _login(client, typed, password)

    assert response.status_code == 302
    assert response.url == reverse("accounts:home")
    assert client.get(reverse("accounts:home")).url == reverse("accounts:me")


def test_each_role_lands_on_its_own_page(client, official_wuhou, staff_a, password):
    _login(client, official_wuhou.phone, password)
    assert client.get(reverse("accounts:home")).url == reverse("workbench-official")
    client.logout()
    _login(client, staff_a.phone, password)
    assert client.get(reverse("accounts:home")).url == reverse("workbench-provider")


def test_a_wrong_password_says_so_in_chinese(client, wang_fang):
    response = _login(client, wang_fang.phone, "wrong-password")

    assert response.status_code == 200
    assert "手机号码或密码不正确" in response.content.decode()


def test_a_malformed_phone_is_a_field_error(client, db):
    response = _login(client, "12345", "whatever-pass")

    assert "有效的中国大陆手机号码" in " ".join(response.context["form"].errors["username"])


def test_five_failures_lock_the_number_even_with_the_right_password(client, wang_fang, password):
    for _ in range(5):
        _login(client, wang_fang.phone, "wrong-password")

    # Typed differently, from another address: the lock on the number holds.
    response = client.post(
        reverse("accounts:login"),
        {"username": "138 0000 0101", "password": password},
        REMOTE_ADDR="10.9.8.7",
    )

    assert response.status_code == 429
    assert "锁定" in response.content.decode()
    assert client.get(reverse("accounts:me")).status_code == 302  # not signed in


def test_four_failures_do_not_lock(client, wang_fang, password):
    for _ in range(4):
        _login(client, wang_fang.phone, "wrong-password")

    assert _login(client, wang_fang.phone, password).status_code == 302


def test_the_token_api_is_throttled_by_the_same_counter(api_client, wang_fang, password):
    statuses = [
        api_client.post(
            "/api/v1/accounts/token/",
            {"phone": wang_fang.phone, "password": "nope-nope"},
            format="json",
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [400, 400, 400, 400, 429]

    response = api_client.post(
        "/api/v1/accounts/token/", {"phone": wang_fang.phone, "password": password}, format="json"
    )

    assert response.status_code == 429
    assert response.json()["code"] == "locked_out"


def test_the_token_api_issues_a_token_that_authenticates(api_client, wang_fang, password):
    response = api_client.post(
        "/api/v1/accounts/token/", {"phone": "13800000101", "password": password}, format="json"
    )
    assert response.status_code == 200
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {response.json()['token']}")

    me = api_client.get("/api/v1/accounts/me/")

    assert me.status_code == 200
    assert me.json()["name"] == "王芳"


def test_logout_is_a_post(client, wang_fang, password):
    _login(client, wang_fang.phone, password)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:me")).status_code == 302


def test_logging_into_another_account_does_not_reset_the_count_against_a_victim(
    client, wang_fang, daughter, password
):
    for _ in range(4):
        _login(client, wang_fang.phone, "guess-guess")
    assert _login(client, daughter.phone, password).status_code == 302  # the attacker's own
    client.logout()

    _login(client, wang_fang.phone, "guess-guess")

    assert _login(client, wang_fang.phone, password).status_code == 429


def test_password_spraying_from_one_address_is_locked(client, wang_fang, password):
    for n in range(5):
        _login(client, f"1390000{n:04d}", "spray-spray")

    assert _login(client, wang_fang.phone, password).status_code == 429
    other_address = client.post(
        reverse("accounts:login"),
        {"username": wang_fang.phone, "password": password},
        REMOTE_ADDR="10.1.2.3",
    )
    assert other_address.status_code == 302


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "1.1.1.1", "127.0.0.1"),  # no proxy: the header is the client's own text
        (1, "6.6.6.6, 203.0.113.9", "203.0.113.9"),  # the spoofed entry is ignored
        (1, "", "127.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_the_configured_proxies(
    rf, settings, proxies, forwarded, expected
):
    from portal.netutils import client_ip

    settings.PROXY_COUNT = proxies
    request = rf.get("/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected
