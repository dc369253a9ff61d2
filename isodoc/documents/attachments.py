"""A document's attachments: the pictures and embedded forms of an imported Word file.

An attachment is a git blob in the agency's repository, named in the revision's front
matter (`attachments: [{name, blob, type, size}]`), so it is versioned with the text:
a draft keeps its attachments through later saves, issuing carries them to main, and a
new revision starts with those of the revision it revises. `refs/isodoc/attachments`
keeps every named blob reachable (see `AgencyRepo.keep_blobs`).

Between the import's two steps the blobs already exist (written when the file was
read) and the confirmation form carries their list signed with the app's secret, bound
to the agency and the file's digest: a forged list is refused, so nobody can name a
blob of the repository they were not given.
"""

from __future__ import annotations

import re

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from isodoc import policy
from isodoc.auth.models import User
from isodoc.documents.docx_safety import FileIn
from isodoc.documents.models import Document, Revision
from isodoc.documents.models import RevisionState as S
from isodoc.documents.store import SHA_RE
from isodoc.errors import InvalidInput
from isodoc.i18n import _
from isodoc.policy import Action

MAX_FILES = 50
NAME_RE = re.compile(r"^[a-z0-9][a-z0-9.-]{0,99}$")
# shown in the page as pictures; everything else is only downloaded
INLINE_TYPES = {"image/png", "image/jpeg"}
SIGNED_FOR = 24 * 3600  # the confirmation page stays usable for a day


def stored(repo, files: list[FileIn]) -> list[dict]:
    """The files written to the repository as blobs, described as the front matter
    names them (not yet kept: `keep` does that in the command)."""
    blobs = repo.store_blobs([f.data for f in files])
    return [{"name": f.name, "blob": blob, "type": f.content_type, "size": len(f.data)}
            for f, blob in zip(files, blobs, strict=True)][:MAX_FILES]


def checked(items) -> list[dict]:
    """A list as found in front matter or a signed token, reduced to well-formed items."""
    out, names = [], set()
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        name, blob = str(item.get("name", "")), str(item.get("blob", ""))
        if not NAME_RE.match(name) or not SHA_RE.match(blob) or name in names:
            continue
        names.add(name)
        out.append({"name": name, "blob": blob, "type": str(item.get("type", ""))[:100],
                    "size": int(item.get("size") or 0)})
    return out[:MAX_FILES]


def merged(old: list[dict], new: list[dict]) -> list[dict]:
    """Old attachments, then new ones not already there (by blob); a new name that
    clashes with an old one gets a suffix."""
    out = checked(old)
    blobs, names = {a["blob"] for a in out}, {a["name"] for a in out}
    for item in checked(new):
        if item["blob"] in blobs:
            continue
        name, stem, n = item["name"], item["name"].rpartition("."), 2
        while name in names:
            name = f"{stem[0] or stem[2]}-{n}" + (f".{stem[2]}" if stem[0] else "")
            n += 1
        out.append({**item, "name": name})
        blobs.add(item["blob"])
        names.add(name)
    if len(out) > MAX_FILES:
        raise InvalidInput(_("Một tài liệu có tối đa %(max)s tệp đính kèm.", max=MAX_FILES))
    return out


def keep(repo, items: list[dict]) -> None:
    repo.keep_blobs([a["blob"] for a in items])


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="isodoc-docx-attachments")


def sign(agency_id: int, digest: str, items: list[dict]) -> str:
    return _serializer().dumps({"a": agency_id, "d": digest, "f": items})


def unsign(token: str, agency_id: int, digest: str) -> list[dict]:
    """The list the confirmation page was given; refused when forged, expired or made
    for another agency or file."""
    if not token:
        return []
    try:
        payload = _serializer().loads(token, max_age=SIGNED_FOR)
    except BadSignature:
        raise InvalidInput(_("Danh sách tệp đính kèm không hợp lệ hoặc đã hết hạn: hãy tải "
                             "tệp Word lên lại.")) from None
    if payload.get("a") != agency_id or payload.get("d") != digest:
        raise InvalidInput(_("Danh sách tệp đính kèm không thuộc tệp này: hãy tải tệp Word "
                             "lên lại."))
    return checked(payload.get("f"))


def of(revision: Revision | None) -> list[dict]:
    from isodoc.documents import services

    return checked(services.read_parts(revision)[0].get("attachments")) if revision else []


def find(document: Document, user: User, blob: str) -> dict | None:
    """The attachment `blob` as named by a revision of the document that `user` may
    read (an issued one, or a draft they may see), else None."""
    if not SHA_RE.match(blob or ""):
        return None
    for revision in sorted(document.revisions, key=lambda r: r.seq, reverse=True):
        visible = policy.can(user, Action.DOC_READ, revision) if revision.state == S.ISSUED \
            else policy.can(user, Action.DOC_VIEW_DRAFTS, revision)
        if not visible:
            continue
        found = next((a for a in of(revision) if a["blob"] == blob), None)
        if found is not None:
            return found
    return None
