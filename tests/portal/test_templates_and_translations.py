"""Every page honours elder mode and the language switch; every text has its English."""

import re
from pathlib import Path

import pytest
from django.utils import translation

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "templates"
# Fragments and non-page templates: included into pages, or not HTML pages at all (a
# fragment elsewhere is named with a leading underscore, e.g. socialorgs/credit/_public_profile).
NOT_PAGES = {"partials", "email", "drf_spectacular"}


def _pages():
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES)
        fragment = relative.name.startswith("_") or NOT_PAGES & set(relative.parts)
        if relative.name == "base.html" or fragment:
            continue
        yield relative


@pytest.mark.parametrize("template", list(_pages()), ids=str)
def test_every_page_extends_the_base_that_carries_elder_mode_and_language(template):
    source = (TEMPLATES / template).read_text(encoding="utf-8")
    assert source.lstrip().startswith('{% extends "base.html" %}')
    assert "{% load i18n" in source


def _unescape(value: str) -> str:
    escapes = {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}
    return re.sub(r"\\(.)", lambda m: escapes.get(m.group(1), m.group(1)), value)


def _po_entries():
    text = (ROOT / "locale/en/LC_MESSAGES/django.po").read_text(encoding="utf-8")
    entries = []
    for block in text.split("\n\n")[1:]:
        if "msgid_plural" in block or "msgctxt" in block:
            continue
        fuzzy = "#, fuzzy" in block
        parts = re.findall(r'^(msgid|msgstr) ((?:".*"\n?)+)', block + "\n", flags=re.M)
        values = {key: _unescape("".join(re.findall(r'"(.*)"', raw))) for key, raw in parts}
        if values.get("msgid"):
            entries.append((values["msgid"], values.get("msgstr", ""), fuzzy))
    return entries


def test_every_text_has_an_english_translation_compiled_into_the_mo_file():
    entries = _po_entries()
    assert len(entries) > 100
    untranslated = [msgid for msgid, msgstr, fuzzy in entries if not msgstr or fuzzy]
    assert untranslated == []
    with translation.override("en"):
        stale = [msgid for msgid, msgstr, _ in entries if translation.gettext(msgid) != msgstr]
    assert stale == [], "run `make messages`: the .mo file is older than the .po file"
