"""Open data (issue 8): the public browses the catalogue, downloads a CSV and checks its SHA-256
against the one the page shows; an organisation applies for the conditional dataset, the city
official approves it, and the organisation's key downloads the file."""

from __future__ import annotations

import hashlib

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import log_in, log_out

pytestmark = pytest.mark.e2e

STAFF = "+8613900000002"  # 陈静, applying for a research partner
OFFICIAL = "+8613700000003"  # 周强, 成都市 民政: stewards the 民政 datasets


def _publish(*slugs: str) -> None:
    from openData.models import Dataset, Run
    from openData.services import releases

    for slug in slugs:
        dataset = Dataset.objects.get(slug=slug)
        run = releases.run_execute(Run.objects.create(dataset=dataset, trigger="manual").pk)
        assert run.status == Run.Status.PUBLISHED, run.gate_report


def test_the_public_downloads_a_checked_file_and_an_organisation_gets_a_key(
    page, live_server, demo_city, shot, csp_violations
):
    from portal.identifiers import credit_code_check_char

    password = demo_city
    _publish("listings-prices", "complaint-cases")
    base = live_server.url

    # The public: catalogue → search → dataset → download, and check the checksum.
    page.goto(base + "/open/")
    expect(page.get_by_role("heading", name="开放数据目录")).to_be_visible()
    page.get_by_label("关键词").fill("价格")
    page.get_by_role("button", name="检索").click()
    page.get_by_role("link", name="服务项目与价格").click()
    expect(page.get_by_role("heading", name="最新版本：第 1 版")).to_be_visible()
    shot("open-data-dataset")
    shown = page.locator('code.sha256[data-file="listings.csv"]').inner_text()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="listings.csv").click()
    downloaded = download_info.value.path().read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == shown
    assert downloaded.decode("utf-8").startswith("id,provider_id,branch_id")

    # The conditional dataset cannot be downloaded without a key.
    file_url = f"{base}/api/open/v1/datasets/complaint-cases/releases/1/files/complaint_cases.csv"
    assert page.request.get(file_url).status == 403

    # An organisation applies.
    log_in(page, base, STAFF, password)
    page.goto(base + "/open/datasets/complaint-cases/")
    page.get_by_role("link", name="申请使用").click()
    page.get_by_label("申请单位").fill("成都市社会服务研究中心")
    code = "12510100MB0000002"
    page.get_by_label("统一社会信用代码").fill(code + credit_code_check_char(code))
    page.get_by_label("使用目的").fill("研究投诉办结时长。")
    for column in ("月份（month）", "办结用时（天）（days_to_close）"):
        page.get_by_label(column).check()
    page.get_by_label("使用期限（天）").fill("30")
    page.get_by_label("安全保障措施").fill("专人管理，加密存储，期满删除。")
    page.get_by_label("我已阅读并同意《数据使用协议》", exact=False).check()
    shot("open-data-apply")
    page.get_by_role("button", name="提交申请").click()
    expect(page.get_by_text("申请已提交")).to_be_visible()
    log_out(page)

    # The city official approves it, and publishes a dataset now.
    log_in(page, base, OFFICIAL, password)
    page.goto(base + "/official/open-data/")
    queue = page.get_by_role("table", name="有条件开放申请")
    queue.get_by_role("link", name="投诉办理明细（去标识化）").click()
    page.get_by_label("审核意见").fill("用途明确，安全措施可行。")
    page.get_by_role("button", name="批准", exact=True).click()
    expect(page.get_by_text("已批准该申请。")).to_be_visible()
    page.get_by_role("button", name="立即发布《服务质量等级与检查结果》").click()
    expect(page.locator("#run-status")).to_have_text("已发布")
    shot("open-data-run")
    log_out(page)

    # The organisation takes its key and downloads the conditional file with it.
    log_in(page, base, STAFF, password)
    page.goto(base + "/open/applications/")
    page.get_by_role("link", name="投诉办理明细（去标识化）").click()
    page.get_by_role("button", name="生成密钥").click()
    key = page.locator("#api-key").inner_text()
    assert key.startswith("od_")
    shot("open-data-key")
    answer = page.request.get(file_url, headers={"X-API-Key": key})
    assert answer.status == 200
    assert answer.headers["x-checksum-sha256"] == hashlib.sha256(answer.body()).hexdigest()
    assert page.request.get(file_url, headers={"X-API-Key": key + "x"}).status == 403
    assert csp_violations == []
