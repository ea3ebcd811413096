"""An open-data release of a generated table of BENCH_OPENDATA_ROWS rows (default 1,000,000),
against PostgreSQL's own `COPY (...) TO STDOUT` of the same rows into a file, in the same run.

Both run in a fresh child process (a worker's view: no test runner in its memory), which prints
the wall times and its peak RSS (VmHWM). The release includes everything a real one does:
COPY through the hashing sink, the personal-data scan of every value (with the portal's person
names), the data package, the atomic publish. Targets: release time ≤ 1.5 × COPY, peak RSS
< 200 MB. A second release of the same table then measures the change summary. Nothing is
asserted about time.
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

from portal.accounts.models import User
from tests.workers import ROOT, _database_url

ROWS = int(os.environ.get("BENCH_OPENDATA_ROWS", "1000000"))
NAMES = int(os.environ.get("BENCH_OPENDATA_NAMES", "20000"))

TABLE_SQL = """
DROP TABLE IF EXISTS bench_open_rows;
CREATE TABLE bench_open_rows AS
SELECT g AS id,
       (ARRAY['510104','510105','510106','510107','510108','510112'])[1 + g % 6] AS district,
       (ARRAY['eldercare','childcare','domestic','health'])[1 + g % 4] AS domain,
       to_char(DATE '2025-01-01' + (g % 730), 'YYYY-MM') AS month,
       (g::bigint * 7919) % 500 AS services,
       round(((g::bigint * 104729) % 100000) / 100.0, 2) AS amount,
       '某某社区养老服务中心' || (g % 997) AS provider_name
FROM generate_series(1, {rows}) AS g;
ALTER TABLE bench_open_rows ADD PRIMARY KEY (id);
ANALYZE bench_open_rows;
"""

SELECT = (
    "SELECT id, district, domain, month, services, amount, provider_name "
    "FROM bench_open_rows ORDER BY id"
)

CHILD = r"""
import json, os, resource, sys, time
import django


def peak_rss_mb():
    # VmHWM, not ru_maxrss: ru_maxrss survives exec and would report the forking pytest's.
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


django.setup()
SETUP_RSS = peak_rss_mb()
from django.db import connection
from openData import builders
from openData.builders import Builder, Field, Resource, Sql
from openData.models import Dataset, Run
from openData.services import releases

SELECT = sys.argv[1]
fields = [
    Field("id", "integer", "编号"), Field("district", "string", "区县"),
    Field("domain", "string", "领域"), Field("month", "string", "月份"),
    Field("services", "integer", "服务次数"), Field("amount", "number", "金额"),
    Field("provider_name", "string", "机构"),
]
builders.register(Builder(key="bench_generated", resources=lambda: [Resource(
    name="rows", title="生成表", title_en="Generated", fields=fields,
    rows=lambda: Sql(SELECT), primary_key=["id"])]))
dataset, _ = Dataset.objects.get_or_create(slug="bench-generated", defaults=dict(
    builder="bench_generated", title="基准生成表", title_en="Benchmark table",
    description="基准", description_en="Benchmark", publisher="civil_affairs",
    contact_name="基准", contact_phone="12345", legal_basis="基准"))

out = {"setup_rss_mb": SETUP_RSS}
out["baseline_rss_mb"] = peak_rss_mb()
path = os.path.join(os.environ["OPENDATA_ROOT"], "copy.csv")
os.makedirs(os.environ["OPENDATA_ROOT"], exist_ok=True)
with connection.cursor() as cursor, open(path, "wb") as handle:
    start = time.perf_counter()
    cursor.cursor.copy_expert(f"COPY ({SELECT}) TO STDOUT WITH (FORMAT csv)", handle, size=65536)
    out["copy_s"] = time.perf_counter() - start
out["copy_bytes"] = os.path.getsize(path)
os.remove(path)
for label in ("first", "second"):
    run = Run.objects.create(dataset=dataset, trigger=Run.Trigger.MANUAL)
    start = time.perf_counter()
    run = releases.run_execute(run.pk)
    out[f"{label}_s"] = time.perf_counter() - start
    out[f"{label}_peak_rss_mb"] = peak_rss_mb()
    out[f"{label}_status"] = run.status
    out[f"{label}_findings"] = run.gate_report.get("total")
    if run.status == "published":
        out[f"{label}_summary"] = run.release.change_summary["resources"]["rows"]
        out[f"{label}_csv_bytes"] = run.release.files.get(name="rows.csv").size
out["names"] = len(releases.datasets.person_names())
print("RESULT " + json.dumps(out))
"""


SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董"
SURNAMES += "袁潘于蒋蔡余杜叶程"
GIVEN = "芳伟娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红建国文辉力"


def _person_names(count: int) -> None:
    """A city's worth of account names, so the gate's name scan does real work."""
    rnd = random.Random(7)
    User.objects.bulk_create(
        User(
            phone=f"+86139{i:08d}",
            name=rnd.choice(SURNAMES) + "".join(rnd.choices(GIVEN, k=rnd.choice((1, 2)))),
            password="!",
        )
        for i in range(count)
    )


@pytest.mark.django_db(transaction=True)
def test_bench_opendata_release_against_copy(tmp_path):
    _person_names(NAMES)
    with connection.cursor() as cursor:
        cursor.execute(TABLE_SQL.replace("{rows}", str(ROWS)))
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "OPENDATA_ROOT": str(tmp_path / "opendata"),
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, SELECT],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE IF EXISTS bench_open_rows")
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    assert lines, done.stdout[-2000:] + done.stderr[-4000:]
    out = json.loads(lines[-1].removeprefix("RESULT "))
    ratio = out["first_s"] / out["copy_s"]
    print()
    print(f"open-data release of {ROWS:,} rows ({out['first_csv_bytes'] / 1e6:.1f} MB CSV)")
    print(f"  PostgreSQL COPY TO STDOUT (file):  {out['copy_s']:.2f} s")
    print(
        f"  release (COPY + hash + PII scan + publish): {out['first_s']:.2f} s   "
        f"ratio {ratio:.2f}x  (target <= 1.5x)"
    )
    print(
        f"  second release (+ change summary): {out['second_s']:.2f} s   "
        f"summary {out['second_summary']}"
    )
    print(f"  gate: {out['first_findings']} findings, {out['names']} person names checked")
    print(
        f"  peak RSS of the releasing process: {out['first_peak_rss_mb']:.0f} MB after the "
        f"first release, {out['second_peak_rss_mb']:.0f} MB after the second "
        f"(after django.setup {out['setup_rss_mb']:.0f} MB, before the release "
        f"{out['baseline_rss_mb']:.0f} MB; target < 200 MB)"
    )
    assert out["first_status"] == "published"
    assert settings.OPENDATA_DERIVED_MAX_ROWS < ROWS or out["first_status"] == "published"
