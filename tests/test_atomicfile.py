"""Files replaced whole (evidence, the revision cache): a failure leaves the old file and
no temporary file behind."""

from __future__ import annotations

import os

import pytest

from isodoc import atomicfile
from isodoc.atomicfile import write_atomically


def test_a_new_file_replaces_the_old_one_whole(tmp_path):
    path = tmp_path / "ab" / "evidence"
    write_atomically(path, b"first", durable=True)
    write_atomically(path, b"second")
    assert path.read_bytes() == b"second"
    assert os.listdir(path.parent) == ["evidence"]


@pytest.mark.parametrize("durable", [False, True])
def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary_one(
        tmp_path, monkeypatch, durable):
    path = tmp_path / "evidence"
    path.write_bytes(b"kept")

    def full_disk(*_args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomicfile.os, "replace", full_disk)
    with pytest.raises(OSError):
        write_atomically(path, b"lost", durable=durable)
    assert path.read_bytes() == b"kept"
    assert os.listdir(tmp_path) == ["evidence"]
