"""Entries of the role workbenches, registered by each app from its AppConfig.ready().

portal imports no app; apps add their pages to the official's and the provider's workbench:

    navigation.register("official", _("辖区服务机构"), "providers:official-list", order=10)
"""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Entry:
    role: str
    label: str
    url_name: str
    order: int

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_entries: dict[tuple[str, str], Entry] = {}


def register(role: str, label, url_name: str, *, order: int = 50) -> None:
    _entries[(role, url_name)] = Entry(role, label, url_name, order)


def entries_for(role: str) -> list[Entry]:
    return sorted((e for e in _entries.values() if e.role == role), key=lambda e: e.order)
