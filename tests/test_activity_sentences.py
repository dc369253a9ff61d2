"""Every action the audit log records reads as a sentence (issue 14: "the action log
reads as sentences, not `document.issue`")."""

from __future__ import annotations

import re
from pathlib import Path

from isodoc.activity import GROUPS, SENTENCES
from isodoc.annual_reports.workflow import Step

ROOT = Path(__file__).resolve().parent.parent
RECORDED = re.compile(r'\brecord\(\s*"([a-z_]+\.[a-z_]+)"')


def recorded_codes() -> set[str]:
    codes = {m.group(1) for path in (ROOT / "isodoc").rglob("*.py")
             for m in RECORDED.finditer(path.read_text(encoding="utf-8"))}
    codes |= {f"report.{step.value}" for step in Step}  # recorded as f"report.{step.value}"
    return codes


def test_every_recorded_action_has_a_sentence_and_a_group():
    codes = recorded_codes()
    assert len(codes) > 60  # the scan finds what it looks for
    assert sorted(codes - set(SENTENCES)) == []
    prefixes = {prefix for prefix, _label in GROUPS}
    assert sorted({c.split(".")[0] + "." for c in codes} - prefixes) == []
