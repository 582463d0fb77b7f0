"""What ``benchmarks/ingest.py`` measures with: the server process, CPU and window counts.

Split from ``ingest.py`` (files stay under 400 lines). Nothing here touches
the live path itself: see ``ingest_phases.py`` for the bare and live clients.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


class ServerProcess:
    """``ingest_server.py`` in a child process; follows its ``stat`` lines."""

    def __init__(self, signals: int, rate: float, stock: bool = False) -> None:
        command = [sys.executable, str(HERE / "ingest_server.py"), "--signals", str(signals),
                   "--rate", str(rate), "--exit-on-eof"] + (["--stock"] if stock else [])
        # Its stdin is a pipe we never write: if we die, it closes and the server exits.
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1)
        self.stats: list[tuple[float, int]] = []  # unix time, values written so far
        self.endpoint = self._first_line(120.0)
        threading.Thread(target=self._follow, daemon=True).start()

    def _first_line(self, timeout: float) -> str:
        box: list[str] = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not box or not box[0].startswith("opc.tcp://"):
            self.stop()
            raise SystemExit(f"ingest_server.py did not start (got {box[0]!r})" if box else
                             f"ingest_server.py printed no endpoint within {timeout:.0f} s")
        return box[0].strip()

    def _follow(self) -> None:
        for line in self.proc.stdout:
            parts = line.split()
            if len(parts) == 4 and parts[0] == "stat":
                self.stats.append((float(parts[1]), int(parts[2])))

    def offered(self, t0: float, t1: float) -> float:
        """Values/s the server wrote between t0 and t1 (from its stat lines)."""
        inside = [s for s in self.stats if t0 - 0.5 <= s[0] <= t1 + 0.5]
        return slope(inside) if len(inside) >= 2 else float("nan")

    def cpu_seconds(self) -> float:
        """CPU the server process has used so far (Linux /proc; NaN elsewhere)."""
        try:
            with open(f"/proc/{self.proc.pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            return float("nan")
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.proc.stdin.close()
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5.0)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def slope(samples: list[tuple[float, float]]) -> float:
    """Least-squares slope of a running count over time (per second)."""
    t, n = np.asarray(samples, dtype=float).T
    return float(np.polyfit(t - t[0], n, 1)[0])


def thread_cpu() -> dict[str, float]:
    """CPU seconds so far per Python thread name (Linux /proc), plus "process"."""
    out = {"process": time.process_time()}
    names = {t.native_id: t.name for t in threading.enumerate()}
    clock = os.sysconf("SC_CLK_TCK")
    try:
        for tid in os.listdir("/proc/self/task"):
            with open(f"/proc/self/task/{tid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            name = names.get(int(tid), "other")
            out[name] = out.get(name, 0.0) + (int(fields[11]) + int(fields[12])) / clock  # utime + stime
    except OSError:  # not Linux: the process total only
        pass
    return out


def cpu_per_value(before: dict[str, float], after: dict[str, float], values: int,
                  client_thread: str) -> dict[str, float]:
    """CPU µs per value of the client thread, the GUI (main) thread and the process."""
    def used(name: str) -> float:
        return after.get(name, 0.0) - before.get(name, 0.0)
    scale = 1e6 / max(values, 1)
    return {"client": used(client_thread) * scale, "gui": used("MainThread") * scale,
            "process": used("process") * scale}


def in_window(stamps: list[float], t0: float, t1: float) -> int:
    """How many of ``stamps`` fall in [t0, t1)."""
    s = np.asarray(stamps, dtype=float)
    return int(np.count_nonzero((s >= t0) & (s < t1)))


@dataclass
class Phase:
    """One measured window of one client against the server."""

    kind: str  # "bare" or "live"
    received: float  # values/s written inside the window that arrived (see ingest.py)
    offered: float  # values/s the server wrote over the same window
    setup_s: float  # connect + subscribe + initial burst (+ reconnects)
    cpu_us: dict[str, float]  # CPU µs per value: "client" thread, "gui" (main) thread, "process"
    # Sampled latencies, s; the server stamps SourceTimestamp just before it writes.
    to_handler: list[float] = field(default_factory=list)  # SourceTimestamp -> subscription handler
    to_drawn: list[float] = field(default_factory=list)  # live: SourceTimestamp -> end of the tick that applied it
    ticks: list[tuple[float, float, int]] = field(default_factory=list)  # live: wall s, CPU s, values
    backlog: int = 0  # live: items queued or carried over when the window closed
    drops: int = 0  # live: links lost (and re-made by LiveClient) before the window
    server_cpu: float = float("nan")  # CPU share of the server process over the window (1.0 = a core)
    longest_startup_tick: float = float("nan")  # live: wall s, before the window (initial burst)
    full_collections: list[float] = field(default_factory=list)  # live: wall s of each gen-2 GC pass


@dataclass
class RateResult:
    """Every phase measured at one rate, and the phases that failed."""

    rate: float
    phases: list[Phase]
    failures: list[str]

    def median(self, kind: str, attr: str = "received", key: str | None = None) -> float:
        xs = [getattr(p, attr) if key is None else getattr(p, attr)[key] for p in self.phases if p.kind == kind]
        return statistics.median(xs) if xs else float("nan")

    def pooled(self, kind: str, attr: str) -> list:
        return [x for p in self.phases if p.kind == kind for x in getattr(p, attr)]
