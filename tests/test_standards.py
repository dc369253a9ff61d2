"""The clause catalogs: complete, consistent, and refused when broken."""

from __future__ import annotations

import shutil

import pytest

from isodoc import standards
from isodoc.standards import CatalogError


def test_every_clause_of_iso_9001_2015_is_there():
    edition = standards.load().current
    expected = ["4.1", "4.2", "4.3", "4.4", "4.4.1", "4.4.2", "5.1.1", "5.1.2", "5.2.1",
                "5.2.2", "5.3", "6.1.1", "6.1.2", "6.2.1", "6.2.2", "6.3", "7.1.1", "7.1.2",
                "7.1.3", "7.1.4", "7.1.5", "7.1.5.1", "7.1.5.2", "7.1.6", "7.2", "7.3", "7.4",
                "7.5.1", "7.5.2", "7.5.3", "7.5.3.1", "7.5.3.2", "8.1", "8.2.1", "8.2.2",
                "8.2.3", "8.2.3.1", "8.2.3.2", "8.2.4", "8.3.1", "8.3.2", "8.3.3", "8.3.4",
                "8.3.5", "8.3.6", "8.4.1", "8.4.2", "8.4.3", "8.5.1", "8.5.2", "8.5.3",
                "8.5.4", "8.5.5", "8.5.6", "8.6", "8.7.1", "8.7.2", "9.1.1", "9.1.2", "9.1.3",
                "9.2.1", "9.2.2", "9.3.1", "9.3.2", "9.3.3", "10.1", "10.2.1", "10.2.2", "10.3"]
    assert [n for n in expected if n not in edition.clauses] == []
    assert [c.number for c in edition.top()] == ["4", "5", "6", "7", "8", "9", "10"]
    assert edition.get("7.5.3").vi == "Kiểm soát thông tin dạng văn bản"
    assert edition.get("8.5.1").en == "Control of production and service provision"
    assert [n.flag for n in edition.get("4.1").notes] == ["ISO 9001:2015/Amd 1:2024"]
    assert "biến đổi khí hậu" in edition.get("4.2").notes[0].vi


def test_2008_to_2015_correspondence():
    catalog = standards.load()
    mapping = catalog.correspondence("iso9001-2008")
    assert mapping.map["4.2.3"] == ["7.5.2", "7.5.3"]
    assert mapping.map["4.2.4"] == ["7.5.2", "7.5.3"]
    assert mapping.map["8.5.3"] == ["6.1"]
    assert "7.1.6" in mapping.new
    assert mapping.map["5.5.2"] == [] and mapping.none["5.5.2"]
    assert sorted(mapping.sources_of("7.5.3")) == ["4.2.3", "4.2.4"]


@pytest.mark.parametrize("file,old,new,message", [
    ("iso9001-2015.yaml", '- {number: "7.1.6"', '- {number: "7.1.5"', "appears twice"),
    ("iso9001-2015.yaml", '- {number: "7.1.5.1"', '- {number: "7.9.5.1"', "without its parent"),
    ("map-2008-2015.yaml", '  "7.6": ["7.1.5"]\n', "", "neither mapped"),
    ("map-2008-2015.yaml", '"7.6": ["7.1.5"]', '"7.6": ["7.1.9"]', "not a ISO 9001:2015"),
    ("map-2008-2015.yaml", '"5.5.2": "Đại', '"5.5.9": "Đại', "say why"),
    ("map-2008-2015.yaml", 'new: ["4.1"', 'new: ["7.5.3"', "listed as new but has a source"),
])
def test_a_broken_catalog_is_refused(tmp_path, file, old, new, message):
    for path in standards.HERE.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    text = (tmp_path / file).read_text(encoding="utf-8")
    assert old in text
    (tmp_path / file).write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(CatalogError, match=message):
        standards.load(tmp_path)


def test_a_later_edition_is_a_file_plus_its_map(tmp_path):
    for path in standards.HERE.glob("*.yaml"):
        shutil.copy(path, tmp_path / path.name)
    (tmp_path / "iso9001-2026.yaml").write_text(
        'id: iso9001-2026\ntitle: ISO 9001:2026\nclauses:\n'
        '  - {number: "4", vi: "Bối cảnh", en: "Context"}\n', encoding="utf-8")
    catalog = standards.load(tmp_path)
    assert "iso9001-2026" in catalog.editions and catalog.current.id == "iso9001-2015"
