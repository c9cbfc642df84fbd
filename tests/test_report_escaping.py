"""Upstream strings cannot break a markdown table or inject HTML; chart file names are sanitised."""

from __future__ import annotations

import re

import pytest

from aggregator.charts import safe_name
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
