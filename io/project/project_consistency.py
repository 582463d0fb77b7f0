"""Checks across a schema-valid project document: ids, references, hierarchy.

Each check yields ``(key_path, message)`` pairs; the key path locates the
offending key so the caller can turn it into a file line. Every check runs, so a
user fixing a file sees all its problems at once.
"""

from __future__ import annotations

from collections.abc import Iterator

from linetwin.io.project.project_schema import AnalogRuleEntry, ProjectDocument, StateRuleEntry
from linetwin.io.project.toml_lines import KeyPath

Finding = tuple[KeyPath, str]


def find_inconsistencies(doc: ProjectDocument) -> list[Finding]:
    """All cross-reference problems of ``doc``, in file order per check."""
    checks = (
        _duplicate_ids,
        _duplicate_state_codes,
        _unknown_parents,
        _parent_cycles,
        _signal_references,
        _color_by_references,
        _rule_references,
        _signal_alerts,
        _writable_signals,
        _fpy_references,
        _event_source_references,
        _mesh_units_without_mesh,
    )
    return [finding for check in checks for finding in check(doc)]


def _duplicate_ids(doc: ProjectDocument) -> Iterator[Finding]:
    for table, noun, entries in (
        ("assets", "asset", doc.assets),
        ("signals", "signal", doc.signals),
        ("visual_rules", "visual rule", doc.visual_rules),
    ):
        first: dict[str, int] = {}
        for index, entry in enumerate(entries):
            if entry.id in first:
                yield (table, index, "id"), (
                    f"{noun} id '{entry.id}' is used twice "
                    f"(first by {table}[{first[entry.id]}])"
                )
            else:
                first[entry.id] = index


def _duplicate_state_codes(doc: ProjectDocument) -> Iterator[Finding]:
    tables = [(("states",), "[states]", doc.states)]
    tables += [
        (("signals", i, "states"), f"signal '{s.id}': states", s.states)
        for i, s in enumerate(doc.signals)
        if s.states
    ]
    for path, subject, table in tables:
        seen: dict[int, str] = {}
        for name, code in table.items():
            if code in seen:
                yield path + (name,), (
                    f"{subject}: '{name}' and '{seen[code]}' share the code {code}; "
                    "each state needs its own code"
                )
            seen.setdefault(code, name)


def _unknown_parents(doc: ProjectDocument) -> Iterator[Finding]:
    ids = {asset.id for asset in doc.assets}
    for index, asset in enumerate(doc.assets):
        if asset.parent is not None and asset.parent not in ids:
            yield ("assets", index, "parent"), (
                f"asset '{asset.id}': parent '{asset.parent}' is not an asset in this project"
            )


def _parent_cycles(doc: ProjectDocument) -> Iterator[Finding]:
    """Report each parent cycle once, at the first of its assets in the file."""
    parent_of = {a.id: a.parent for a in doc.assets}
    index_of = {a.id: i for i, a in reversed(list(enumerate(doc.assets)))}
    reported: set[str] = set()
    for asset in doc.assets:
        chain: list[str] = []
        current: str | None = asset.id
        while current is not None and current in parent_of and current not in chain:
            chain.append(current)
            current = parent_of[current]
        if current is None or current not in chain:
            continue  # reaches a root (or an unknown parent, reported elsewhere)
        cycle = chain[chain.index(current) :]
        if reported.intersection(cycle):
            continue
        reported.update(cycle)
        start = min(cycle, key=index_of.__getitem__)
        ordered = cycle[cycle.index(start) :] + cycle[: cycle.index(start)]
        yield ("assets", index_of[start], "parent"), (
            f"asset '{start}': parent chain forms a cycle: "
            + " -> ".join(ordered + [start])
        )


def _signal_references(doc: ProjectDocument) -> Iterator[Finding]:
    ids = {asset.id for asset in doc.assets}
    for index, signal in enumerate(doc.signals):
        if signal.asset not in ids:
            yield ("signals", index, "asset"), (
                f"signal '{signal.id}': asset '{signal.asset}' is not an asset in this project"
            )


def _color_by_references(doc: ProjectDocument) -> Iterator[Finding]:
    ids = {signal.id for signal in doc.signals}
    for index, asset in enumerate(doc.assets):
        if asset.color_by is not None and asset.color_by not in ids:
            yield ("assets", index, "color_by"), (
                f"asset '{asset.id}': color_by '{asset.color_by}' is not a signal in this project"
            )


def _rule_references(doc: ProjectDocument) -> Iterator[Finding]:
    signals = {signal.id: signal for signal in doc.signals}
    for index, rule in enumerate(doc.visual_rules):
        where = ("visual_rules", index)
        subject = f"visual rule '{rule.id}'"
        if rule.signal is not None and rule.signal not in signals:
            yield where + ("signal",), f"{subject}: signal '{rule.signal}' is not a signal in this project"
            continue
        signal = signals.get(rule.signal) if rule.signal else None
        if isinstance(rule, AnalogRuleEntry) and signal is not None and signal.kind != "analog":
            yield where + ("signal",), (
                f"{subject}: an analog rule needs an analog signal, "
                f"but '{signal.id}' is a {signal.kind} signal"
            )
        if isinstance(rule, StateRuleEntry):
            yield from _state_rule_colors(doc, rule, signal, where, subject)


def _state_rule_colors(doc, rule, signal, where, subject) -> Iterator[Finding]:
    if signal is not None and signal.kind != "state":
        yield where + ("signal",), (
            f"{subject}: a state rule needs a state signal, but '{signal.id}' is a {signal.kind} signal"
        )
        return
    table, table_name = doc.states, "the [states] table"
    if signal is not None and signal.states:
        table, table_name = signal.states, f"the states of signal '{signal.id}'"
    for name in rule.colors:
        if name not in table:
            yield where + ("colors", name), (
                f"{subject}: color for '{name}', which is not a state in {table_name} "
                f"(known: {', '.join(table) or 'none'})"
            )


def _signal_alerts(doc: ProjectDocument) -> Iterator[Finding]:
    for index, signal in enumerate(doc.signals):
        alerts = signal.alerts
        if alerts is None:
            continue
        where = ("signals", index, "alerts")
        subject = f"signal '{signal.id}'"
        if signal.kind != "analog":
            yield where, (
                f"{subject}: alerts apply to analog signals, but this is a {signal.kind} signal "
                "(counters feed alerts through [[fpy]] tables)"
            )
            continue
        no_limits = signal.limits.low is None and signal.limits.high is None
        if alerts.trend and no_limits:
            yield where, f"{subject}: a trend alert needs limits to project onto; give the signal limits"
        if alerts.when_running and not _has_running_state(doc, signal.asset):
            yield where, (
                f"{subject}: when_running needs a state signal on asset '{signal.asset}' "
                "with a 'running' state, to know when it runs"
            )


def _writable_signals(doc: ProjectDocument) -> Iterator[Finding]:
    """Only an analog value has a setpoint to change, inside limits someone certified."""
    for index, signal in enumerate(doc.signals):
        subject = f"signal '{signal.id}'"
        for key in ("writable", "certified"):
            if signal.kind != "analog" and key in signal.model_fields_set and getattr(signal, key):
                yield ("signals", index, key), (
                    f"{subject}: {key} applies to analog signals (a setpoint), but this is a {signal.kind} signal")
        if signal.kind != "analog":
            continue
        if signal.writable and signal.certified is None:
            yield ("signals", index, "writable"), (
                f"{subject}: a writable signal needs certified = {{ low = .., high = .. }}, "
                "the values a change may set")
        if signal.setpoint_node is not None and not signal.writable:
            yield ("signals", index, "setpoint_node"), (
                f"{subject}: setpoint_node is the node a change writes, but the signal is not writable")


def _has_running_state(doc: ProjectDocument, asset_id: str) -> bool:
    return any(
        s.asset == asset_id and s.kind == "state" and "running" in (s.states or doc.states)
        for s in doc.signals
    )


def _mesh_units_without_mesh(doc: ProjectDocument) -> Iterator[Finding]:
    for index, asset in enumerate(doc.assets):
        if asset.mesh_units is not None and asset.mesh is None:
            yield ("assets", index, "mesh_units"), (
                f"asset '{asset.id}': mesh_units says how to read a mesh file, "
                "but the asset has no mesh"
            )


def _fpy_references(doc: ProjectDocument) -> Iterator[Finding]:
    assets = {asset.id for asset in doc.assets}
    signals = {signal.id: signal for signal in doc.signals}
    first: dict[str, int] = {}
    for index, fpy in enumerate(doc.fpy):
        subject = f"FPY of station '{fpy.station}'"
        if fpy.station not in assets:
            yield ("fpy", index, "station"), (
                f"{subject}: '{fpy.station}' is not an asset in this project"
            )
        if fpy.station in first:
            yield ("fpy", index, "station"), (
                f"{subject} is given twice (first by fpy[{first[fpy.station]}]); "
                "a station has one first-pass yield"
            )
        first.setdefault(fpy.station, index)
        counters = [((key,), getattr(fpy, key), key) for key in ("good", "reject")]
        counters += [(("defects", name, "counter"), d.counter, f"counter of defect {name}")
                     for name, d in fpy.defects.items()]
        for where, signal_id, key in counters:
            signal = signals.get(signal_id)
            if signal is None:
                yield ("fpy", index, *where), (
                    f"{subject}: {key} '{signal_id}' is not a signal in this project"
                )
            elif signal.kind != "counter":
                article = "an" if signal.kind == "analog" else "a"
                yield ("fpy", index, *where), (
                    f"{subject}: {key} must be a counter signal, "
                    f"but '{signal_id}' is {article} {signal.kind} signal"
                )
        if fpy.good == fpy.reject:
            yield ("fpy", index, "reject"), (
                f"{subject}: good and reject are the same signal '{fpy.good}'; they must be two counters"
            )


def _event_source_references(doc: ProjectDocument) -> Iterator[Finding]:
    assets = {asset.id for asset in doc.assets}
    seen: dict[tuple, int] = {}
    for index, source in enumerate(doc.event_sources):
        subject = f"event source '{source.event_type}'"
        if source.station is not None and source.station not in assets:
            yield ("event_sources", index, "station"), (
                f"{subject}: station '{source.station}' is not an asset in this project"
            )
        key = (source.endpoint, source.notifier, source.event_type)
        if key in seen:
            yield ("event_sources", index, "event_type"), (
                f"{subject} from notifier {source.notifier} is given twice "
                f"(first by event_sources[{seen[key]}]); each event would be read twice"
            )
        seen.setdefault(key, index)
