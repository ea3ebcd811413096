"""The public open-data API (/api/open/v1/): catalogue search with facets, dataset detail,
releases and streamed downloads, the DCAT-AP catalogue; and the stewards' publication runs
(/api/v1/open-data/)."""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
from django.core.cache import cache
from rdflib import Graph
from rdflib import namespace as rdf

from openData.errors import OpenDataError
from openData.models import Dataset, Run
from openData.services import releases
from portal.accounts.models import User
from tests.accounts.factories import OfficialFactory
from tests.openData.conftest import publish

OPEN = "/api/open/v1"
DATASETS = f"{OPEN}/datasets/"


@pytest.fixture(autouse=True)
def _fresh_throttles():
    """The per-address limit counts in the cache: no test inherits another's requests."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def grades(catalogue) -> Dataset:
    return catalogue["quality-grades"]


@pytest.fixture
def published(grades):
    """Version 1 of the quality grades (the tables may be empty; the files exist)."""
    run = publish(grades)
    assert run.status == Run.Status.PUBLISHED, run.error or run.gate_report
    return run.release


def slugs(response) -> set[str]:
    return {row["slug"] for row in response.json()["results"]}


# --- Search ----------------------------------------------------------------------------------


def test_anyone_searches_the_whole_catalogue_with_facets_that_add_up(
    api_client, catalogue, published
):
    response = api_client.get(DATASETS)

    assert response.status_code == 200
    data = response.json()
    assert data["count"] == Dataset.objects.count() == len(catalogue) == 13
    assert slugs(response) == set(catalogue)
    facets = data["facets"]
    assert set(facets) == {"theme", "publisher", "access", "format"}
    assert sum(f["count"] for f in facets["access"]) == data["count"]
    assert sum(f["count"] for f in facets["publisher"]) == data["count"]
    assert sum(f["count"] for f in facets["theme"]) == sum(
        len(row["themes"]) for row in data["results"]
    )
    access = {f["value"]: f["count"] for f in facets["access"]}
    assert access == {"open": 11, "conditional": 1, "closed": 1}
    assert {f["value"]: f["label"] for f in facets["access"]}["conditional"] == "有条件开放"
    # Only the quality grades are published: each of its formats counts once.
    assert {f["value"]: f["count"] for f in facets["format"]} == {
        "csv": 1,
        "json": 1,
        "xlsx": 1,
        "datapackage": 1,
    }
    grades_row = next(row for row in data["results"] if row["slug"] == "quality-grades")
    assert grades_row["latest_version"] == 1
    assert grades_row["formats"] == ["csv", "json", "xlsx", "datapackage"]


def test_the_access_filter_returns_only_that_kind(api_client, catalogue):
    response = api_client.get(DATASETS, {"access": "conditional"})

    assert response.status_code == 200
    assert slugs(response) == {"complaint-cases"}
    assert response.json()["count"] == 1
    assert response.json()["facets"]["access"] == [
        {"value": "conditional", "label": "有条件开放", "count": 1}
    ]


def test_the_theme_filter_returns_the_datasets_of_that_theme(api_client, catalogue):
    response = api_client.get(DATASETS, {"theme": "HEAL"})

    assert slugs(response) == {"health-records"}


def test_the_json_format_filter_returns_the_datasets_published_in_it(api_client, published):
    response = api_client.get(DATASETS, {"format": "json"})

    assert response.status_code == 200
    assert slugs(response) == {"quality-grades"}


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "datapackage"])
def test_the_format_filter_returns_the_datasets_published_in_that_format(
    api_client, published, fmt
):
    response = api_client.get(DATASETS, {"format": fmt})

    assert response.status_code == 200
    assert slugs(response) == {"quality-grades"}


def test_an_unknown_format_is_bad_input(api_client, catalogue):
    response = api_client.get(DATASETS, {"format": "pdf"})

    assert response.status_code == 400
    assert "format" in response.json()["fields"]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"theme": "XXXX"}, "theme"),
        ({"access": "secret"}, "access"),
        ({"publisher": "police"}, "publisher"),
    ],
)
def test_an_unknown_filter_value_is_bad_input(api_client, catalogue, params, field):
    response = api_client.get(DATASETS, params)

    assert response.status_code == 400
    assert response.json()["fields"][field] == [
        f"选择一个有效的选项。 {params[field]} 不在可用的选项中。"
    ]


def test_the_words_search_finds_the_complaint_datasets(api_client, catalogue):
    response = api_client.get(DATASETS, {"q": "投诉"})

    assert response.status_code == 200
    assert slugs(response) == {"complaint-stats", "complaint-cases"}


def test_a_word_nothing_matches_finds_nothing(api_client, catalogue):
    response = api_client.get(DATASETS, {"q": "火星殖民"})

    assert response.json()["count"] == 0
    assert response.json()["results"] == []


def test_the_search_answers_in_a_fixed_number_of_queries(
    api_client, catalogue, published, django_assert_max_num_queries
):
    """datasets + releases + files, whatever the number of datasets and releases."""
    publish(catalogue["listings-prices"])
    publish(catalogue["complaint-cases"])
    publish(catalogue["quality-grades"])  # a second version: more releases, same queries

    with django_assert_max_num_queries(3):
        response = api_client.get(DATASETS)

    assert response.status_code == 200
    versions = {row["slug"]: row["latest_version"] for row in response.json()["results"]}
    assert versions["quality-grades"] == 2
    assert versions["listings-prices"] == 1


# --- A dataset and its releases --------------------------------------------------------------


def test_a_dataset_is_described_by_its_slug(api_client, grades, published):
    response = api_client.get(f"{DATASETS}quality-grades/")

    assert response.status_code == 200
    data = response.json()
    assert data["slug"] == "quality-grades"
    assert data["title"] == grades.title
    assert data["access"] == "open"
    assert data["latest_version"] == 1
    assert data["formats"] == ["csv", "json", "xlsx", "datapackage"]


def test_an_unknown_dataset_is_not_found(api_client, catalogue):
    response = api_client.get(f"{DATASETS}no-such-dataset/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
    assert response.json()["detail"] == "数据集不存在。"


def test_the_releases_list_the_files_with_their_checksums(api_client, grades, published):
    response = api_client.get(f"{DATASETS}quality-grades/releases/")

    assert response.status_code == 200
    [release] = response.json()
    assert release["version"] == 1
    recorded = {f.name: f.sha256 for f in published.files.all()}
    assert {f["name"]: f["sha256"] for f in release["files"]} == recorded
    assert {"grades.csv", "inspections.csv", "datapackage.json"} <= set(recorded)
    for file in release["files"]:
        assert file["download_url"].endswith(
            f"/api/open/v1/datasets/quality-grades/releases/1/files/{file['name']}"
        )


def test_a_new_release_comes_first_in_the_list(api_client, grades, published):
    publish(grades)

    response = api_client.get(f"{DATASETS}quality-grades/releases/")

    assert [release["version"] for release in response.json()] == [2, 1]


def test_latest_is_the_newest_version(api_client, grades, published):
    latest = api_client.get(f"{DATASETS}quality-grades/releases/latest/")
    first = api_client.get(f"{DATASETS}quality-grades/releases/1/")

    assert latest.status_code == first.status_code == 200
    assert latest.json() == first.json()
    assert latest.json()["version"] == 1

    publish(grades)
    assert api_client.get(f"{DATASETS}quality-grades/releases/latest/").json()["version"] == 2


@pytest.mark.parametrize("version", ["99", "0", "one"])
def test_an_unknown_version_is_not_found(api_client, published, version):
    response = api_client.get(f"{DATASETS}quality-grades/releases/{version}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_dataset_without_releases_has_no_latest(api_client, catalogue):
    assert api_client.get(f"{DATASETS}quality-grades/releases/").json() == []
    assert api_client.get(f"{DATASETS}quality-grades/releases/latest/").status_code == 404


def test_an_open_file_downloads_anonymously_as_a_stream_with_its_checksum(api_client, published):
    response = api_client.get(f"{DATASETS}quality-grades/releases/1/files/grades.csv")

    assert response.status_code == 200
    assert response.streaming is True
    content = b"".join(response.streaming_content)
    recorded = published.files.get(name="grades.csv")
    assert hashlib.sha256(content).hexdigest() == response["X-Checksum-SHA256"]
    assert response["X-Checksum-SHA256"] == recorded.sha256
    assert response["ETag"] == f'"{recorded.sha256}"'
    assert len(content) == recorded.size
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert "quality-grades-v1-grades.csv" in response["Content-Disposition"]
    assert response["Cache-Control"] == "public, max-age=86400, immutable"


def test_the_data_package_of_a_release_downloads_as_json(api_client, published):
    response = api_client.get(f"{DATASETS}quality-grades/releases/latest/files/datapackage.json")

    assert response.status_code == 200
    descriptor = json.loads(b"".join(response.streaming_content))
    assert {r["name"] for r in descriptor["resources"]} == {"grades", "inspections"}


@pytest.mark.parametrize("name", ["nope.csv", "..%2Fdatapackage.json", "grades.CSV"])
def test_an_unknown_file_is_not_found(api_client, published, name):
    response = api_client.get(f"{DATASETS}quality-grades/releases/1/files/{name}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_a_closed_dataset_has_no_releases_and_cannot_be_published(api_client, catalogue):
    closed = catalogue["health-records"]

    assert api_client.get(f"{DATASETS}health-records/").json()["access"] == "closed"
    assert api_client.get(f"{DATASETS}health-records/releases/").json() == []
    with pytest.raises(OpenDataError) as refused:
        releases.run_request(dataset=closed)
    assert refused.value.code == "not_published"
    assert not Run.objects.filter(dataset=closed).exists()


# --- DCAT-AP ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "content_type", "fmt"),
    [
        ("catalog.jsonld", "application/ld+json", "json-ld"),
        ("catalog.ttl", "text/turtle", "turtle"),
    ],
)
def test_the_catalogue_is_published_as_dcat(
    api_client, catalogue, published, path, content_type, fmt
):
    response = api_client.get(f"{OPEN}/{path}")

    assert response.status_code == 200
    assert response["Content-Type"].split(";")[0] == content_type
    graph = Graph().parse(data=response.content.decode(), format=fmt)
    assert len(list(graph.subjects(rdf.RDF.type, rdf.DCAT.Catalog))) == 1
    datasets = list(graph.subjects(rdf.RDF.type, rdf.DCAT.Dataset))
    assert len(datasets) == Dataset.objects.count() == 13
    nodes = {str(graph.value(node, rdf.DCTERMS.identifier)): node for node in datasets}
    assert set(nodes) == set(catalogue)
    # The published dataset has one distribution per file of its latest release; others none.
    distributions = {
        slug: len(list(graph.objects(node, rdf.DCAT.distribution))) for slug, node in nodes.items()
    }
    assert distributions.pop("quality-grades") == published.files.count() == 7
    assert set(distributions.values()) == {0}


# --- Publication runs (stewards) -------------------------------------------------------------


def runs_url(slug: str) -> str:
    return f"/api/v1/open-data/datasets/{slug}/runs/"


def test_a_steward_publishes_a_dataset_now(
    api_client, grades, steward, django_capture_on_commit_callbacks
):
    api_client.force_authenticate(steward)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(runs_url("quality-grades"))

    assert response.status_code == 202, response.json()
    assert response.json()["dataset"] == "quality-grades"
    assert response.json()["trigger"] == "manual"
    run = Run.objects.get(pk=response.json()["id"])
    assert run.requested_by == steward
    assert run.status == Run.Status.PUBLISHED, run.error
    detail = api_client.get(f"/api/v1/open-data/runs/{run.pk}/")
    assert detail.status_code == 200
    assert detail.json()["status"] == "published"
    assert detail.json()["version"] == 1
    assert detail.json()["progress"] == 100


def test_a_second_run_while_one_is_queued_is_a_conflict(api_client, grades, steward):
    api_client.force_authenticate(steward)
    first = api_client.post(runs_url("quality-grades"))  # not run: on_commit never fires here

    second = api_client.post(runs_url("quality-grades"))

    assert first.status_code == 202
    assert first.json()["status"] == "queued"
    assert second.status_code == 409
    assert second.json()["code"] == "run_in_flight"


@pytest.mark.parametrize("who", ["wang_fang", "staff_a", "official_wuhou", "official_jinjiang"])
def test_only_a_steward_may_publish(request, api_client, grades, who):
    api_client.force_authenticate(request.getfixturevalue(who))

    response = api_client.post(runs_url("quality-grades"))

    assert response.status_code == 403
    assert response.json()["code"] == "not_steward"
    assert not Run.objects.exists()


def test_an_anonymous_caller_may_not_publish(api_client, grades):
    assert api_client.post(runs_url("quality-grades")).status_code == 401
    assert not Run.objects.exists()


def test_publishing_an_unknown_dataset_is_not_found(api_client, catalogue, steward):
    api_client.force_authenticate(steward)

    response = api_client.post(runs_url("no-such-dataset"))

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_publishing_a_closed_dataset_is_refused(api_client, catalogue):
    health = OfficialFactory(jurisdiction_id="510100", department=User.Department.HEALTH)
    api_client.force_authenticate(health)

    response = api_client.post(runs_url("health-records"))

    assert response.status_code == 400
    assert response.json()["code"] == "not_published"
    assert not Run.objects.exists()


def test_an_unknown_run_is_not_found(api_client, steward):
    api_client.force_authenticate(steward)

    response = api_client.get(f"/api/v1/open-data/runs/{uuid.uuid4()}/")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("who", ["wang_fang", "official_wuhou"])
def test_a_run_is_hidden_from_those_who_do_not_steward_its_dataset(
    request, api_client, published, who
):
    api_client.force_authenticate(request.getfixturevalue(who))

    response = api_client.get(f"/api/v1/open-data/runs/{published.run_id}/")

    assert response.status_code == 404
