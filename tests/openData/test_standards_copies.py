"""The standards the tests validate against are exact copies of the shared originals."""

from __future__ import annotations

import gzip

import pytest

from tests.openData.standards import COPIES, SHARED


def _originals():
    return sorted(
        p
        for p in SHARED.rglob("*")
        if p.is_file() and p.name != "README.md" and "examples" not in p.parts
    )


@pytest.mark.skipif(not SHARED.exists(), reason="../shared/standards is not beside this clone")
def test_every_copy_equals_its_shared_original():
    originals = _originals()
    assert originals
    for original in originals:
        relative = original.relative_to(SHARED)
        if relative.parts[1] == "compiled":
            with gzip.open(COPIES / f"{relative}.gz", "rb") as handle:
                copy = handle.read()
        else:
            copy = (COPIES / relative).read_bytes()
        assert copy == original.read_bytes(), relative
