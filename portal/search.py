"""Chinese full-text search in PostgreSQL, shared by the apps that search Chinese text
(services' listings, volunteers' activities): jieba segments text into words, pypinyin adds
the full pinyin and initials of every Chinese word and phrase, and PostgreSQL indexes the
result as a 'simple' tsvector with a GIN index.

`xingfu`, `xf` or `xfyl` find 幸福养老院; 助浴 finds 上门助浴服务. A query is segmented the same
way; Latin terms (pinyin) match as prefixes.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache

import jieba
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db.models import Value
from pypinyin import Style, lazy_pinyin

jieba.setLogLevel(logging.WARNING)

_WORD = re.compile(r"\w+")
_HAN = re.compile(r"[\u3400-\u9fff]")
_LATIN = re.compile(r"[a-z0-9]+")
MAX_QUERY_TERMS = 12


def _words(text: str) -> list[str]:
    """Search-mode words (fine and compound), lower-cased, punctuation dropped."""
    return [w.lower() for w in jieba.lcut_for_search(text or "") if _WORD.fullmatch(w.strip())]


def _pinyin(word: str) -> list[str]:
    full = "".join(lazy_pinyin(word)).lower()
    initials = "".join(lazy_pinyin(word, style=Style.FIRST_LETTER)).lower()
    return [t for t in ("".join(_LATIN.findall(full)), "".join(_LATIN.findall(initials))) if t]


def index_terms_of_parts(parts) -> str:
    """Lexemes of several texts (title, provider name, address...). Parts repeat a lot across
    listings, so each part's lexemes are remembered."""
    terms: dict[str, None] = {}
    for part in parts:
        if part:
            terms.update(dict.fromkeys(_cached_terms(str(part)).split()))
    return " ".join(terms)


@lru_cache(maxsize=100_000)
def _cached_terms(text: str) -> str:
    return index_terms(text)


def index_terms(text: str) -> str:
    """The space-separated lexemes stored for `text` (the generated tsvector reads them)."""
    words = _words(text)
    phrases = [p.lower() for p in _WORD.findall(text or "") if _HAN.search(p)]
    terms = list(words) + phrases
    for word in set(words) | set(phrases):
        if _HAN.search(word):
            terms += _pinyin(word)
    for phrase in phrases:
        terms += _pinyin_runs(phrase)
    return " ".join(dict.fromkeys(terms))


RUN_WORDS = 4


def _pinyin_runs(phrase: str) -> list[str]:
    """The pinyin of the words inside a phrase, each with up to RUN_WORDS - 1 words after it.
    Latin terms match as prefixes, so `peibanlaoren` (or `pblr`) finds 周末陪伴老人 the way
    `xingfu` finds 幸福养老院, without a lexeme per suffix of a long phrase."""
    words = jieba.lcut(phrase)
    runs: list[str] = []
    for start in range(1, len(words)):  # the run from the first word starts the phrase's own
        run = "".join(words[start : start + RUN_WORDS])
        if _HAN.search(run):
            runs += _pinyin(run)
    return runs


def weighted_vector(parts_by_weight: dict[str, list]):
    """A tsvector expression of texts by weight ("A" ranks highest, then "B", "C", "D"), for
    a plain search-vector column written by the app's service: each weight's texts become
    their lexemes (index_terms_of_parts), which PostgreSQL turns into a 'simple' tsvector."""
    vectors = [
        SearchVector(Value(index_terms_of_parts(parts)), config="simple", weight=weight)
        for weight, parts in parts_by_weight.items()
    ]
    combined = vectors[0]
    for vector in vectors[1:]:
        combined += vector
    return combined


def _quote(term: str) -> str:
    return "'" + term.replace("'", "''") + "'"


def build_query(text: str) -> SearchQuery | None:
    """A tsquery for what a person typed, or None when nothing searchable is left.

    Each word of the precise segmentation must match, either whole or as its finer words
    (养老服务 matches an index that holds 养老 and 服务); Latin words match as prefixes.
    """
    parts = []
    for word in jieba.lcut(text or ""):
        word = word.strip().lower()
        if not _WORD.fullmatch(word or "-"):
            continue
        if word.isascii():
            parts.append(f"{_quote(word)}:*")
            continue
        finer = [w for w in _words(word) if w != word]
        if finer:
            parts.append(f"({_quote(word)} | ({' & '.join(_quote(w) for w in finer)}))")
        else:
            parts.append(_quote(word))
        if len(parts) >= MAX_QUERY_TERMS:
            break
    if not parts:
        return None
    return SearchQuery(" & ".join(parts), search_type="raw", config="simple")
