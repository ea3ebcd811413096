"""The personal-data gate every open-data release file passes before publication.

Text files (CSV, JSON) are scanned as they are written, chunk by chunk, for ID numbers, mobile
numbers, bank cards, e-mail addresses and the names of people we hold; XLSX cells are read back
and scanned by the same rules. Aggregate tables are checked for small cells and k-anonymity.
Pure Python: the caller streams the data and stores the findings as the release's gate report.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from portal.identifiers import CREDIT_CODE_ALPHABET, credit_code_check_char, resident_id_check_char
from portal.privacy import mask_id_number, mask_name, mask_phone

# Lazy, so a stored report is labelled in the language of whoever reads it.
KIND_LABELS: dict[str, str] = {
    "id_number": gettext_lazy("身份证号"),
    "mobile": gettext_lazy("手机号码"),
    "bank_card": gettext_lazy("银行卡号"),
    "email": gettext_lazy("电子邮箱"),
    "person_name": gettext_lazy("人员姓名"),
    "small_cell": gettext_lazy("小样本单元格"),
    "k_anonymity": gettext_lazy("k-匿名不足"),
}
KINDS: tuple[str, ...] = tuple(KIND_LABELS)


@dataclass(frozen=True)
class Finding:
    """One reason a release file must not be published; `sample` is always masked."""

    kind: str
    file: str
    location: str
    sample: str

    def __post_init__(self) -> None:
        if self.kind not in KIND_LABELS:
            raise ValueError(f"unknown finding kind {self.kind!r}")

    def as_dict(self) -> dict[str, str]:
        return {
            "kind": self.kind,
            "label": str(KIND_LABELS[self.kind]),
            "file": self.file,
            "location": self.location,
            "sample": self.sample,
        }


# --- Identifiers -----------------------------------------------------------------------------

# Province-level codes of GB/T 2260 (incl. Taiwan, Hong Kong, Macao): an ID number cannot
# start with anything else, which rules out most random 18-digit runs.
_PROVINCES = frozenset(
    str(code)
    for first, last in ((11, 15), (21, 23), (31, 37), (41, 46), (50, 54), (61, 65))
    for code in range(first, last + 1)
) | {"71", "81", "82"}
_EARLIEST_BIRTH = dt.date(1900, 1, 1)
# [0-9], not \d: \d and int() also accept full-width and other Unicode digits.
_ID_SHAPE = re.compile(r"[0-9]{17}[0-9Xx]")


def luhn_valid(digits: str) -> bool:
    """The Luhn (mod 10) check every bank card number carries."""
    if not digits or not digits.isascii() or not digits.isdigit():
        return False
    total = 0
    for position, char in enumerate(reversed(digits)):
        digit = ord(char) - 48
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def is_resident_id(value: str) -> bool:
    """A 公民身份号码 that could really have been issued: province, birth date and check char."""
    if len(value) != 18 or not _ID_SHAPE.fullmatch(value) or value[:2] not in _PROVINCES:
        return False
    try:
        born = dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return False
    if not _EARLIEST_BIRTH <= born <= dt.date.today():
        return False
    return resident_id_check_char(value[:17]) == value[17].upper()


def _is_credit_code(value: str) -> bool:
    # An organisation's public identifier, which may be all digits and then look like a card.
    return (
        len(value) == 18
        and all(char in CREDIT_CODE_ALPHABET for char in value)
        and credit_code_check_char(value[:17]) == value[17]
    )


# --- Text rules ------------------------------------------------------------------------------

# A token must not touch letters or digits on either side, so codes, hashes and longer numbers
# do not yield look-alikes. The order matters: the longest shapes are tried first at a position.
_NUMBERS = re.compile(
    r"""
    (?<![0-9A-Za-z])
    (?:
        (?P<run>[0-9]{16,19})                                    # card, or all-digit ID / code
      | (?P<id_x>[0-9]{17}[Xx])                                  # ID ending in X
      | (?P<grouped>[0-9]{4}(?:\ [0-9]{4}){3}(?:\ [0-9]{1,3})?)  # card in groups of four
      | (?P<mobile>(?:\+?86[\ -]?)?1[3-9][0-9][\ -]?[0-9]{4}[\ -]?[0-9]{4})
    )
    (?![0-9A-Za-z])
    """,
    re.VERBOSE,
)
_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
    r"(?![A-Za-z0-9-])"
)

# The prefilter that keeps a clean file fast. Running _NUMBERS over every character costs about
# 3 s per 60 MB, so each piece is first mapped in C (encode + translate) to "0" for a digit,
# "1" for a separator (other bytes stay as they are, none of them a mark), and searched for the
# shapes every number finding contains: 11 digits in a row, or a mobile number's 3-4-4 digits
# with separators. Dropping non-ASCII characters can only join runs, never split one.
_MARKS = bytes.maketrans(b"0123456789 -", b"000000000011")
_NUMBER_SHAPES = (b"00000000000", b"000100000000", b"000000010000", b"0001000010000")

_HAN_CHARS = "\u4e00-\u9fff\u00b7"  # CJK unified ideographs and the middle dot of 阿依·买买提
_HAN_NAME = re.compile(f"[{_HAN_CHARS}]{{2,}}")


def _is_han(char: str) -> bool:
    return "\u4e00" <= char <= "\u9fff" or char == "\u00b7"


def _trie_pattern(node: dict[str, dict]) -> str:
    """A regex for the names below a trie node: one branch per next character, so the engine
    never tries thousands of alternatives at a position, and longer names are preferred."""
    branches = [
        re.escape(char) + _trie_pattern(child) for char, child in sorted(node.items()) if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if "" in node else body


@functools.lru_cache(maxsize=8)
def _names_regex(names: frozenset[str]) -> re.Pattern[str] | None:
    # Cached: a release has several files scanned against the same names, and compiling a
    # regex of many thousand names takes a noticeable moment.
    trie: dict[str, dict] = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}  # a name ends here
    return re.compile(_trie_pattern(trie)) if trie else None


def _prepare_names(names: Collection[str]) -> re.Pattern[str] | None:
    # Only names of two or more Han characters can be matched against Han runs; one character
    # alone would match half the text.
    kept = frozenset(
        name for name in (str(raw).strip() for raw in names) if _HAN_NAME.fullmatch(name)
    )
    return _names_regex(kept) if kept else None


def _card_sample(digits: str) -> str:
    return f"{digits[:4]}****{digits[-4:]}"


def _email_sample(address: str) -> str:
    local, _at, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"


def _classify_number(match: re.Match[str]) -> tuple[str, str] | None:
    """(kind, masked sample) for a number-shaped token, or None when it is harmless."""
    if mobile := match["mobile"]:
        return "mobile", mask_phone(re.sub(r"[^0-9]", "", mobile)[-11:])
    token = match["run"] or match["id_x"] or match["grouped"].replace(" ", "")
    if len(token) == 18 and is_resident_id(token):
        return "id_number", mask_id_number(token)
    if match["id_x"] or not luhn_valid(token) or _is_credit_code(token):
        return None
    return "bank_card", _card_sample(token)


Hit = tuple[int, str, str]  # (position in the text, kind, masked sample)


def _hits(text: str, names: re.Pattern[str] | None) -> list[Hit]:
    """Every finding in `text`, in order of position."""
    hits: list[Hit] = []
    marks = text.encode("ascii", "ignore").translate(_MARKS)
    if any(shape in marks for shape in _NUMBER_SHAPES):
        for match in _NUMBERS.finditer(text):
            if found := _classify_number(match):
                hits.append((match.start(), *found))
    if "@" in text:
        hits.extend(
            (match.start(), "email", _email_sample(match[0])) for match in _EMAIL.finditer(text)
        )
    if names is not None:
        position = 0
        while match := names.search(text, position):
            start, end = match.span()
            # Two-character names are ordinary words too often (张伟 in 张伟业路), so they count
            # only as a whole Han run; longer names count anywhere.
            whole = (start == 0 or not _is_han(text[start - 1])) and (
                end == len(text) or not _is_han(text[end])
            )
            if end - start >= 3 or whole:
                hits.append((start, "person_name", mask_name(match[0])))
                position = end
            else:
                position = start + 1
    hits.sort()
    return hits


def _line_location(line: int) -> str:
    return _("第 %(line)d 行") % {"line": line}


def _cell_location(row: int, column: str) -> str:
    return _("第 %(row)d 行 · %(column)s") % {"row": row, "column": column}


# A line longer than this (a JSON document written without newlines) is scanned up to a
# delimiter instead of being carried whole, so memory stays flat whatever the file.
_MAX_CARRY = 1 << 20
# Pieces are scanned separately so that one finding does not send a 60 MB feed() through the
# slow full regexes; only the pieces the prefilter flags go there.
_PIECE = 1 << 16
# Characters no token contains or needs as context: safe places to cut a long line.
_CUT_AT = ',"\t:;{}[]'


class TextScanner:
    """Scans a file's text as it is written, chunk by chunk, in flat memory."""

    def __init__(self, *, file: str, names: Collection[str] = (), limit: int = 50) -> None:
        self.file = file
        self.limit = limit
        self.findings: list[Finding] = []
        self.total = 0
        self.lines = 0
        self._names = _prepare_names(names)
        self._carry = ""

    def feed(self, text: str) -> None:
        """Scan the complete lines so far; the unfinished last line waits for the next chunk,
        so a value split across two chunks is still seen whole."""
        text = self._carry + text
        end = text.rfind("\n") + 1
        if end:
            self._carry = text[end:]
            self._scan(text[:end])
        elif len(text) > _MAX_CARRY and (cut := max(map(text.rfind, _CUT_AT)) + 1):
            self._carry = text[cut:]
            self._scan(text[:cut])
        else:
            self._carry = text

    def close(self) -> None:
        """Scan what is left: the last line when the file does not end with a newline."""
        if self._carry:
            self._scan(self._carry)
            self.lines += 1
            self._carry = ""

    def _scan(self, block: str) -> None:
        start = 0
        while start < len(block):
            stop = block.find("\n", start + _PIECE) + 1 or len(block)
            self._scan_piece(block[start:stop])
            start = stop

    def _scan_piece(self, piece: str) -> None:
        line, counted_to = self.lines + 1, 0
        for position, kind, sample in _hits(piece, self._names):
            line += piece.count("\n", counted_to, position)
            counted_to = position
            self.total += 1
            if len(self.findings) < self.limit:
                self.findings.append(Finding(kind, self.file, _line_location(line), sample))
        self.lines += piece.count("\n")


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    # Excel hands back large whole numbers as floats (13812345678.0) and Decimals may come
    # in exponent form; write both as plain digits so they are scanned as they look.
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal) and value.is_finite():
        return format(value, "f")
    return str(value)


def scan_values(
    values: Iterable[tuple[int, str, object]],
    *,
    file: str,
    names: Collection[str] = (),
    limit: int = 50,
) -> list[Finding]:
    """Scan cells read back from a spreadsheet, given as (row number, column name, value)."""
    matcher = _prepare_names(names)
    findings: list[Finding] = []
    for row, column, value in values:
        for _position, kind, sample in _hits(_cell_text(value), matcher):
            findings.append(Finding(kind, file, _cell_location(row, column), sample))
            if len(findings) >= limit:
                return findings
    return findings


# --- Aggregate tables ------------------------------------------------------------------------


def _as_number(value: object) -> int | float | Decimal | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return value
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        return None
    # NaN and infinity cannot be ordered as Decimals (comparing raises), and are no counts.
    return number if number.is_finite() else None


def _is_small(value: object, k: int) -> bool:
    # Anything strictly between 0 and k, not only whole numbers: a count written "3.0" or
    # a rounded 0.5 discloses as much as 3. 0 is a true zero and safe; None/"" is suppressed.
    number = _as_number(value)
    return number is not None and 0 < number < k


def _describe(values: Iterable[tuple[str, object]]) -> str:
    return ", ".join(f"{name}={'NULL' if value is None else value}" for name, value in values)


def small_cell_findings(
    rows: Iterable[Mapping],
    *,
    count_fields: Sequence[str],
    file: str,
    k: int = 5,
) -> list[Finding]:
    """Counts of 1..k-1 left in a table: each could single out a handful of people."""
    findings = []
    for number, row in enumerate(rows, start=1):
        group = _describe((name, value) for name, value in row.items() if name not in count_fields)
        for field in count_fields:
            if _is_small(row.get(field), k):
                sample = f"{field}={row[field]}"
                findings.append(
                    Finding(
                        "small_cell",
                        file,
                        _cell_location(number, field),
                        f"{group}: {sample}" if group else sample,
                    )
                )
    return findings


def suppress_small_cells(
    rows: Iterable[Mapping],
    *,
    count_fields: Sequence[str],
    dependent_fields: Sequence[str] = (),
    k: int = 5,
) -> list[dict]:
    """New rows with every count of 1..k-1 blanked, and on such a row also every field
    derived from it (sums, rates), which would otherwise give the count back."""
    suppressed = []
    for row in rows:
        copy = dict(row)
        small = [field for field in count_fields if _is_small(copy.get(field), k)]
        for field in small:
            copy[field] = None
        if small:
            for field in dependent_fields:
                if field in copy:
                    copy[field] = None
        suppressed.append(copy)
    return suppressed


def k_anonymity_findings(
    groups: Iterable[tuple[Sequence, int]],
    *,
    quasi_identifiers: Sequence[str],
    file: str,
    k: int = 5,
) -> list[Finding]:
    """Groups of fewer than k rows sharing all quasi-identifiers (counted by the caller with
    GROUP BY): a person known to be in such a group is as good as found."""
    findings = []
    fields = ", ".join(quasi_identifiers)
    for number, (values, count) in enumerate(groups, start=1):
        if count < k:
            group = _describe(zip(quasi_identifiers, values, strict=True))
            findings.append(
                Finding(
                    "k_anonymity",
                    file,
                    _("第 %(group)d 组 · %(fields)s") % {"group": number, "fields": fields},
                    _("%(group)s: %(count)d 行") % {"group": group, "count": count},
                )
            )
    return findings
