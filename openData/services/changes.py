"""What changed since the previous release: rows added, removed and changed per resource.

Each row is reduced to two 64-bit digests (its key and its whole content) held in compact
arrays, so comparing two releases of a million rows takes tens of megabytes, not gigabytes.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from openData.builders import Resource
from openData.services.writers import read_csv

SLICE = 1 << 17


def _digests(path: Path, key_columns: Sequence[int]) -> tuple[np.ndarray, np.ndarray]:
    """(key digests, row digests) of a CSV file, in one streaming pass.

    Python's own str hash is used: it is salted per process, which is harmless here because
    both releases are hashed in the same process, and it is several times faster than a
    cryptographic digest. The arrays hold 8 bytes a row.
    """
    keys, rows = array("q"), array("q")
    separator = "\x1f"
    for cells in read_csv(path):
        rows.append(hash(separator.join(cells)))
        if key_columns:
            keys.append(hash(separator.join([cells[i] for i in key_columns])))
    return np.frombuffer(keys, dtype=np.int64), np.frombuffer(rows, dtype=np.int64)


def _table(path: Path, key_columns: Sequence[int]) -> np.ndarray:
    """(key, row) digests of a file as one array sorted by key, sorted in place (16 bytes a
    row, no copies beside it)."""
    keys, rows = _digests(path, key_columns)
    table = np.empty(len(rows), dtype=[("k", "<i8"), ("r", "<i8")])
    table["k"] = keys if key_columns else rows
    table["r"] = rows
    del keys, rows
    table.sort(order="k", kind="stable")
    return table


def compare(new: Path, old: Path, key_columns: Sequence[int]) -> dict:
    """Counts of rows added, removed and changed between two CSV files of one schema.

    With a primary key, a row whose key exists in both but whose content differs is changed;
    without one, rows are compared as a multiset (a changed row counts as removed + added).
    """
    new_table = _table(new, key_columns)
    old_table = _table(old, key_columns)
    if not len(new_table) or not len(old_table):
        return {"added": len(new_table), "removed": len(old_table), "changed": 0}
    old_keys = np.ascontiguousarray(old_table["k"])
    if key_columns:
        # In slices, so the index arrays stay small whatever the table's size.
        common = changed = 0
        for start in range(0, len(new_table), SLICE):
            part = new_table[start : start + SLICE]
            at = np.searchsorted(old_keys, part["k"]).clip(max=len(old_keys) - 1)
            found = old_keys[at] == part["k"]
            common += int(np.count_nonzero(found))
            changed += int(np.count_nonzero(old_table["r"][at[found]] != part["r"][found]))
        return {
            "added": len(new_table) - common,
            "removed": len(old_table) - common,
            "changed": changed,
        }
    # Multisets of row digests, both sorted: count the pairs that match.
    new_values, new_counts = np.unique(new_table["k"], return_counts=True)
    at = np.searchsorted(old_keys, new_values, side="left")
    end = np.searchsorted(old_keys, new_values, side="right")
    kept = int(np.minimum(new_counts, end - at).sum())
    return {"added": len(new_table) - kept, "removed": len(old_table) - kept, "changed": 0}


def summarise(
    *,
    resources: Sequence[Resource],
    staging: Path,
    rows: dict[str, int],
    previous: Path | None,
    previous_version: int | None,
) -> dict:
    """The change summary stored on a release: per resource, versus the previous release
    (`rows`: each resource's row count in the new release)."""
    summary: dict = {"previous_version": previous_version, "resources": {}}
    for resource in resources:
        new = staging / f"{resource.name}.csv"
        old = previous / f"{resource.name}.csv" if previous else None
        if old is None or not old.exists():
            summary["resources"][resource.name] = {
                "added": rows[resource.name],
                "removed": 0,
                "changed": 0,
            }
            continue
        key_columns = [resource.field_names.index(name) for name in resource.primary_key]
        summary["resources"][resource.name] = compare(new, old, key_columns)
    return summary
