"""The search index after a crash mid-commit: tantivy writes a commit's files, then
meta.json. A process killed between the two leaves files that meta.json does not name,
and the next writer, starting from the same opstamp, must write the same file names:
every later update would fail with FileAlreadyExists and the outbox would never drain.
The state is made here exactly: a commit's files kept, its meta.json rolled back."""

from __future__ import annotations

from isodoc.search.tantivy_engine import TantivyEngine
from tests.test_search_engines import doc


def test_an_update_after_a_commit_killed_before_its_meta_succeeds(tmp_path):
    engine = TantivyEngine(tmp_path)
    engine.replace([doc("1:r1", "Quy trình tiếp dân", "Tiếp công dân."),
                    doc("2:r1", "Quy trình khiếu nại", "Giải quyết khiếu nại.")], [1, 2])
    meta = engine.path / "meta.json"
    before = meta.read_bytes()
    update = [doc("1:r2", "Quy trình tiếp dân", "Tiếp công dân, lần 2.")]
    engine.replace(update, [1])
    meta.write_bytes(before)  # the process died after writing the files, before meta.json

    restarted = TantivyEngine(tmp_path)
    assert restarted.entry_keys() == {"1:r1", "2:r1"}
    restarted.replace(update, [1])
    assert restarted.entry_keys() == {"1:r2", "2:r1"}
    restarted.replace([doc("2:r2", "Quy trình khiếu nại", "Lần 2.")], [2])
    assert TantivyEngine(tmp_path).entry_keys() == {"1:r2", "2:r2"}
