"""The TTHC catalog's commands: stage an import (preview), apply it, map executing
bodies. Each asks the policy itself, flushes, never commits (isodoc/commands.py)."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flask_babel import force_locale
from sqlalchemy import func, select

from isodoc import audit, policy
from isodoc.agencies.models import Agency
from isodoc.errors import InvalidInput
from isodoc.extensions import db
from isodoc.i18n import LANGUAGES, _
from isodoc.policy import Action
from isodoc.textnorm import clean, fold
from isodoc.timeutil import format_date, today_local, utcnow
from isodoc.tthc import importer
from isodoc.tthc.models import CODE_RE, COMPARED, Level, Tthc, TthcBody, TthcBodyMap, TthcImport

NOTE_MAX = 4000


def body_key(name: str) -> str:
    """An executing body's name as a key: folded, `Ủy ban nhân dân` = `UBND`, punctuation
    and spacing ignored."""
    key = re.sub(r"[^a-z0-9]+", " ", fold(clean(name))).strip()
    return re.sub(r"\buy ban nhan dan\b", "ubnd", key)[:255]


def body_names(text: str) -> list[str]:
    names = [clean(n) for n in re.split(r"[;\n]", text or "")]
    return list(dict.fromkeys(n[:255] for n in names if n))


def get(code: str) -> Tthc | None:
    if not CODE_RE.match(code or ""):
        return None
    return db.session.scalar(select(Tthc).where(Tthc.code == code))


def catalog_version() -> int:
    return db.session.scalar(select(func.max(TthcImport.id)).where(
        TthcImport.state == "applied")) or 0


def catalog_size() -> int:
    return db.session.scalar(select(func.count()).select_from(Tthc).where(
        Tthc.abolished_on.is_(None))) or 0


def values_of(row: dict) -> dict[str, object]:
    """A parsed row as the values compared with the catalog."""
    return {"name": row["name"], "field": row["field"], "levels": row["levels"],
            "executing_body": row["executing_body"], "time_limit": row["time_limit"],
            "fee": row["fee"], "legal_basis": row["legal_basis"],
            "decision_no": row["decision_no"], "decision_date": row["decision_date"]}


def values_in_catalog(tthc: Tthc) -> dict[str, object]:
    return {"name": tthc.name, "field": tthc.field,
            "levels": [lv.value for lv in tthc.levels],
            "executing_body": tthc.executing_body, "time_limit": tthc.time_limit,
            "fee": tthc.fee, "legal_basis": tthc.legal_basis,
            "decision_no": tthc.decision_no,
            "decision_date": tthc.decision_date.isoformat() if tthc.decision_date else None}


def shown(name: str, value: object) -> str:
    if name == "levels":
        return ", ".join(Level(v).label for v in value) if value else ""
    if name == "decision_date":
        return format_date(date.fromisoformat(value)) if value else ""
    return str(value or "")


REINSTATED = "state"  # a change row: the TTHC was abolished and is listed again


@dataclass
class Diff:
    added: list[dict] = field(default_factory=list)     # {code, name}
    # {code, name, fields: [[key, old, new]]}: a COMPARED key (or REINSTATED) and the
    # stored values, worded when shown (`change_rows`); previews staged before kept the
    # label and the values as words, shown as they are
    changed: list[dict] = field(default_factory=list)
    abolished: list[dict] = field(default_factory=list)  # {code, name}
    unchanged: int = 0
    unknown_columns: list[str] = field(default_factory=list)
    unmatched_bodies: list[str] = field(default_factory=list)

    def as_json(self) -> str:
        return json.dumps(self.__dict__, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Diff:
        return cls(**json.loads(text)) if text else cls()


def compute_diff(rows: list[dict]) -> Diff:
    current = {t.code: t for t in db.session.scalars(select(Tthc))}
    diff = Diff()
    for row in rows:
        tthc = current.get(row["code"])
        if tthc is None:
            diff.added.append({"code": row["code"], "name": row["name"]})
            continue
        old, new = values_in_catalog(tthc), values_of(row)
        fields = [[k, old[k], new[k]] for k in COMPARED if old[k] != new[k]]
        if tthc.abolished_on is not None:
            fields.insert(0, [REINSTATED, None, None])
        if fields:
            diff.changed.append({"code": row["code"], "name": row["name"], "fields": fields})
        else:
            diff.unchanged += 1
    listed = {r["code"] for r in rows}
    diff.abolished = [{"code": t.code, "name": t.name} for t in current.values()
                      if t.abolished_on is None and t.code not in listed]
    diff.abolished.sort(key=lambda d: d["code"])
    known = {m.key: m for m in db.session.scalars(select(TthcBodyMap))}
    agencies = agency_keys()
    unmatched = {}
    for row in rows:
        if Level.PROVINCE.value not in row["levels"]:
            continue
        for name in body_names(row["executing_body"]):
            key = body_key(name)
            mapped = known.get(key)
            if (mapped is None and key not in agencies) or \
                    (mapped is not None and mapped.agency_id is None):
                unmatched.setdefault(key, name)
    diff.unmatched_bodies = sorted(unmatched.values(), key=fold)
    return diff


def change_rows(change: dict) -> list[tuple[str, str, str]]:
    """A preview's changed TTHC as rows of (field, before, after) in the reader's words."""
    rows = []
    for key, old, new in change["fields"]:
        if key == REINSTATED:
            rows.append((_("Tình trạng"), _("Đã bãi bỏ"), _("Đang áp dụng")))
        elif key in COMPARED:
            rows.append((str(COMPARED[key]), shown(key, old), shown(key, new)))
        else:
            rows.append((key, old, new))
    return rows


def agency_keys() -> dict[str, int]:
    """Registry names as body keys → agency id (names two agencies share are left out)."""
    out: dict[str, int | None] = {}
    for agency in db.session.scalars(select(Agency).where(Agency.dissolved_on.is_(None))):
        key = body_key(agency.name)
        out[key] = None if key in out else agency.id
    return {k: v for k, v in out.items() if v is not None}


def stage_import(data: bytes, filename: str, actor,
                 progress: Callable[[int], None] | None = None) -> TthcImport:
    """Parse and validate the whole list (all or nothing), then keep it with its preview
    for the admin to apply. Nothing in the catalog changes here."""
    policy.require(actor, Action.TTHC_MANAGE)
    parsed = importer.parse(data, filename, progress)
    rows = [r.as_dict() for r in parsed.rows]
    diff = compute_diff(rows)
    diff.unknown_columns = parsed.unknown_columns
    staged = TthcImport(filename=clean(filename)[:255], sha256=hashlib.sha256(data).hexdigest(),
                        encoding=parsed.encoding, rows=len(rows), base_version=catalog_version(),
                        preview=diff.as_json(), payload=json.dumps(rows, ensure_ascii=False),
                        staged_by=actor if getattr(actor, "id", None) else None,
                        added=len(diff.added), changed=len(diff.changed),
                        abolished=len(diff.abolished))
    db.session.add(staged)
    db.session.flush()
    audit.record("tthc.stage_import", "tthc_import", staged.id, actor=_actor(actor),
                 summary=f"{staged.filename}: {staged.rows} thủ tục; "  # i18n: vi-only
                         f"{staged.added} mới, {staged.changed} thay đổi, "  # i18n: vi-only
                         f"{staged.abolished} bãi bỏ")  # i18n: vi-only
    return staged


def _actor(actor):
    return actor if getattr(actor, "id", None) else None


def apply_import(staged: TthcImport, actor, decision: str,
                 progress: Callable[[int], None] | None = None) -> TthcImport:
    """Apply a staged list: add, change (noting what changed, old → new) and abolish;
    record who applied it and the decision it carries out."""
    policy.require(actor, Action.TTHC_MANAGE)
    if staged.state != "staged":
        raise InvalidInput(_("Danh mục này đã được áp dụng."))
    if staged.base_version != catalog_version():
        raise InvalidInput(_("Danh mục TTHC đã thay đổi sau khi xem trước (một lần nhập khác "
                             "đã được áp dụng): hãy tải tệp lên lại để xem thay đổi mới."))
    decision = clean(decision, multiline=True)
    if not decision:
        raise InvalidInput(_("Hãy ghi quyết định công bố (số, ngày) hoặc căn cứ áp dụng danh "
                             "mục này."))
    if len(decision) > NOTE_MAX:
        raise InvalidInput(_("Căn cứ quá dài (tối đa %(max)s ký tự).", max=NOTE_MAX))
    rows = json.loads(staged.payload)
    now, today = utcnow(), today_local()
    current = {t.code: t for t in db.session.scalars(select(Tthc))}
    maps = {m.key: m for m in db.session.scalars(select(TthcBodyMap))}
    agencies = agency_keys()
    for row in rows:
        tthc = current.get(row["code"])
        new = values_of(row)
        if tthc is None:
            tthc = Tthc(code=row["code"])
            db.session.add(tthc)
            changes = None
        else:
            changes = change_note(tthc, new)
            if tthc.abolished_on is not None:
                tthc.abolished_on = None
            if not changes:
                continue
            tthc.changed_at, tthc.change_note = now, changes
        tthc.name, tthc.field = row["name"], row["field"][:255]
        tthc.at_province = Level.PROVINCE.value in row["levels"]
        tthc.at_district = Level.DISTRICT.value in row["levels"]
        tthc.at_commune = Level.COMMUNE.value in row["levels"]
        tthc.executing_body, tthc.time_limit = row["executing_body"], row["time_limit"]
        tthc.fee, tthc.legal_basis = row["fee"], row["legal_basis"]
        tthc.decision_no = row["decision_no"][:120]
        tthc.decision_date = date.fromisoformat(row["decision_date"]) \
            if row["decision_date"] else None
        tthc.search_key = fold(f"{tthc.code} {tthc.name} {tthc.field}")
        tthc.bodies.clear()
        if tthc.at_province:
            for name in body_names(tthc.executing_body):
                key = body_key(name)
                if key not in maps:
                    maps[key] = TthcBodyMap(key=key, name=name, agency_id=agencies.get(key))
                    db.session.add(maps[key])
                tthc.bodies.append(TthcBody(body=maps[key]))
        if progress is not None:
            progress(1)
    listed = {r["code"] for r in rows}
    for tthc in current.values():
        if tthc.abolished_on is None and tthc.code not in listed:
            tthc.abolished_on = today
    staged.state, staged.applied_at, staged.decision = "applied", now, decision
    staged.applied_by = _actor(actor)
    db.session.flush()
    audit.record("tthc.apply_import", "tthc_import", staged.id, actor=_actor(actor),
                 summary=f"{staged.added} mới, {staged.changed} thay đổi, "  # i18n: vi-only
                         f"{staged.abolished} bãi bỏ — {decision[:300]}")  # i18n: vi-only
    return staged


def change_note(tthc: Tthc, new: dict[str, object]) -> str:
    """What a list changes in a TTHC (old → new), as the catalog keeps it: in the
    province's language whoever applies the list, since everyone reads it later."""
    old = values_in_catalog(tthc)
    with force_locale(LANGUAGES[0]):  # the labels and levels in Vietnamese
        changes = [f"{COMPARED[k]}: «{shown(k, old[k])[:200]}» → «{shown(k, new[k])[:200]}»"
                   for k in COMPARED if old[k] != new[k]]
    if tthc.abolished_on is not None:
        changes.insert(0, "Áp dụng lại (trước đó đã bãi bỏ)")  # i18n: vi-only
    return "; ".join(changes)[:NOTE_MAX]


def set_body_mapping(mapping: TthcBodyMap, agency: Agency | None, actor) -> TthcBodyMap:
    """Say which registry agency an executing body's name means (remembered for every
    later import)."""
    policy.require(actor, Action.TTHC_MANAGE)
    if agency is not None and agency.is_dissolved():
        raise InvalidInput(_("%(agency)s đã giải thể: hãy chọn đơn vị kế thừa.",
                             agency=agency.name))
    mapping.agency = agency
    mapping.set_by, mapping.set_at = _actor(actor), utcnow()
    audit.record("tthc.map_body", "tthc_body_map", mapping.id, actor=_actor(actor),
                 agency_id=agency.id if agency else None,
                 summary=f"{mapping.name} → "
                         f"{agency.name if agency else '(chưa gán)'}")  # i18n: vi-only
    return mapping


def unmatched_bodies() -> list[TthcBodyMap]:
    """Bodies named by province-level TTHC in force that no agency is mapped to."""
    return list(db.session.scalars(
        select(TthcBodyMap).where(TthcBodyMap.agency_id.is_(None),
                                  TthcBodyMap.id.in_(select(TthcBody.map_id).join(Tthc).where(
                                      Tthc.abolished_on.is_(None))))
        .order_by(TthcBodyMap.name)))


def catalog_query(level: str = "", field_: str = "", text: str = "",
                  include_abolished: bool = False):
    """The catalog filtered by level, field (exact, folded) and text (code, name or field,
    accent-insensitive), ordered by field then code."""
    stmt = select(Tthc)
    if not include_abolished:
        stmt = stmt.where(Tthc.abolished_on.is_(None))
    if level == Level.PROVINCE:
        stmt = stmt.where(Tthc.at_province.is_(True))
    elif level == Level.DISTRICT:
        stmt = stmt.where(Tthc.at_district.is_(True))
    elif level == Level.COMMUNE:
        stmt = stmt.where(Tthc.at_commune.is_(True))
    if field_:
        stmt = stmt.where(Tthc.field == clean(field_))
    for word in fold(clean(text))[:100].split()[:8]:
        stmt = stmt.where(Tthc.search_key.contains(word, autoescape=True))
    return stmt.order_by(Tthc.field, Tthc.code)


def fields_in_use() -> list[str]:
    return [f for f in db.session.scalars(select(Tthc.field).where(
        Tthc.abolished_on.is_(None)).distinct().order_by(Tthc.field)) if f]
