"""The registry of dataset builders: what a release of each built-in dataset contains.

A builder lists resources (one table each). A resource's rows come either from a values
QuerySet of another app's selectors — written by PostgreSQL `COPY ... TO STDOUT`, so a table of
millions of rows streams through in flat memory — or from a small iterable of dicts (aggregated
statistics, where small cells are suppressed here before anything is written).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from django.db.models import QuerySet

# Table Schema types used here (https://specs.frictionlessdata.io/table-schema/#types-and-formats).
FIELD_TYPES = {"string", "integer", "number", "date", "boolean"}


@dataclass(frozen=True)
class Field:
    """A column: its name, Table Schema type, and titles for people."""

    name: str
    type: str
    title: str
    title_en: str = ""
    description: str = ""

    def __post_init__(self) -> None:
        if self.type not in FIELD_TYPES:
            raise ValueError(f"unknown field type {self.type!r}")


@dataclass(frozen=True)
class Sql:
    """Rows as a SELECT statement with parameters (for tables no model describes, e.g. a view
    or a generated table); written by COPY like a QuerySet."""

    sql: str
    params: tuple = ()


Rows = QuerySet | Sql | Iterable[dict]


@dataclass(frozen=True)
class Resource:
    """One table of a release, published as `<name>.csv` (and JSON/XLSX when small enough).

    count_fields: counts of an aggregated table; a count below the threshold is suppressed
    (written empty) and so are the dependent_fields of that row.
    quasi_identifiers: columns of a row-level table about people; every combination of their
    values must be shared by at least k rows (k-anonymity). With suppress_small_groups the
    rows of smaller groups are left out before publication; the gate checks the file either way.
    """

    name: str
    title: str
    title_en: str
    fields: Sequence[Field]
    rows: Callable[[], Rows]
    primary_key: Sequence[str] = ()
    count_fields: Sequence[str] = ()
    dependent_fields: Sequence[str] = ()
    quasi_identifiers: Sequence[str] = ()
    suppress_small_groups: bool = True

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True)
class Extra:
    """A non-tabular file of a release (e.g. the Open Referral HSDS directory as JSON)."""

    name: str
    format: str
    title: str
    write: Callable[[object], int]  # writes UTF-8 text to a file object, returns items written


@dataclass(frozen=True)
class Builder:
    key: str
    resources: Callable[[], list[Resource]]
    extras: Callable[[], list[Extra]] = field(default=lambda: [])


_registry: dict[str, Builder] = {}


def register(builder: Builder) -> Builder:
    _registry[builder.key] = builder
    return builder


def get(key: str) -> Builder:
    try:
        return _registry[key]
    except KeyError:
        raise LookupError(f"no dataset builder {key!r}") from None


def keys() -> list[str]:
    return sorted(_registry)
