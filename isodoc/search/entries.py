"""From the database to index entries: what a document contributes to the index."""

from __future__ import annotations

import re

from isodoc.agencies.models import Agency, AgencyKind
from isodoc.documents import services as documents
from isodoc.documents.models import Document, Revision
from isodoc.search.base import OPEN_END, SearchDoc, day_number
from isodoc.timeutil import today_local

MARKUP = re.compile(r"[#*|>`_~\[\]]+|^\s*[-:]+\s*$|-{3,}", re.M)


def plain(markdown: str) -> str:
    """Markdown without its markup: what the snippet shows and the index reads."""
    return re.sub(r"[ \t]+", " ", MARKUP.sub(" ", markdown)).strip()


def district_of(agency: Agency) -> str:
    for node in agency.lineage():
        if node.kind == AgencyKind.DISTRICT:
            return node.code
    return ""


def entries_for(document: Document) -> list[SearchDoc]:
    """Issued revisions still current or to come (each valid from its effective date to
    the next one's, so a future revision takes over on its day without a reindex) and
    the open draft, visible to the agency's staff only. A revision superseded before it
    took effect was never in force: it has no window. Each entry carries its own
    revision's metadata, so a draft never changes what the public entry says."""
    today = day_number(today_local())
    line = documents.effective_line(document)
    end_of_all = day_number(document.withdrawn_on, OPEN_END)
    out = []
    for i, revision in enumerate(line):
        until = day_number(line[i + 1].effective_date) if i + 1 < len(line) else end_of_all
        until = min(until, end_of_all)
        if until <= today or until <= day_number(revision.effective_date):
            continue  # superseded or withdrawn for good, or replaced on its first day
        out.append(entry(document, revision, f"{document.id}:r{revision.number}", "public",
                         day_number(revision.effective_date), until))
    draft = documents.open_revision(document)
    if draft is not None and draft.head_sha:
        out.append(entry(document, draft, f"{document.id}:d", "staff", 0, OPEN_END))
    return out


def entry(document: Document, revision: Revision, key: str, visibility: str, since: int,
          until: int) -> SearchDoc:
    meta, body = documents.read_parts(revision)
    agency = document.agency
    return SearchDoc(
        key=key, document_id=document.id, agency=agency.code, agency_name=agency.name,
        district=district_of(agency), level=agency.kind, code=document.code, slug=document.slug,
        tthc_code=revision.tthc_code or "", title=revision.title, body=plain(body),
        kind=revision.kind, field=revision.field or "", clauses=revision.clause_list,
        revision=revision.number, effective_date=revision.effective_date, valid_from=since,
        valid_until=until, visibility=visibility)
