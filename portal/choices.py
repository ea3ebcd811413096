"""Labels for array fields of choices (domains, accessibility features, subsidies)."""

from __future__ import annotations

from collections.abc import Iterable


def labels_of(values: Iterable[str], choices) -> list[str]:
    labels = dict(choices)
    return [str(labels.get(value, value)) for value in values]
