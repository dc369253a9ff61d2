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


def test_uploading_an_untouched_export_of_every_library_draft_changes_nothing(
        app, staff, desk, in_db):
    """Export → upload of the untouched file: same Markdown, no new commit."""
    procedure = pytest.importorskip("isodoc.officedocs.procedure")
    from sqlalchemy import select

    from isodoc.agencies.services import get_by_code
    from isodoc.auth.services import get_user
    from isodoc.documents import services
    from isodoc.documents.demo import fields_of
    from isodoc.documents.models import Revision
    from tests.test_docx_import import upload

    heads = {}
    with in_db() as s:
        agency, author = get_by_code("so-tu-phap"), get_user(staff["author"])
        for template in library.templates():
            revision = services.create_document(agency, author, template.code,
                                                fields_of(template), template.body)
            s.flush()
            heads[revision.id] = (template.code, revision.document.slug, revision.head_sha)
    client = desk("author")
    for ident, (code, slug, head) in heads.items():
        with in_db() as s:
            data = procedure.build(s.get(Revision, ident))
        response = upload(client, f"/agencies/so-tu-phap/documents/{slug}/drafts/1/upload",
                          data)
        assert response.status_code == 302, code
        with in_db() as s:
            assert s.scalar(select(Revision.head_sha).where(Revision.id == ident)) == head, code
