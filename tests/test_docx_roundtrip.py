"""Round trip with the export's body writer (isodoc.officedocs, the export half of the
same issue): every body of the starter library, written to Word as the export writes
it and read back by the import, is the same Markdown. Skipped until that writer is on
the branch."""

from __future__ import annotations

import io

import pytest

from isodoc.documents import docx_safety, library


def test_every_library_body_survives_export_and_import(app):
    markdown = pytest.importorskip("isodoc.officedocs.markdown")
    layout = pytest.importorskip("isodoc.officedocs.layout")
    templates = library.templates()
    assert templates
    with app.app_context():
        for template in templates:
            doc = layout.new_document()
            layout.title_block(doc, ["QUY TRÌNH", template.title.upper()])
            p = layout.centred(doc, "")
            p.add_run("Mã hiệu: ")
            p.add_run(template.code).bold = True
            markdown.write_body(doc, template.body)
            if hasattr(layout, "save"):  # the writer splices the body in at save
                data = layout.save(doc)
            else:
                out = io.BytesIO()
                doc.save(out)
                data = out.getvalue()
            converted = docx_safety.convert(data)
            assert converted.markdown.strip() == template.body.strip(), template.name
            assert converted.code == template.code
