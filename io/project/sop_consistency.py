"""Checks of a schema-valid SOP document against itself and its project.

Each check yields ``(key_path, message)`` pairs, like
:mod:`linetwin.io.project.project_consistency`, so every problem lands on the
line of the key to fix. All checks run: a writer sees everything at once.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from linetwin.io.project.sop_schema import ACTION_KEYS, OPTIONAL_KEYS, REQUIRED_KEYS, SopDocument
from linetwin.io.project.toml_lines import KeyPath
from linetwin.twin.model import AssetLevel, Project

Finding = tuple[KeyPath, str]


def station_of(project: Project, asset_id: str) -> str | None:
    """The station (asset level) ``asset_id`` is or belongs to; None if it has none."""
    known = {a.id: a for a in project.assets}
    current, seen = known.get(asset_id), set()
    while current is not None and current.id not in seen:
        if current.level is AssetLevel.ASSET:
            return current.id
        seen.add(current.id)
        current = known.get(current.parent) if current.parent else None
    return None


def find_sop_problems(doc: SopDocument, project: Project, folder: Path) -> list[Finding]:
    """Everything wrong with ``doc`` on ``project``; ``folder`` holds the SOP file."""
    findings = [*_sop_station(doc, project), *_duplicates(doc), *_targets(doc, project),
                *_action_keys(doc), *_signals(doc, project), *_values(doc),
                *_order(doc), *_hazards(doc, project), *_images(doc, folder)]
    return findings


def _subject(doc: SopDocument, index: int) -> str:
    return f"step '{doc.steps[index].id}'"


def _is_station(project: Project, asset_id: str) -> bool:
    return any(a.id == asset_id and a.level is AssetLevel.ASSET for a in project.assets)


def _stations(project: Project) -> str:
    return ", ".join(a.id for a in project.assets if a.level is AssetLevel.ASSET) or "none"


def _sop_station(doc: SopDocument, project: Project) -> Iterator[Finding]:
    station = doc.sop.station
    if station is not None and not _is_station(project, station):
        yield ("sop", "station"), (f"[sop]: station: '{station}' is not a station of this project "
                                   f"(stations: {_stations(project)})")


def _duplicates(doc: SopDocument) -> Iterator[Finding]:
    for table, noun, key, names in (
        ("steps", "step", "id", [s.id for s in doc.steps]),
        ("hazards", "hazard", "id", [h.id for h in doc.hazards]),
        ("steps", "step", "reported_as", [s.reported_as for s in doc.steps]),
    ):
        first: dict[str, int] = {}
        for index, name in enumerate(names):
            if name is None:
                continue
            if name in first:
                yield (table, index, key), (f"{noun} {key} '{name}' is used twice "
                                            f"(first by {table}[{first[name]}]); each must be unique")
            first.setdefault(name, index)


def _targets(doc: SopDocument, project: Project) -> Iterator[Finding]:
    assets = {a.id: a for a in project.assets}
    for index, step in enumerate(doc.steps):
        where, subject = ("steps", index, "target"), _subject(doc, index)
        asset = assets.get(step.target)
        if asset is None:
            yield where, f"{subject}: target: '{step.target}' is not an asset or component in this project"
        elif station_of(project, step.target) is None:
            yield where, (f"{subject}: target: '{step.target}' is not on a station; aim the step at a "
                          f"station or one of its components (stations: {_stations(project)})")
        elif step.action == "pick" and asset.mesh is None:
            yield where, (f"{subject}: target: '{step.target}' has no mesh, so it cannot be picked "
                          "in 3D; pick a component that has one")


def _action_keys(doc: SopDocument) -> Iterator[Finding]:
    """Each action kind's keys present, and no key another kind uses."""
    for index, step in enumerate(doc.steps):
        subject, needed = _subject(doc, index), REQUIRED_KEYS[step.action]
        for key in needed:
            if getattr(step, key) is None:
                yield ("steps", index), (f"{subject}: missing required key '{key}' "
                                         f"(a {step.action} step needs {', '.join(needed)})")
        allowed = needed + OPTIONAL_KEYS.get(step.action, ())
        for key in ACTION_KEYS:
            if key not in allowed and getattr(step, key) is not None:
                users = [kind for kind, keys in REQUIRED_KEYS.items()
                         if key in keys + OPTIONAL_KEYS.get(kind, ())]
                yield ("steps", index, key), (f"{subject}: {key}: not used by a {step.action} step "
                                              f"(only by {', '.join(users)} steps); remove it")


def _signals(doc: SopDocument, project: Project) -> Iterator[Finding]:
    known = {s.id for s in project.signals}
    for index, step in enumerate(doc.steps):
        if step.signal is not None and step.signal not in known:
            yield ("steps", index, "signal"), (f"{_subject(doc, index)}: signal: '{step.signal}' "
                                               "is not a signal in this project")


def _values(doc: SopDocument) -> Iterator[Finding]:
    for index, step in enumerate(doc.steps):
        subject = _subject(doc, index)
        if step.action == "set" and step.value is not None and step.range is not None:
            low, high = step.range
            if not low <= step.value <= high:
                yield ("steps", index, "value"), (f"{subject}: value: {step.value:g} is outside the "
                                                  f"step's range {low:g} .. {high:g}")
        if step.action == "quiz" and step.answer is not None and step.choices is not None:
            if step.answer not in step.choices:
                yield ("steps", index, "answer"), (f"{subject}: answer: {step.answer!r} is not one of "
                                                   f"the choices ({', '.join(map(repr, step.choices))})")


def _order(doc: SopDocument) -> Iterator[Finding]:
    """``after`` names known steps, forms no cycle, and only steps above (file order
    is the reference run, which must keep every order constraint)."""
    position = {s.id: i for i, s in enumerate(doc.steps)}
    in_cycles = yield from _cycles(doc, position)
    for index, step in enumerate(doc.steps):
        where, subject = ("steps", index, "after"), _subject(doc, index)
        for name in step.after:
            if name not in position:
                yield where, f"{subject}: after: '{name}' is not a step of this SOP"
            elif name == step.id:
                yield where, f"{subject}: after: a step cannot come after itself"
            elif position[name] > index and step.id not in in_cycles:
                yield where, (f"{subject}: after: '{name}' comes later in the file; steps are listed "
                              f"in the order they are done, so move '{step.id}' below '{name}'")


def _cycles(doc: SopDocument, position: dict[str, int]) -> Iterator[Finding]:
    """Report each cycle of ``after`` once, at its first step in the file; return its steps."""
    after = {s.id: [n for n in s.after if n in position and n != s.id] for s in doc.steps}
    reported: set[str] = set()
    for step in doc.steps:
        cycle = _cycle_from(step.id, after)
        if cycle is None or reported.intersection(cycle):
            continue
        reported.update(cycle)
        start = min(cycle, key=position.__getitem__)
        ordered = cycle[cycle.index(start):] + cycle[:cycle.index(start)]
        yield ("steps", position[start], "after"), (
            f"step '{start}': after: the order constraints form a cycle: "
            + " -> ".join(ordered + [start]) + "; remove one of them")
    return reported


def _cycle_from(start: str, after: dict[str, list[str]]) -> list[str] | None:
    """A cycle through ``start`` along ``after`` (depth first), or None."""
    stack: list[tuple[str, list[str]]] = [(start, [start])]
    seen: set[str] = set()
    while stack:
        node, path = stack.pop()
        for nxt in after[node]:
            if nxt == start:
                return path
            if nxt not in seen:
                seen.add(nxt)
                stack.append((nxt, path + [nxt]))
    return None


def _hazards(doc: SopDocument, project: Project) -> Iterator[Finding]:
    position = {s.id: i for i, s in enumerate(doc.steps)}
    for h, hazard in enumerate(doc.hazards):
        subject = f"hazard '{hazard.id}'"
        if not _is_station(project, hazard.station):
            yield ("hazards", h, "station"), (f"{subject}: station: '{hazard.station}' is not a station "
                                              f"of this project (stations: {_stations(project)})")
            continue
        unknown = [name for name in hazard.steps if name not in position]
        for name in unknown:
            yield ("hazards", h, "steps"), f"{subject}: steps: '{name}' is not a step of this SOP"
        if not unknown:
            yield from _lockout_around(doc, project, h)


def _lockout_around(doc: SopDocument, project: Project, h: int) -> Iterator[Finding]:
    """In file order, each of the hazard's steps under a lockout of its station, and
    that lockout released after the last one."""
    hazard = doc.hazards[h]
    locked, last = False, None
    for index, step in enumerate(doc.steps):
        if step.action == "control" and station_of(project, step.target) == hazard.station:
            locked = {"lockout": True, "release": False}.get(step.control, locked)
        if step.id in hazard.steps:
            last = step.id
            if not locked:
                yield ("steps", index), (
                    f"{_subject(doc, index)}: is in hazard '{hazard.id}' but {hazard.station} is not "
                    f"locked out here; add a step with action = \"control\", control = \"lockout\" "
                    f"on {hazard.station} before it")
    if locked and last is not None:
        yield ("hazards", h), (
            f"hazard '{hazard.id}': the lockout of {hazard.station} is never released after step "
            f"'{last}'; add a step with action = \"control\", control = \"release\" on "
            f"{hazard.station} after it")


def _images(doc: SopDocument, folder: Path) -> Iterator[Finding]:
    for index, step in enumerate(doc.steps):
        if step.image is not None and not (folder / step.image).is_file():
            yield ("steps", index, "image"), (f"{_subject(doc, index)}: image: '{step.image}' not found "
                                              f"(looked for {folder / step.image})")
