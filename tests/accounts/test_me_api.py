import pytest

pytestmark = pytest.mark.django_db


def test_a_person_updates_their_profile_but_not_their_role(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)

    response = api_client.patch(
        "/api/v1/accounts/me/",
        {"name": "王芳芳", "elder_mode": True, "role": "official", "phone": "+8613900000000"},
        format="json",
    )

    assert response.status_code == 200
    wang_fang.refresh_from_db()
    assert wang_fang.name == "王芳芳"
    assert wang_fang.elder_mode is True
    assert wang_fang.role == "resident"  # read-only fields are ignored
    assert wang_fang.phone == "+8613800000101"


def test_a_blank_name_is_a_field_error(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)
    response = api_client.patch("/api/v1/accounts/me/", {"name": ""}, format="json")
    assert response.status_code == 400
    assert "name" in response.json()["fields"]


def test_a_malformed_email_is_a_field_error(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)
    response = api_client.patch("/api/v1/accounts/me/", {"email": "nope"}, format="json")
    assert response.status_code == 400
    assert "email" in response.json()["fields"]


def test_put_is_not_offered(api_client, wang_fang):
    api_client.force_authenticate(wang_fang)
    assert api_client.put("/api/v1/accounts/me/", {}, format="json").status_code == 405


def test_list_apis_run_a_fixed_number_of_queries(
    api_client, official_city, django_assert_max_num_queries
):
    from tests.providers.factories import ProviderFactory

    ProviderFactory.create_batch(25, division_id="510106")
    api_client.force_authenticate(official_city)
    with django_assert_max_num_queries(3):
        assert api_client.get("/api/v1/providers/").status_code == 200
    with django_assert_max_num_queries(3):
        assert api_client.get("/api/v1/divisions/?page_size=100").status_code == 200
