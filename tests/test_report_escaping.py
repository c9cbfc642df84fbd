"""Upstream strings cannot break a markdown table or inject HTML; chart file names are sanitised."""

from __future__ import annotations

import re

import pytest

from aggregator.charts import plain, safe_name
from aggregator.report import link, md


@pytest.mark.parametrize("hostile", [
    "evil | model", "<script>alert(1)</script>", "`rm -rf`", "two\nlines", "[click](http://x.test)", "**bold** _it_",
    "<img src=x onerror=alert(1)>", "a\r\n| --- |", "![img](http://x.test/a.png)",
])
def test_md_cell_is_inert(hostile):
    out = md(hostile)
    assert "\n" not in out and "\r" not in out
    assert "|" not in out.replace("&#124;", "")  # no raw pipe can end a table cell
    assert not re.search(r"(?<!\\)<", out)  # no raw tag opener
    assert not re.search(r"(?<!\\)`", out)
    assert not re.search(r"(?<!\\)\[", out)  # no link syntax survives


def test_md_keeps_plain_text_readable():
    assert md("DeepSeek-V3") == "DeepSeek-V3"
    assert md("Qwen2.5 72B") == "Qwen2.5 72B"


def test_link_refuses_non_http_urls():
    assert link("x", "javascript:alert(1)") == "x"
    assert link("x", "https://example.org/a b") == "x"
    assert link("a|b", "https://example.org/p") == "[a&#124;b](https://example.org/p)"


@pytest.mark.parametrize("name", ["../../etc/passwd", "a/b\\c", "x" * 500, "", "..", "Qwen/Qwen2.5 72B"])
def test_safe_name(name):
    s = safe_name(name)
    assert "/" not in s and "\\" not in s and not s.startswith(".") and 0 < len(s) <= 60


# --- added for issue 7: any text, any URL -------------------------------------------------------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

FUZZ = settings(max_examples=1000, deadline=None, derandomize=True, database=None)
HOSTILE = st.text(alphabet=st.sampled_from(list("|<>`[]()*_~\\!#&;:/ \r\n\t\u2028\x00aZ9.-=\"'")) | st.characters(), max_size=40)


def _inert(out: str) -> None:
    assert "\n" not in out and "\r" not in out, "one line"
    assert "|" not in out.replace("&#124;", ""), "no raw pipe can end a table cell"
    for ch in "<`[]*_":
        assert not re.search(rf"(?<!\\)(?:\\\\)*{re.escape(ch)}", out), f"unescaped {ch!r}"


@FUZZ
@given(HOSTILE)
def test_md_any_text_is_inert(text):
    _inert(md(text))


@FUZZ
@given(HOSTILE, HOSTILE)
def test_link_any_url_is_inert(text, tail):
    out = link(text, "https://example.org/" + tail)
    if out == md(text):
        return  # refused: plain text
    m = re.fullmatch(r"\[(.*)\]\((https?://[^\s<>()|`\[\]\"\\]+)\)", out, re.S)
    assert m, f"a link whose destination cannot break out: {out!r}"
    _inert(m.group(1))


def test_link_encodes_cell_breakers():
    assert link("x", "https://e.org/a|b") == "[x](https://e.org/a%7Cb)"
    assert link("x", "https://e.org/`x`") == "[x](https://e.org/%60x%60)"
    assert link("x", "https://zh.wikipedia.org/wiki/昇腾") == "[x](https://zh.wikipedia.org/wiki/%E6%98%87%E8%85%BE)"


@FUZZ
@given(st.text(max_size=300))
def test_safe_name_any_text(name):
    s = safe_name(name)
    assert re.fullmatch(r"[a-z0-9_][a-z0-9._-]{0,59}", s), "a bounded slug that cannot start a hidden file or a path"


@pytest.mark.parametrize("text,drawn", [
    ("SuperCLUE overall (总排行 total)", "SuperCLUE overall"),  # the Chinese gloss is left out, not drawn as boxes
    ("SuperCLUE ten abilities - code (代码)", "SuperCLUE ten abilities - code"),
    ("Qwen (72B)", "Qwen (72B)"),
    ("costs $5 to $8", r"costs \$5 to \$8"),  # no mathtext from data
    ("line one\nline two", "line one\nline two"),  # wrapped footnotes keep their lines
])
def test_chart_text_is_drawable(text, drawn):
    assert plain(text) == drawn
