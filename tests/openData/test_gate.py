"""The personal-data gate: what it finds in release files, what it leaves alone, and that
whatever it reports is masked. No database: the gate is pure Python."""

from __future__ import annotations

import json

import pytest

from openData.gate import (
    KIND_LABELS,
    KINDS,
    Finding,
    TextScanner,
    is_resident_id,
    k_anonymity_findings,
    luhn_valid,
    scan_values,
    small_cell_findings,
    suppress_small_cells,
)
from portal.identifiers import credit_code_check_char, resident_id_check_char

HEADER = "id,district,service,month,count,amount,name\n"


def resident_id(first17: str) -> str:
    return first17 + resident_id_check_char(first17)


def luhn_complete(prefix: str) -> str:
    """Append the Luhn check digit, computed here rather than with the code under test."""
    total = 0
    for position, char in enumerate(reversed(prefix)):
        digit = int(char)
        if position % 2 == 0:  # doubled: these become the odd positions once a digit is added
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return prefix + str((10 - total % 10) % 10)


VALID_ID = resident_id("51010719900101123")  # 武侯区, born 1990-01-01
CARD = luhn_complete("622202123456789012")  # 19 digits, UnionPay


def scan(text: str, **kwargs) -> TextScanner:
    scanner = TextScanner(file="providers.csv", **kwargs)
    scanner.feed(text)
    scanner.close()
    return scanner


def kinds(text: str, **kwargs) -> list[str]:
    return [finding.kind for finding in scan(text, **kwargs).findings]


# --- ID numbers ------------------------------------------------------------------------------


def test_it_finds_a_valid_id_number():
    scanner = scan(f"{HEADER}1,510107,eldercare,2026-11,42,1234.50,{VALID_ID}\n")

    assert [finding.kind for finding in scanner.findings] == ["id_number"]
    assert scanner.findings[0].location == "第 2 行"


def test_it_finds_an_id_number_ending_in_a_lowercase_x():
    first17 = next(
        f"1101051949123100{n}"
        for n in range(10)
        if resident_id_check_char(f"1101051949123100{n}") == "X"
    )

    assert kinds(f"证件 {first17}x\n") == ["id_number"]


def test_it_ignores_an_id_look_alike_with_a_wrong_check_character():
    wrong = VALID_ID[:17] + ("0" if VALID_ID[17] != "0" else "1")

    assert not is_resident_id(wrong)
    assert kinds(f"1,{wrong}\n") == []


def test_it_ignores_an_id_look_alike_with_an_impossible_birth_date():
    february_30 = resident_id("51010719900230123")  # check character right, date impossible
    born_tomorrow = resident_id("51010729990101123")

    assert not is_resident_id(february_30)
    assert not is_resident_id(born_tomorrow)
    assert kinds(f"{february_30}\n{born_tomorrow}\n") == []


def test_it_ignores_an_id_look_alike_with_an_unknown_province():
    unknown_province = resident_id("99010719900101123")

    assert not is_resident_id(unknown_province)
    assert is_resident_id(VALID_ID)


def test_it_ignores_an_id_inside_a_longer_code():
    assert kinds(f"A{VALID_ID}\n{VALID_ID}7\n") == []


def test_it_finds_an_id_split_across_two_chunks_on_the_right_line():
    text = (
        f"{HEADER}1,510104,childcare,2026-10,7,99.00,x\n2,510107,eldercare,2026-11,3,0,{VALID_ID}\n"
    )
    split_at = text.index(VALID_ID) + 9
    scanner = TextScanner(file="providers.csv")

    scanner.feed(text[:split_at])
    assert scanner.findings == []  # the half line waits for the rest
    scanner.feed(text[split_at:])
    scanner.close()

    assert [(f.kind, f.location) for f in scanner.findings] == [("id_number", "第 3 行")]
    assert scanner.lines == 3


def test_it_scans_the_last_line_without_a_newline_on_close():
    scanner = TextScanner(file="data.csv")
    scanner.feed(f"a\nb,{VALID_ID}")
    assert scanner.findings == []

    scanner.close()

    assert [f.location for f in scanner.findings] == ["第 2 行"]
    assert scanner.lines == 2


def test_it_scans_a_very_long_line_without_holding_it_whole():
    scanner = TextScanner(file="data.json")
    record = '{"provider":"某某社区养老服务中心","count":42},'
    for _ in range(30_000):  # about 1.4 MB on one line
        scanner.feed(record)
    scanner.feed('{"phone":"13812345678"}]')

    assert len(scanner._carry) < 1 << 20  # cut at a delimiter once the line grew too long
    scanner.close()
    assert [(f.kind, f.location) for f in scanner.findings] == [("mobile", "第 1 行")]


# --- Mobile numbers --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "written",
    [
        "13812345678",
        "+8613812345678",
        "8613812345678",
        "+86 138-1234-5678",
        "138 1234 5678",
        "138-1234-5678",
        "电话19912345678转",
    ],
)
def test_it_finds_a_mobile_number_however_it_is_written(written):
    scanner = scan(f"联系人,{written}\n")

    assert [f.kind for f in scanner.findings] == ["mobile"]
    assert scanner.findings[0].sample == mask_of(written)


def mask_of(written: str) -> str:
    digits = "".join(char for char in written if char.isdigit())[-11:]
    return f"{digits[:3]}****{digits[-4:]}"


@pytest.mark.parametrize(
    "written",
    ["028-85551234", "400-800-1234", "138123456789", "12812345678", "2026-11,42,1234.50"],
)
def test_it_ignores_what_is_not_a_mobile_number(written):
    assert kinds(f"热线,{written}\n") == []


# --- Bank cards ------------------------------------------------------------------------------


def test_luhn_valid_agrees_with_known_numbers():
    assert luhn_valid("4111111111111111")
    assert not luhn_valid("4111111111111112")
    assert luhn_valid(CARD)
    assert not luhn_valid("")
    assert not luhn_valid("4111 1111 1111 1111")


def test_it_finds_a_luhn_valid_card_number():
    scanner = scan(f"退款账户,{CARD}\n")

    assert [f.kind for f in scanner.findings] == ["bank_card"]
    assert scanner.findings[0].sample == f"{CARD[:4]}****{CARD[-4:]}"


def test_it_finds_a_card_number_written_in_groups_of_four():
    card = luhn_complete("621700123456789")  # 16 digits
    grouped = " ".join(card[i : i + 4] for i in range(0, 16, 4))

    assert kinds(f"卡号：{grouped}\n") == ["bank_card"]


def test_it_ignores_a_luhn_invalid_digit_run():
    invalid = CARD[:-1] + str((int(CARD[-1]) + 1) % 10)

    assert not luhn_valid(invalid)
    assert kinds(f"流水号,{invalid}\n") == []


def test_it_does_not_report_an_all_digit_credit_code_as_a_card():
    # A 事业单位 code can be all digits; find one whose check character is a digit and which
    # happens to pass Luhn, so only the credit-code rule keeps it from being a "card".
    code = next(
        candidate
        for serial in range(100_000, 200_000)
        if (first17 := f"12510100{serial:09d}")
        and (candidate := first17 + credit_code_check_char(first17)).isdigit()
        and luhn_valid(candidate)
    )

    assert not is_resident_id(code)
    assert kinds(f"统一社会信用代码,{code}\n") == []


def test_it_reports_an_all_digit_id_number_as_an_id_not_a_card():
    luhn_id = next(
        candidate
        for serial in range(100, 1000)
        if (candidate := resident_id(f"51010719900101{serial}")).isdigit() and luhn_valid(candidate)
    )

    assert kinds(f"{luhn_id}\n") == ["id_number"]


# --- E-mail and names ------------------------------------------------------------------------


def test_it_finds_an_email_address():
    scanner = scan("反馈人邮箱：wangfang@example.cn。\n")

    assert [f.kind for f in scanner.findings] == ["email"]
    assert scanner.findings[0].sample == "w***@example.cn"


def test_it_finds_a_two_character_name_only_as_a_whole_han_run():
    names = {"王芳"}

    assert kinds("1,王芳,510107\n", names=names) == ["person_name"]
    assert kinds("1,王芳华路社区,510107\n", names=names) == []


def test_it_finds_a_longer_name_inside_a_longer_run():
    scanner = scan("投诉人欧阳娜娜女士来电\n", names={"欧阳娜娜", "王小明"})

    assert [f.kind for f in scanner.findings] == ["person_name"]
    assert scanner.findings[0].sample == "欧**娜"


def test_it_finds_a_longer_name_that_overlaps_a_rejected_shorter_one():
    # 李王 inside 李王小明 is no whole run; the scan must go on to find 王小明 one character later.
    assert kinds("李王小明路\n", names={"李王", "王小明"}) == ["person_name"]


def test_it_ignores_one_character_names_and_scans_no_names_when_none_are_given():
    assert kinds("1,王,510107\n", names={"王", " "}) == []
    assert kinds("1,王芳,510107\n") == []


# --- Reports ---------------------------------------------------------------------------------


def test_samples_never_show_the_clear_value():
    card = CARD
    line = f"{VALID_ID},13812345678,{card},wangfang@example.cn,欧阳娜娜\n"
    scanner = scan(line, names={"欧阳娜娜"})

    assert sorted(f.kind for f in scanner.findings) == sorted(
        ["id_number", "mobile", "bank_card", "email", "person_name"]
    )
    for finding in scanner.findings:
        stored = json.dumps(finding.as_dict(), ensure_ascii=False)
        for clear in (VALID_ID, "13812345678", card, "wangfang", "欧阳娜娜"):
            assert clear not in finding.sample
            assert clear not in stored


def test_as_dict_is_json_ready_and_labelled():
    finding = Finding(kind="mobile", file="a.csv", location="第 2 行", sample="138****5678")

    assert json.loads(json.dumps(finding.as_dict(), ensure_ascii=False)) == {
        "kind": "mobile",
        "label": "手机号码",
        "file": "a.csv",
        "location": "第 2 行",
        "sample": "138****5678",
    }
    assert tuple(KIND_LABELS) == KINDS
    assert KINDS == (
        "id_number",
        "mobile",
        "bank_card",
        "email",
        "person_name",
        "small_cell",
        "k_anonymity",
    )


def test_an_unknown_kind_is_refused():
    with pytest.raises(ValueError, match="unknown finding kind"):
        Finding(kind="passport", file="a.csv", location="", sample="")


def test_it_keeps_at_most_limit_findings_but_counts_them_all():
    text = "".join(f"{n},1381234{n:04d}\n" for n in range(60))

    default = scan(text)
    small = scan(text, limit=3)

    assert (len(default.findings), default.total) == (50, 60)
    assert (len(small.findings), small.total) == (3, 60)
    assert [f.location for f in small.findings] == ["第 1 行", "第 2 行", "第 3 行"]


def test_a_clean_file_has_no_findings_and_every_line_counted():
    scanner = TextScanner(file="services.csv")
    text = "123456,510107,eldercare,2026-11,42,1234.50,某某社区养老服务中心\n" * 5000
    for start in range(0, len(text), 8192):
        scanner.feed(text[start : start + 8192])
    scanner.close()

    assert (scanner.findings, scanner.total, scanner.lines) == ([], 0, 5000)


# --- Spreadsheet cells -----------------------------------------------------------------------


def test_scan_values_applies_the_same_rules_to_cells():
    cells = [
        (2, "name", "某某社区养老服务中心"),
        (3, "phone", 13812345678),
        (4, "phone", 13987654321.0),  # how Excel hands back a long number
        (5, "contact", "王芳"),
        (6, "count", 42),
        (7, "empty", None),
    ]

    findings = scan_values(cells, file="services.xlsx", names={"王芳"})

    assert [(f.kind, f.location, f.sample) for f in findings] == [
        ("mobile", "第 3 行 · phone", "138****5678"),
        ("mobile", "第 4 行 · phone", "139****4321"),
        ("person_name", "第 5 行 · contact", "王*"),
    ]


def test_scan_values_stops_at_the_limit():
    cells = [(row, "phone", f"1381234{row:04d}") for row in range(10)]

    assert len(scan_values(cells, file="a.xlsx", limit=4)) == 4


# --- Small cells and k-anonymity -------------------------------------------------------------

ROWS = [
    {"district": "510107", "month": "2026-10", "complaints": 3, "resolved": 0, "rate": 0.0},
    {"district": "510104", "month": "2026-10", "complaints": None, "resolved": "", "rate": None},
    {"district": "510105", "month": "2026-10", "complaints": 12, "resolved": 0, "rate": 0.0},
    {"district": "510106", "month": "2026-10", "complaints": 20, "resolved": "4", "rate": 0.2},
]


def test_small_cell_findings_flags_unsuppressed_counts_below_k():
    findings = small_cell_findings(ROWS, count_fields=["complaints", "resolved"], file="c.csv")

    assert [(f.kind, f.location) for f in findings] == [
        ("small_cell", "第 1 行 · complaints"),
        ("small_cell", "第 4 行 · resolved"),
    ]
    assert findings[0].sample == "district=510107, month=2026-10, rate=0.0: complaints=3"


def test_small_cell_findings_honours_k():
    findings = small_cell_findings(ROWS, count_fields=["complaints"], file="c.csv", k=13)

    assert [f.location for f in findings] == ["第 1 行 · complaints", "第 3 行 · complaints"]


def test_suppress_small_cells_blanks_small_counts_and_what_derives_from_them():
    rows = [
        {"district": "510107", "complaints": 3, "resolved": 0, "rate": 0.0},
        {"district": "510104", "complaints": 12, "resolved": 4, "rate": 0.33},
        {"district": "510105", "complaints": 0, "resolved": 0, "rate": None},
    ]

    result = suppress_small_cells(
        rows, count_fields=["complaints", "resolved"], dependent_fields=["rate"]
    )

    assert result == [
        {"district": "510107", "complaints": None, "resolved": 0, "rate": None},
        {"district": "510104", "complaints": 12, "resolved": None, "rate": None},
        {"district": "510105", "complaints": 0, "resolved": 0, "rate": None},
    ]
    assert rows[0]["complaints"] == 3  # the caller's rows are left alone
    assert small_cell_findings(result, count_fields=["complaints", "resolved"], file="c") == []


def test_suppress_small_cells_keeps_dependents_on_rows_without_small_counts():
    rows = [{"complaints": 12, "resolved": 6, "rate": 0.5}]

    assert suppress_small_cells(
        rows, count_fields=["complaints", "resolved"], dependent_fields=["rate"]
    ) == [{"complaints": 12, "resolved": 6, "rate": 0.5}]


def test_k_anonymity_findings_names_each_group_below_k():
    groups = [(("510107", "2026-10"), 2), (("510104", "2026-10"), 12), (("510105", None), 4)]

    findings = k_anonymity_findings(
        groups, quasi_identifiers=["district", "month"], file="complaints.csv"
    )

    assert [(f.kind, f.sample) for f in findings] == [
        ("k_anonymity", "district=510107, month=2026-10: 2 行"),
        ("k_anonymity", "district=510105, month=NULL: 4 行"),
    ]
    assert findings[0].location == "第 1 组 · district, month"
    assert k_anonymity_findings(groups, quasi_identifiers=["d", "m"], file="c", k=2) == []
