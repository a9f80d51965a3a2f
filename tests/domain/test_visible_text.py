"""The one sanitizer for untrusted text: controls and invisible characters shown, not obeyed."""

from __future__ import annotations

import json
import unicodedata

import orjson
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kubechat_tui.domain.visible_text import visible

C0_C1 = {chr(c) for c in (*range(0x20), *range(0x7F, 0xA0))}
HIDING = "\u202e\u202a\u2066\u2069\u200b\u200d\u200e\u2060\ufeff\u00ad\U000e0041"


@given(st.text())
def test_no_control_or_format_character_survives(text: str) -> None:
    for lines in (True, False):
        shown = visible(text, lines=lines)
        allowed = {"\n", "\t"} if lines else set()
        assert not (set(shown) & C0_C1) - allowed
        assert all(ch.isprintable() or ch in allowed for ch in shown)
        assert not any(unicodedata.category(ch) in ("Cf", "Cs") for ch in shown)
        shown.encode("utf-8")  # lone surrogates are escaped too


@given(st.text(st.characters(blacklist_categories=("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp",
                                                   "Zs")) | st.sampled_from(" \n\t")))
def test_printable_text_comes_back_unchanged(text: str) -> None:
    assert visible(text) == text
    assert visible(text.replace("\n", "").replace("\t", ""), lines=False) == \
        text.replace("\n", "").replace("\t", "")


JSON_TEXT = st.text(st.characters(blacklist_categories=("Cs",)))  # orjson refuses surrogates


@given(st.recursive(st.none() | st.booleans() | st.integers(-(2**63), 2**63 - 1) | JSON_TEXT,
                    lambda inner: st.lists(inner) | st.dictionaries(JSON_TEXT, inner),
                    max_leaves=20))
def test_json_passed_through_stays_the_same_data(data: object) -> None:
    for document in (orjson.dumps(data).decode(),
                     orjson.dumps(data, option=orjson.OPT_INDENT_2).decode()):
        assert json.loads(visible(document)) == data


@pytest.mark.parametrize(("raw", "shown"), [
    ("\x1b[2J\x1b[31mALL CLEAR\x1b]0;pwned\x07",
     "\\u001b[2J\\u001b[31mALL CLEAR\\u001b]0;pwned\\u0007"),
    ("ok\x1b[8mhidden", "ok\\u001b[8mhidden"),
    ("\x9b31m", "\\u009b31m"),
    ("abc\u202edcba", "abc\\u202edcba"),
    ("over\rwrite", "over\\rwrite"),
    ("tag\U000e0041", "tag\\udb40\\udc41"),
    ("lone \udcff byte", "lone \\udcff byte"),
    ("[bold]not markup[/]", "[bold]not markup[/]"),
])
def test_how_each_kind_is_shown(raw: str, shown: str) -> None:
    assert visible(raw) == shown


def test_line_breaks_are_kept_only_where_text_spans_lines() -> None:
    assert visible("a\n\tb") == "a\n\tb"
    assert visible("a\n\tb", lines=False) == "a\\n\\tb"
    assert all(visible(ch) != ch for ch in HIDING)
