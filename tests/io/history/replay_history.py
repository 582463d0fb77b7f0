"""A recorded history for replay tests, written as ``record`` writes one.

The pure simulator (heater sagging from minute 2, so trend, limit and FPY
alerts fire) runs faster than real time; every item goes to a Recorder and
through a TwinPipeline on a ReplayClock whose alert book the recorder follows,
exactly the wiring of ``linetwin record``. A lost link in the middle.
"""

from __future__ import annotations

from pathlib import Path

from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.recorder import Recorder
from linetwin.twin.clock import ReplayClock
from linetwin.twin.model import Project
from linetwin.twin.pipeline import TwinPipeline
from linetwin.twin.sim.scenarios import HeaterDegradation
from linetwin.twin.sim.simulation import DEMO_STATIONS, LineSimulator
from linetwin.twin.updates import ConnectionChange, ConnectionState, ValueUpdate
from tests.twin.streams import LATENCY, T0


def line_items(project: Project, seconds: float, dt: float = 0.5, seed: int = 3,
               outage: tuple[float, float] | None = (400.0, 430.0)) -> list[list]:
    """Batches of queue items, one per ``dt`` of line time, from T0 on."""
    endpoint = project.source.endpoint
    sim = LineSimulator(DEMO_STATIONS, seed=seed,
                        scenario=HeaterDegradation(start_s=120, rate_c_per_s=0.04))
    wanted = [s.id for s in project.signals]
    batches = [[ConnectionChange(endpoint, ConnectionState.CONNECTED, "connected", T0)]]
    t, lost = 0.0, False
    while t < seconds:
        sim.step(dt)
        t += dt
        now = T0 + t
        batch: list = []
        down = outage is not None and outage[0] <= t < outage[1]
        if down != lost:
            state = ConnectionState.LOST if down else ConnectionState.CONNECTED
            batch.append(ConnectionChange(endpoint, state, "server went away" if down else "connected", now))
            lost = down
        if not down:
            values, codes = sim.values(), sim.status_codes()
            batch += [ValueUpdate(s, float(values[s]), now, now + LATENCY, int(codes.get(s, 0)))
                      for s in wanted if s in values]
        batch += sim.take_events(T0)
        if batch:  # nothing at all while the link is down and no unit was made
            batches.append(batch)
    batches.append([ConnectionChange(endpoint, ConnectionState.DISCONNECTED, "stopped", T0 + t)])
    return batches


def record_history(project: Project, path: Path, seconds: float = 900.0, **kwargs) -> list[list]:
    """Write the history at ``path``; the batches it holds."""
    batches = line_items(project, seconds, **kwargs)
    clock = ReplayClock()
    pipeline = TwinPipeline(project, clock)
    with HistoryStore(path) as store:
        recorder = Recorder(store, project, project.source.endpoint)
        recorder.follow_alerts(pipeline.alerts.book)
        recorder.start()
        for batch in batches:
            clock.set(max(_time(i) for i in batch))
            recorder.submit(batch)
            pipeline.step(batch)
        recorder.stop()
    return batches


def recorded_trace(path: Path) -> list[tuple]:
    """The alerts a history holds, as (rule, key, raised_at, cleared_at), sorted."""
    with HistoryStore(path, read_only=True) as store:
        return sorted((a["rule"], a["key"], a["raised_at"], a["cleared_at"]) for a in store.alerts())


def played_trace(project: Project, path: Path, speed: float, tick_s: float) -> list[tuple]:
    """Play ``path`` from its start to its end at ``speed``, ``tick_s`` of wall time per
    tick, as the window's timer does; the alerts the replay raised, as recorded_trace."""
    from linetwin.io.sessions.replay_session import ReplaySession

    with ReplaySession(project, path) as session:
        cursor = session.cursor
        cursor.seek(session.data.start)
        cursor.speed = speed
        cursor.playing = True
        while cursor.playing:
            cursor.apply(cursor.advance(tick_s))
        assert cursor.position == session.data.end
        return sorted((a.rule, a.key, a.raised_at, a.cleared_at)
                      for a in session.pipeline.alerts.book.history())


def _time(item) -> float:
    return item.source_time if type(item) is ValueUpdate else item.time
