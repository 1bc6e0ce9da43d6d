"""The secrecy review: what it catches, what it lets be, and where it says it is.

Every personal number here is made up: ID-card numbers are built from the
made-up region code 440100 with the GB 11643-1999 algorithm written out below,
card numbers are completed with the Luhn algorithm written out below.
"""

from __future__ import annotations

import time
from datetime import date

import pytest
from conftest import ROOT

from dangwu import yamlio
from dangwu.rules.secrecy import (
    Finding,
    names_anyone,
    private_giver,
    redact,
    reporter_strings,
    scan,
    scan_text,
)
from dangwu.store import records

TODAY = date(2026, 10, 5)


# --- made-up numbers, by the standards' own arithmetic ------------------------------


def id_check(first17: str) -> str:
    """GB 11643-1999: weights 2^(18-i) mod 11, check = (12 - sum mod 11) mod 11, 10 is X."""
    total = sum(int(d) * (2 ** (17 - i) % 11) for i, d in enumerate(first17))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def id18(birth: str = "19900101", seq: str = "123", region: str = "440100") -> str:
    body = region + birth + seq
    return body + id_check(body)


def id18_ending(check: str, birth: str = "19850615") -> str:
    for n in range(1000):
        number = id18(birth, f"{n:03d}")
        if number[-1] == check:
            return number
    raise AssertionError(check)


def wrong_check(number: str) -> str:
    last = number[-1]
    return number[:-1] + ("1" if last != "1" else "2")


def luhn_valid(digits: str) -> bool:
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d) * (2 if i % 2 else 1)
        total += n // 10 + n % 10
    return total % 10 == 0


def luhn_complete(partial: str) -> str:
    return next(partial + d for d in "0123456789" if luhn_valid(partial + d))


def luhn_broken(number: str) -> str:
    return number[:-1] + str((int(number[-1]) + 1) % 10)


def grouped(number: str, sep: str = " ") -> str:
    return sep.join(number[i : i + 4] for i in range(0, len(number), 4))


ID_A = id18("19900101", "123")
ID_X = id18_ending("X")
ID_LUHN = next(
    n for n in (id18("19771120", f"{s:03d}") for s in range(1000)) if n[-1] != "X" and luhn_valid(n)
)
CARD16 = luhn_complete("622202100000012")
CARD19 = luhn_complete("622848004000123456")
CARD_AMEX_LIKE = luhn_complete("411111111111111")


def masked_id(number: str) -> str:
    return number[:3] + "*" * (len(number) - 7) + number[-4:]


def masked_card(number: str) -> str:
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def test_the_made_up_numbers_are_what_they_claim():
    assert len(ID_A) == 18 and ID_A.startswith("44010019900101")
    assert ID_X.endswith("X")
    assert luhn_valid(CARD16) and len(CARD16) == 16
    assert luhn_valid(CARD19) and len(CARD19) == 19
    assert not luhn_valid(luhn_broken(CARD16))
    assert luhn_valid(ID_LUHN)
    # the worked example of GB 11643-1999's annex
    assert id_check("11010519491231002") == "X"


# --- the engine: catches and non-catches ---------------------------------------------

CASES: list[tuple[str, str, list[tuple[str, str]]]] = [
    # classification marks
    ("mark-star-period", "秘密★1年", [("classification", "秘密★1年")]),
    ("mark-star-after", "机密★", [("classification", "机密★")]),
    ("mark-star-before", "★绝密 关于某事的请示", [("classification", "★绝密")]),
    ("mark-bare-top-secret", "本件为绝密", [("classification", "绝密")]),
    ("mark-traditional-top-secret", "本件為絕密", [("classification", "絕密")]),
    ("mark-traditional-confidential", "機密★", [("classification", "機密★")]),
    ("mark-variant-secret", "這是一份祕密文件", [("classification", "祕密")]),
    ("mark-secret-document", "这是一份秘密文件。", [("classification", "秘密")]),
    ("mark-belongs-to", "本材料属于秘密，请勿外传", [("classification", "秘密")]),
    ("mark-level-label", "密级：秘密", [("classification", "秘密")]),
    ("mark-spaced", "机 密", [("classification", "机 密")]),
    ("mark-ideographic-space", "绝\u3000密★", [("classification", "绝\u3000密★")]),
    ("mark-starred-despite-verb", "保守秘密★", [("classification", "秘密★")]),
    ("mark-new-clause", "要保守秘密，此件为机密", [("classification", "机密")]),
    ("mark-in-english-text", "Classified: 机密", [("classification", "机密")]),
    ("seed-phrase", "正确处理好党务公开与保守党内秘密的关系", []),
    ("keep-secrets", "全体党员要保守秘密", []),
    ("state-secrets", "不得泄露党和国家秘密", []),
    ("party-constitution", "保守党和国家的秘密", []),
    ("strictly-keep", "严守党的秘密", []),
    ("trade-secrets", "依法保护商业秘密和个人隐私", []),
    ("work-secrets", "不涉及工作秘密的事项一律公开", []),
    ("baomi-is-not-a-mark", "做好保密审查，防止泄密", []),
    # 内部 as a mark
    ("internal-material", "内部资料 注意保存", [("classification", "内部资料")]),
    ("internal-document", "此为内部文件", [("classification", "内部文件")]),
    ("internal-use", "仅供内部使用", [("classification", "内部使用")]),
    ("internal-circulate", "内部传阅", [("classification", "内部传阅")]),
    ("internal-publication", "内部刊物第3期", [("classification", "内部刊物")]),
    ("internal-paren", "（内部）关于调整的通知", [("classification", "（内部）")]),
    ("internal-lenticular", "【内部】", [("classification", "【内部】")]),
    ("internal-square", "[内部] 会议纪要", [("classification", "[内部]")]),
    ("internal-quoted", "标注“内部”字样", [("classification", "“内部”")]),
    ("internal-star", "内部★", [("classification", "内部★")]),
    ("internal-star-before", "★内部", [("classification", "★内部")]),
    ("internal-level", "密级：内部", [("classification", "密级：内部")]),
    ("internal-alone-on-line", "内部\n关于调整的通知", [("classification", "内部")]),
    ("internal-ends-a-line", "加强党组织内部\n管理", []),
    ("intranet", "通过局机关内部网发布", []),
    ("dangnei-bushu", "按照党内部署开展工作", []),
    ("internal-control", "健全内部控制制度，加强内部管理", []),
    ("audit-rules-title", "学习《内部审计工作规定》", []),
    # ID-card numbers
    ("id-valid", f"身份证号{ID_A}。", [("id-card", masked_id(ID_A))]),
    ("id-check-x", f"证件：{ID_X}", [("id-card", masked_id(ID_X))]),
    ("id-check-lower-x", ID_X.lower(), [("id-card", masked_id(ID_X.lower()))]),
    ("id-grouped", f"{ID_A[:6]} {ID_A[6:14]} {ID_A[14:]}", [("id-card", "440*** ******** 1237")]),
    ("id-wrong-check", wrong_check(ID_A), []),
    ("id-impossible-date", id18("19900230"), []),
    ("id-future-birth", id18("20301212"), []),
    ("id-nineteenth-century", id18("18991231"), []),
    ("id-in-longer-digits", f"1{ID_A}2", []),
    ("id-after-letters", f"NO{ID_A}", []),
    ("id-luhn-valid-is-id-not-card", ID_LUHN, [("id-card", masked_id(ID_LUHN))]),
    ("id-15", "旧证440100900101123号", [("id-card", "440********1123")]),
    ("id-15-bad-month", "440100901301123", []),
    ("id-15-in-longer-digits", "44010090010112", []),
    ("id-15-after-letters", "MA440100900101123", []),
    # mobile numbers
    ("mobile-plain", "联系电话13812345678", [("mobile", "138****5678")]),
    ("mobile-spaces", "138 1234 5678", [("mobile", "138 **** 5678")]),
    ("mobile-hyphens", "手机138-1234-5678。", [("mobile", "138-****-5678")]),
    ("mobile-plus86-spaced", "+86 139 8765 4321", [("mobile", "+86 139 **** 4321")]),
    ("mobile-plus86", "+8615012345678", [("mobile", "+86150****5678")]),
    ("mobile-0086", "0086-18912345678", [("mobile", "0086-189****5678")]),
    ("mobile-86", "8617712345678", [("mobile", "86177****5678")]),
    ("mobile-fullwidth-paren", "（＋86）13812345678", [("mobile", "（＋86）138****5678")]),
    ("mobile-fullwidth-digits", "１３８１２３４５６７８", [("mobile", "１３８****５６７８")]),
    (
        "mobile-two",
        "13812345678、13987654321",
        [("mobile", "138****5678"), ("mobile", "139****4321")],
    ),
    ("mobile-after-letters", "TEL13812345678", [("mobile", "138****5678")]),
    # however a clerk groups the digits
    ("mobile-4-3-4", "电话1381 234 5678", [("mobile", "138* *** 5678")]),
    ("mobile-3-8", "电话138-12345678", [("mobile", "138-****5678")]),
    ("mobile-digit-by-digit", "电话1 3 8 1 2 3 4 5 6 7 8", [("mobile", "1 3 8 * * * * 5 6 7 8")]),
    ("a-list-of-numbers", "第1 3 5 7 9 11 13 15条", []),
    ("mobile-chinese-numerals", "电话一三八一二三四五六七八", [("mobile", "一三八****五六七八")]),
    ("mobile-spoken", "手机幺三八 一二三四 五六七八", [("mobile", "幺三八 **** 五六七八")]),
    ("a-numeral-before-digits", "其一13812345678", [("mobile", "138****5678")]),
    ("a-year-in-numerals", "二〇二六年第一季度", []),
    ("mobile-12-prefix", "12812345678", []),
    ("mobile-12-digits", "138123456789", []),
    ("mobile-inside-digits", "0138123456780", []),
    ("landline-office", "监督电话0000-1234567", []),
    ("landline-area", "0758-2281234（工作日）", []),
    ("landline-with-extension", "0758-2281234-8001", []),
    # bank cards
    ("card-16", f"卡号{CARD16}", [("bank-card", masked_card(CARD16))]),
    ("card-19", CARD19, [("bank-card", masked_card(CARD19))]),
    ("card-grouped", grouped(CARD16), [("bank-card", "6222 **** **** " + CARD16[-4:])]),
    (
        "card-grouped-hyphens",
        grouped(CARD16, "-"),
        [("bank-card", "6222-****-****-" + CARD16[-4:])],
    ),
    (
        "card-grouped-19",
        grouped(CARD19),
        [("bank-card", f"6228 **** **** ***{CARD19[-4]} {CARD19[-3:]}")],
    ),
    ("card-visa-test", CARD_AMEX_LIKE, [("bank-card", masked_card(CARD_AMEX_LIKE))]),
    ("card-luhn-invalid", luhn_broken(CARD16), []),
    ("card-grouped-luhn-invalid", grouped(luhn_broken(CARD16)), []),
    ("card-too-long", CARD19 + "1", []),
    ("card-embedded", f"9{CARD16}9", []),
    ("card-after-letters", f"No.A{CARD16}", []),
    ("card-before-letter", f"{CARD16}X", []),
    # ordinary numbers
    ("amounts", "党费42,600元，上季度18,420元，共61,020.50元", []),
    ("years-dates", "2026年1月9日，2026-01-09，2026Q3，9:00—17:30", []),
    ("table", "| 2026年第三季度 | 128 | 42600 | 100% |", []),
    ("record-id", "见ZZ-2026-101号记录", []),
]


def kinds_and_excerpts(findings: list[Finding]) -> list[tuple[str, str]]:
    return [(f.kind, f.excerpt) for f in findings]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_scan_text_catches_what_it_should_and_nothing_else(text, expected):
    assert kinds_and_excerpts(scan_text("body", text, today=TODAY)) == expected


def test_there_are_enough_cases():
    assert len(CASES) >= 40
    assert {kind for _, _, found in CASES for kind, _ in found} == {
        "classification",
        "id-card",
        "mobile",
        "bank-card",
    }


def test_personal_data_is_masked_in_excerpt_and_message():
    text = f"{ID_A} {CARD16} 13812345678 张三丰"
    findings = scan_text("body", text, sensitive=["张三丰"], today=TODAY)
    assert [f.kind for f in findings] == ["id-card", "bank-card", "mobile", "reporter"]
    for finding, secret in zip(findings, [ID_A, CARD16, "13812345678", "张三丰"], strict=True):
        assert secret not in finding.excerpt
        assert secret not in finding.message
        assert finding.excerpt in finding.message
    assert findings[3].excerpt == "张**"


def test_messages_say_what_was_found():
    (mark,) = scan_text("title", "秘密", today=TODAY)
    assert mark.message == "classification mark '秘密' — a public record must not carry it"
    (mobile,) = scan_text("title", "13812345678", today=TODAY)
    assert mobile.message == "looks like a mobile phone number (138****5678)"
    (card,) = scan_text("title", grouped(CARD16), today=TODAY)
    assert card.message == f"looks like a bank card number (6222 **** **** {CARD16[-4:]})"
    (idc,) = scan_text("title", ID_A, today=TODAY)
    assert idc.message == "looks like a mainland ID-card number (440***********1237)"
    (rep,) = scan_text("title", "张三", sensitive=["张三"], today=TODAY)
    assert rep.message == "names a real-name reporter or their contact (张*)"


def test_birth_date_is_judged_against_today():
    recent = id18("20260901")
    assert [f.kind for f in scan_text("body", recent, today=date(2026, 10, 5))] == ["id-card"]
    assert scan_text("body", recent, today=date(2026, 8, 31)) == []


# --- reporters -----------------------------------------------------------------------

REPORTERS = ["王建国", "wangjg@example.org", "13912340000", "张", "x", " ", "王建国"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("举报人王建国反映的问题已核实", [("reporter", "王**")]),
        ("来信WangJG@Example.org已收悉", [("reporter", "W*****@Example.org")]),
        ("电话13912340000", [("reporter", "1**********"), ("mobile", "139****0000")]),
        ("张书记、小张", []),  # one-character entries are ignored
        ("mrwangjg@example.org", []),  # not inside a longer address
        ("王建", []),
    ],
)
def test_reporters_names_and_contacts(text, expected):
    found = scan_text("body", text, sensitive=REPORTERS, today=TODAY)
    assert sorted(kinds_and_excerpts(found)) == sorted(expected)


# a reporter as a file gives them, and as a clerk might write them to slip past
FILED = {
    "name": "赵建国",
    "contact": "电话 0000-7654321，手机 139 1234 5678，邮箱 zhao@example.org，江城市人民路12号",
}


@pytest.mark.parametrize(
    "text",
    [
        "赵建国反映属实",
        "趙建國反映屬實",  # traditional characters
        "赵 建·国",
        "请拨打0000-7654321",  # the number without the word 电话
        "请拨打 0000 7654321",
        "请拨打(0000)7654321",
        "请拨打00007654321",
        "本地号码7654321",
        "手机13912345678",
        "手机139-1234-5678",
        "手机１３９１２３４５６７８",  # full-width digits
        "手机一三九一二三四五六七八",  # Chinese numerals
        "电话〇〇〇〇-七六五四三二一",
        "电话〇〇〇〇-柒陸伍肆叁貳壹",  # traditional financial numerals
        "可拨七六五四三二幺",  # 幺 for 1, as numbers are read aloud
        "赵建囯反映属实",  # a variant OpenCC does not pair
        "家住人民路12号",  # part of an address
        "编号A13912345678号",
        "来信 zhao@example.org",
        "赵\u17b4建\u17b4国反映属实",  # a Khmer vowel that prints as nothing
        "赵\u2800建国反映属实",  # the blank Braille pattern
    ],
)
def test_a_reporter_is_found_however_the_text_writes_them(text):
    sensitive = reporter_strings(FILED)
    assert names_anyone(text, sensitive), text
    assert not names_anyone(redact(text, sensitive), sensitive)


@pytest.mark.parametrize(
    "text",
    ["赵建", "电话0000-7654320", "订单号113912345678", "7654321987", "张建国", "人民路", "江城市"],
)
def test_what_only_looks_like_a_reporter_is_left(text):
    assert not names_anyone(text, reporter_strings(FILED)), text


def test_a_contact_yields_its_number_in_ascii_digits_and_its_address_parts():
    assert reporter_strings({"contact": "手机１３９ １２３４ ５６７８"}) == [
        "手机１３９ １２３４ ５６７８",
        "13912345678",  # not ５６７８ alone: a part that is only a number is no address
    ]
    assert reporter_strings({"contact": "单位：江城市司法局办公室"}) == ["单位：江城市司法局办公室"]


def test_a_private_member_of_the_public_is_kept_like_a_reporter():
    assert private_giver({"public": " 钱秀英 ", "private": True}) == ["钱秀英"]
    assert private_giver({"public": "钱秀英"}) == []  # asked to be named: named
    assert private_giver({"public": "钱秀英", "private": "yes"}) == []  # only dangwu's true


def test_a_reporter_entry_does_not_match_inside_an_ascii_word():
    assert scan_text("body", "the policy of li", sensitive=["li"], today=TODAY) == [
        Finding("reporter", "body", 1, 15, "l*", "names a real-name reporter or their contact (l*)")
    ]


def test_the_longer_of_overlapping_entries_wins():
    found = scan_text("body", "王建国同志", sensitive=["王建", "王建国"], today=TODAY)
    assert kinds_and_excerpts(found) == [("reporter", "王**")]


# --- positions -----------------------------------------------------------------------


def test_scan_text_positions_are_relative_to_the_text():
    text = "第一行\n第二行 秘密\n\n  13812345678"
    found = scan_text("body", text, today=TODAY)
    assert [(f.line, f.col, f.kind) for f in found] == [
        (2, 5, "classification"),
        (4, 3, "mobile"),
    ]


RECORD = """\
# 党务公开记录 · disclosure record
id: ZZ-2026-901
category: zuzhi-jianshe
item: party-dues
title: 关于内部资料管理的通知
summary: >-
  第一行文字，
  第二行有秘密字样。
body: |
  第一行

  请联系 138-1234-5678 办理。
  | 姓名 | 卡号 |
  |---|---|
  | 某某 | CARD |
scope: public
channels: [website]
cadence: timely
attachments: [附件一.pdf, 'files/13912345678.pdf']
decision:
  note: 13812345678
""".replace("CARD", grouped(CARD16))


def at(text: str, finding: Finding) -> str:
    return text.splitlines()[finding.line - 1][finding.col - 1 :]


def test_scan_places_findings_on_the_file_lines_and_columns():
    found = scan(yamlio.load(RECORD), text=RECORD, today=TODAY)
    assert [(f.field, f.kind, f.line, f.col) for f in found] == [
        ("title", "classification", 5, 10),
        ("summary", "classification", 8, 7),
        ("body", "mobile", 12, 7),
        ("body", "bank-card", 15, 10),
        ("attachments[1]", "mobile", 19, 31),
    ]
    for finding in found:
        assert at(RECORD, finding)[:1] == finding.excerpt[:1]
    assert at(RECORD, found[0]).startswith("内部资料")
    assert at(RECORD, found[2]).startswith("138-1234-5678")


def test_scan_without_the_text_keeps_literal_lines_and_plain_columns():
    found = scan(yamlio.load(RECORD), today=TODAY)
    assert [(f.field, f.line, f.col) for f in found] == [
        ("title", 5, 10),  # a one-line plain value: exact
        ("summary", 6, 10),  # folded: the value's start
        ("body", 12, 7),  # literal: the right line; the block's column
        ("body", 15, 7),
        ("attachments[1]", 19, 24),  # quoted: the value's start
    ]


def test_crlf_files_are_located_the_same():
    crlf = RECORD.replace("\n", "\r\n")
    lf_found = scan(yamlio.load(RECORD), text=RECORD, today=TODAY)
    assert scan(yamlio.load(crlf), text=crlf, today=TODAY) == lf_found


def test_literal_block_with_explicit_indentation_and_more_indented_lines():
    text = "title: 标题\nbody: |2\n    代码 13812345678\n  普通行 秘密\n"
    found = scan(yamlio.load(text), text=text, today=TODAY)
    assert [(f.kind, f.line, f.col) for f in found] == [
        ("mobile", 3, 8),
        ("classification", 4, 7),
    ]
    for finding in found:
        assert at(text, finding)[:1] == finding.excerpt[:1]


def test_block_scalars_in_a_list_of_attachments():
    text = "attachments:\n  - |\n    a/13812345678.pdf\n  - |2\n      b 13912345678\n"
    found = scan(yamlio.load(text), text=text, today=TODAY)
    assert [(f.field, f.line, f.col) for f in found] == [
        ("attachments[0]", 3, 7),
        ("attachments[1]", 5, 9),
    ]
    for finding in found:
        assert at(text, finding)[:3] == finding.excerpt[:3]


def test_nested_literal_block_takes_its_own_indentation():
    text = "title: 标题\nbody: |\n      深缩进\n      第二行 机密\nscope: public\n"
    (finding,) = scan(yamlio.load(text), text=text, today=TODAY)
    assert (finding.line, finding.col) == (4, 11)
    assert at(text, finding).startswith("机密")


def test_repeated_text_in_a_folded_value_is_found_in_order():
    text = "summary: >\n  秘密一\n  又一个秘密\n"
    found = scan(yamlio.load(text), text=text, today=TODAY)
    assert [(f.line, f.col) for f in found] == [(2, 3), (3, 6)]
    # without the text both sit at the value's start, and are reported once
    assert [(f.line, f.col) for f in scan(yamlio.load(text), today=TODAY)] == [(1, 10)]


def test_double_quoted_title_is_located_past_its_escapes():
    text = 'title: "第\\t一 机密"\n'
    (finding,) = scan(yamlio.load(text), text=text, today=TODAY)
    assert (finding.line, finding.col) == (1, 14)
    assert at(text, finding).startswith("机密")


def test_multi_line_plain_title():
    text = "title: 关于\n  绝密事项\nbody: 无\n"
    (finding,) = scan(yamlio.load(text), text=text, today=TODAY)
    assert (finding.field, finding.line, finding.col) == ("title", 2, 3)


def test_only_content_fields_are_scanned():
    text = "id: 13812345678\nitem: 秘密\nscope: 内部资料\ndecision:\n  note: 13812345678\n"
    assert scan(yamlio.load(text), text=text, today=TODAY) == []


def test_a_document_that_is_not_a_mapping_has_no_findings():
    assert scan(yamlio.load("- 秘密\n- 13812345678\n"), today=TODAY) == []
    assert scan(yamlio.load("秘密\n"), today=TODAY) == []


def test_attachment_given_as_one_path_and_non_text_items():
    text = "attachments: 内部文件.pdf\ntitle: 13812345678\n"
    found = scan(yamlio.load(text), text=text, today=TODAY)
    assert [(f.field, f.kind, f.line, f.col) for f in found] == [
        ("attachments", "classification", 1, 14),
        ("title", "mobile", 2, 8),
    ]
    nested = "attachments:\n  - {name: 秘密.pdf}\n  - 机密.pdf\n"
    (finding,) = scan(yamlio.load(nested), text=nested, today=TODAY)
    assert (finding.field, finding.line, finding.col) == ("attachments[1]", 3, 5)


def test_findings_are_sorted_and_deduplicated():
    text = "body: |\n  机密 13812345678\ntitle: 秘密 张三\n"
    found = scan(yamlio.load(text), text=text, sensitive=["张三", "张三", " 张三 "], today=TODAY)
    assert [(f.line, f.col, f.kind) for f in found] == [
        (2, 3, "classification"),
        (2, 6, "mobile"),
        (3, 8, "classification"),
        (3, 11, "reporter"),
    ]
    assert found == sorted(found, key=lambda f: (f.line, f.col))
    assert len(set(found)) == len(found)


def test_a_finding_is_a_value():
    finding = scan_text("body", "机密", today=TODAY)[0]
    with pytest.raises(AttributeError):
        finding.line = 2  # type: ignore[misc]
    assert hash(finding) == hash(scan_text("body", "机密", today=TODAY)[0])


# --- the sample office ---------------------------------------------------------------


def sample_records() -> list[tuple[str, yamlio.Document, str]]:
    out = []
    for relpath in records.record_files(ROOT):
        text = (ROOT / relpath).read_text(encoding="utf-8")
        out.append((relpath, yamlio.load(text), text))
    return out


def test_the_sample_office_is_clean():
    samples = sample_records()
    assert len(samples) >= 30
    for relpath, doc, text in samples:
        assert scan(doc, text=text) == [], relpath
        assert scan(doc) == [], relpath


def test_the_scan_is_fast():
    samples = sample_records()
    started = time.perf_counter()
    for _ in range(100):
        for _relpath, doc, text in samples:
            scan(doc, text=text, sensitive=["王建国", "wangjg@example.org"])
    assert time.perf_counter() - started < 2.0


def test_a_long_body_scans_in_well_under_a_millisecond():
    body = ("经局党组会议研究，现将有关事项公开如下，电话0000-1234567，金额42,600元。" * 60)[:2000]
    scan_text("body", body)
    started = time.perf_counter()
    for _ in range(200):
        scan_text("body", body, sensitive=["王建国"])
    assert (time.perf_counter() - started) / 200 < 0.001
