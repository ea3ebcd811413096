import re

import pytest
import yaml

pytestmark = pytest.mark.django_db


def test_the_openapi_schema_describes_the_api(client):
    response = client.get("/api/schema/")

    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    assert "/api/v1/accounts/me/export/" in schema["paths"]
    assert "/api/v1/divisions/" in schema["paths"]


def test_the_docs_load_only_local_assets(client):
    html = client.get("/api/docs/").content.decode()

    assets = re.findall(r"""(?:src|href)=["']([^"']+)["']""", html)
    assert assets, "the docs page references its assets"
    assert all(a.startswith("/") and not a.startswith("//") for a in assets), assets
    for asset in assets:
        assert client.get(asset).status_code == 200, asset
    assert "<style" not in html
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)


def test_the_docs_initialiser_points_at_the_local_schema(client):
    script = client.get("/api/docs/?script=").content.decode()
    assert "/api/schema/" in script
    assert "http://" not in script
    assert "https://" not in script


def test_api_errors_share_one_shape(api_client):
    response = api_client.get("/api/v1/divisions/?within=51xx")

    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"detail", "code", "fields"}
    assert "within" in body["fields"]


def test_divisions_api_filters_by_containment(api_client):
    response = api_client.get("/api/v1/divisions/?within=510100&page_size=100")

    codes = {d["code"] for d in response.json()["results"]}
    assert "510107" in codes
    assert "510300" not in codes
    assert len(codes) == 21  # 成都市 and its 20 districts and counties


def test_an_unknown_api_path_answers_json(api_client):
    response = api_client.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。", "code": "not_found", "fields": {}}


def test_an_unknown_page_answers_a_chinese_page(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_nested_validation_errors_stay_structured():
    from rest_framework import exceptions

    from portal.api import exception_handler

    exc = exceptions.ValidationError({"slots": [{"start": ["必填"]}, {}], "name": "太长"})
    body = exception_handler(exc, {}).data

    assert body["fields"] == {"slots": [{"start": ["必填"]}, {}], "name": ["太长"]}
    assert body["code"] == "invalid"


def test_a_structured_api_exception_keeps_its_fields():
    from rest_framework import exceptions

    from portal.api import exception_handler

    exc = exceptions.PermissionDenied({"provider": "不是本机构人员"})
    body = exception_handler(exc, {}).data

    assert body["fields"] == {"provider": ["不是本机构人员"]}
    assert isinstance(body["detail"], str)


def test_the_schema_covers_providers_and_listings_with_their_error_shape(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    paths = schema["paths"]
    for path in (
        "/api/v1/providers/",
        "/api/v1/providers/{id}/transitions/",
        "/api/v1/providers/{id}/licences/",
        "/api/v1/providers/{id}/staff/",
        "/api/v1/providers/{id}/listings/bulk/",
        "/api/v1/providers/{id}/schedules/bulk/",
        "/api/v1/listings/",
        "/api/v1/listings/{listing_id}/schedule/",
        "/api/v1/verify/",
        "/api/v1/review-queue/",
        "/api/v1/certificates/{certificate_id}/revoke/",
    ):
        assert path in paths, path
    upload = paths["/api/v1/providers/{id}/licences/"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in upload
