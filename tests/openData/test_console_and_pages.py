"""The officials' console (run now, progress, dataset edits, key revocation) and the public
catalogue pages."""

from __future__ import annotations

import pytest
from django.test import TestCase

from openData.models import Dataset, Release, Run
from openData.services import releases
from openData.services.changes import compare
from tests.accounts.factories import OfficialFactory
from tests.openData.conftest import publish
from tests.providers.factories import ProviderFactory
from tests.services.factories import public_listing


@pytest.fixture
def commerce_steward(db):
    """The city's 商务 official: stewards the listings and bookings datasets."""
    return OfficialFactory(name="钱进", jurisdiction_id="510100", department="commerce")


@pytest.fixture
def listing(db):
    return public_listing(ProviderFactory(division_id="510107"), title="上门助浴")


# --- Run now and its progress ---------------------------------------------------------------------


def test_a_steward_publishes_a_dataset_now_and_sees_the_run(
    client, catalogue, commerce_steward, listing
):
    steward = commerce_steward
    client.force_login(steward)
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/official/open-data/datasets/listings-prices/run/")

    run = Run.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/official/open-data/runs/{run.pk}/"
    run.refresh_from_db()
    assert run.status == Run.Status.PUBLISHED
    assert run.requested_by == steward
    page = client.get(response["Location"]).content.decode()
    assert "已发布" in page
    assert "身份证号" in page  # the checks the gate ran, named for people


def test_an_official_of_another_department_or_district_cannot_publish(
    client, catalogue, official_jinjiang, official_wuhou
):
    for official in (official_jinjiang, official_wuhou):
        client.force_login(official)
        response = client.post("/official/open-data/datasets/listings-prices/run/")
        assert response.status_code == 404
    assert not Run.objects.exists()


def test_residents_and_staff_do_not_reach_the_console(client, catalogue, wang_fang, staff_a):
    for user in (wang_fang, staff_a):
        client.force_login(user)
        assert client.get("/official/open-data/").status_code == 403
        assert client.post("/official/open-data/datasets/listings-prices/run/").status_code == 403


def test_a_run_in_flight_is_polled_and_a_finished_one_reloads_the_page(
    client, catalogue, commerce_steward
):
    client.force_login(commerce_steward)
    run = Run.objects.create(
        dataset=catalogue["listings-prices"], trigger="manual", status="running", progress=40
    )
    url = f"/official/open-data/runs/{run.pk}/progress/"

    fragment = client.get(url)
    assert fragment.status_code == 200
    assert 'value="40"' in fragment.content.decode()

    Run.objects.filter(pk=run.pk).update(status="published", progress=100)
    done = client.get(url)
    assert done.status_code == 204
    assert done["HX-Refresh"] == "true"


def test_a_refused_run_shows_the_masked_findings(client, catalogue, commerce_steward, listing):
    from services.models import Listing

    Listing.objects.filter(pk=listing.pk).update(description="值班手机 13812345678")
    run = publish(catalogue["listings-prices"])
    client.force_login(commerce_steward)

    page = client.get(f"/official/open-data/runs/{run.pk}/").content.decode()
    assert "安全审查未通过" in page
    assert "138****5678" in page
    assert "13812345678" not in page


def test_someone_elses_run_is_not_found(client, catalogue, official_jinjiang):
    run = Run.objects.create(dataset=catalogue["listings-prices"], trigger="manual")
    client.force_login(official_jinjiang)
    assert client.get(f"/official/open-data/runs/{run.pk}/").status_code == 404


# --- Editing a dataset ---------------------------------------------------------------------------


def test_a_steward_edits_the_timetable_and_the_next_release_moves(client, catalogue, steward):
    dataset = catalogue["supply-demand"]
    client.force_login(steward)
    form = {
        "title": dataset.title,
        "title_en": dataset.title_en,
        "description": dataset.description,
        "description_en": dataset.description_en,
        "contact_name": dataset.contact_name,
        "contact_phone": dataset.contact_phone,
        "keywords": "供需、统计、养老",
        "periodicity": "DAILY",
        "release_hour": "5",
        "legal_basis": dataset.legal_basis,
    }

    response = client.post("/official/open-data/datasets/supply-demand/", form)

    assert response.status_code == 302
    dataset.refresh_from_db()
    assert dataset.periodicity == "DAILY"
    assert dataset.keywords == ["供需", "统计", "养老"]
    from django.utils import timezone

    assert timezone.localtime(dataset.next_release_at).hour == 5


def test_a_bad_edit_is_refused_with_the_reason(client, catalogue, steward):
    dataset = catalogue["supply-demand"]
    client.force_login(steward)

    response = client.post(
        "/official/open-data/datasets/supply-demand/",
        {"title": "", "periodicity": "HOURLY", "release_hour": "25"},
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "这个字段是必填项" in page or "必填" in page
    dataset.refresh_from_db()
    assert dataset.periodicity == "MONTHLY"


# --- Public pages ---------------------------------------------------------------------------------


def test_the_catalogue_lists_every_dataset_with_facets(client, catalogue):
    page = client.get("/open/").content.decode()

    assert page.count('class="card result"') == Dataset.objects.count()
    assert "有条件开放 1" in page
    assert "不予开放 1" in page


def test_the_catalogue_filters_and_refuses_a_bad_filter(client, catalogue):
    conditional = client.get("/open/", {"access": "conditional"}).content.decode()
    assert conditional.count('class="card result"') == 1
    assert "投诉办理明细" in conditional

    bad = client.get("/open/", {"theme": "NOPE"})
    assert bad.status_code == 400
    assert "NOPE" in bad.content.decode()


def test_the_open_list_names_the_legal_basis_and_the_timetable(client, catalogue):
    page = client.get("/open/list/").content.decode()

    assert "《个人信息保护法》第二十八条" in page  # the 不予开放 dataset's basis
    assert page.count("<tr>") >= Dataset.objects.count() + 1


def test_the_dataset_page_shows_each_file_with_its_checksum(client, catalogue, listing):
    run = publish(catalogue["listings-prices"])
    page = client.get("/open/datasets/listings-prices/").content.decode()

    for file in run.release.files.all():
        assert file.sha256 in page
    assert client.get("/open/datasets/nope/").status_code == 404


# --- Change summaries ----------------------------------------------------------------------------


def test_without_a_key_a_changed_row_counts_as_one_removed_and_one_added(tmp_path):
    old = tmp_path / "old.csv"
    new = tmp_path / "new.csv"
    old.write_text("a,b\n1,x\n1,x\n2,y\n3,z\n")
    new.write_text("a,b\n1,x\n2,y\n3,w\n4,v\n")

    assert compare(new, old, []) == {"added": 2, "removed": 2, "changed": 0}
    old.write_text("a,b\n1,x\n2,y\n3,z\n5,u\n")
    assert compare(new, old, [0]) == {"added": 1, "removed": 1, "changed": 1}


def test_every_built_in_dataset_publishes_a_valid_data_package(catalogue, listing):
    from frictionless import validate

    for dataset in Dataset.objects.exclude(access=Dataset.Access.CLOSED):
        run = publish(dataset)
        assert run.status == Run.Status.PUBLISHED, (dataset.slug, run.gate_report, run.error)
        report = validate(str(releases.release_path(run.release) / "datapackage.json"))
        assert report.valid, (dataset.slug, report.flatten(["type", "note"]))
    names = set(
        Release.objects.get(dataset__slug="provider-directory").files.values_list("name", flat=True)
    )
    assert {"hsds_services.json", "hsds_organizations.json", "providers.csv"} <= names
