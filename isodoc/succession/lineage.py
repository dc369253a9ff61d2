"""Who was merged into whom, from the registry alone (no documents): used by the TTHC
coverage, which must not import the document services."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from isodoc.agencies.models import Agency
from isodoc.extensions import db
from isodoc.timeutil import today_local

MAX_DEPTH = 20  # a merger of a merger of…: far below this in any real registry


@dataclass(frozen=True)
class Predecessor:
    id: int
    code: str
    name: str
    dissolved_on: date


def predecessors_by_successor(on: date | None = None) -> dict[int, list[Predecessor]]:
    """Every agency that took others over by `on`, with all of them (a predecessor's own
    predecessors too), nearest first; one query over the dissolved agencies."""
    on = on or today_local()
    rows = db.session.execute(
        select(Agency.id, Agency.code, Agency.name, Agency.dissolved_on, Agency.successor_id)
        .where(Agency.successor_id.is_not(None), Agency.dissolved_on.is_not(None),
               Agency.dissolved_on <= on).order_by(Agency.dissolved_on.desc(), Agency.name)).all()
    direct: dict[int, list[Predecessor]] = {}
    for ident, code, name, dissolved_on, successor_id in rows:
        direct.setdefault(successor_id, []).append(Predecessor(ident, code, name, dissolved_on))
    out: dict[int, list[Predecessor]] = {}
    for successor_id in direct:
        seen: dict[int, Predecessor] = {}
        frontier, depth = [successor_id], 0
        while frontier and depth < MAX_DEPTH:
            nxt = []
            for node in frontier:
                for p in direct.get(node, []):
                    if p.id not in seen and p.id != successor_id:
                        seen[p.id] = p
                        nxt.append(p.id)
            frontier, depth = nxt, depth + 1
        out[successor_id] = list(seen.values())
    return out


def predecessors_of(agency: Agency, on: date | None = None) -> list[Predecessor]:
    return predecessors_by_successor(on).get(agency.id, [])
