"""Where the tests find the standards' own files (tests/standards/, copies of ../shared/)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

COPIES = Path(__file__).resolve().parents[1] / "standards"
SHARED = Path(__file__).resolve().parents[3] / "shared" / "standards"
DCAT_AP = COPIES / "dcat-ap-3.0.1"
HSDS = COPIES / "hsds-3.0"


def hsds_compiled(name: str) -> dict:
    """A compiled HSDS schema, e.g. "service" (stored gzipped)."""
    with gzip.open(HSDS / "compiled" / f"{name}.json.gz", "rt", encoding="utf-8") as handle:
        return json.load(handle)
