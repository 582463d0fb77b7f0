"""Orbit, colour update and GUI tick of one process, for ``benchmarks/scale/scale.py``.

``python benchmarks/scale/interactive.py linetwin|bare PROJECT OUT.json [--frames 30]``
loads the line once (LineTwin: its own loader and ``LineScene`` on an off-screen
``pyvista.Plotter``, as ``linetwin render`` builds it; bare: :class:`BareLine`),
then writes milliseconds to OUT.json:

- ``orbit``: one render per frame while the camera turns 2° in azimuth, both
  starting from the same view (``baseline.frame_line``), both with LineTwin's
  off-screen anti-aliasing (SSAA); ``orbit_no_aa`` the same with none;
- ``colour``: every asset's colour changed at once, no render (LineTwin: through
  ``LineScene.apply``, its public update path; bare: ``SetColor`` on each actor);
- ``tick`` (LineTwin only, project with signals): ``TwinPipeline.step`` on one
  10 Hz tick's share of every signal changing at 1 Hz, plus the scene restyle
  the GUI does after it (``LineScene.apply`` of the assets the step restyled).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

SIZE = (1600, 900)
COLOUR_REPEATS = 20
TICK_HZ, WARM_TICKS = 10, 10
PALETTE = ((0, 158, 115), (213, 94, 0))  # running green / fault vermilion: alternate


def orbit(render, camera, renderer, frames: int) -> list[float]:
    render()  # first frame: pipelines and shaders built, not an orbit frame
    out = []
    for _ in range(frames):
        camera.Azimuth(2.0)
        renderer.ResetCameraClippingRange()
        t0 = time.perf_counter()
        render()
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def timed(action, repeats: int) -> list[float]:
    out = []
    for k in range(repeats):
        t0 = time.perf_counter()
        action(k)
        out.append((time.perf_counter() - t0) * 1e3)
    return out


def run_bare(project: Path, frames: int) -> dict[str, list[float]]:
    from baseline import BareLine

    line = BareLine(project, SIZE)
    result = {"orbit": orbit(line.render, line.camera, line.renderer, frames)}
    line.set_anti_aliasing("none")
    result["orbit_no_aa"] = orbit(line.render, line.camera, line.renderer, frames)
    result["colour"] = timed(lambda k: line.set_colors(tuple(c / 255.0 for c in PALETTE[k % 2])),
                             COLOUR_REPEATS)
    line.close()
    return result


def run_linetwin(project_path: Path, frames: int, ticks: int) -> dict[str, list[float]]:
    import pyvista as pv

    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.io.mesh.meshes import load_line_geometry
    from linetwin.io.project.project_file import load_project
    from linetwin.scene.line_scene import LineScene
    from linetwin.twin.colors import AssetAppearance, Look
    from linetwin.twin.pipeline import TwinPipeline

    from baseline import frame_line

    project = load_project(project_path)
    geometries = load_line_geometry(project, cache=MeshCache(user_cache_folder()))
    plotter = pv.Plotter(off_screen=True, window_size=SIZE)
    scene = LineScene(plotter, project, geometries)
    pipeline = TwinPipeline(project)
    scene.apply(pipeline.appearances())  # what the live window does at start
    renderer = plotter.renderer
    frame_line(renderer)  # the bare line's view: the same pixels to draw (floor included)
    # The window's own Render: pyvista's plotter.render() skips frames before show().
    window = plotter.render_window
    result = {"orbit": orbit(window.Render, renderer.GetActiveCamera(), renderer, frames)}
    plotter.disable_anti_aliasing()
    result["orbit_no_aa"] = orbit(window.Render, renderer.GetActiveCamera(), renderer, frames)
    looks = [[AssetAppearance(a, colour, Look.LIVE, name) for a in geometries]
             for colour, name in zip(PALETTE, ("running", "fault"))]
    result["colour"] = timed(lambda k: scene.apply(looks[k % 2]), COLOUR_REPEATS)
    if project.signals:
        result["tick"] = gui_ticks(project, pipeline, scene, ticks)
    plotter.close()
    return result


def gui_ticks(project, pipeline, scene, ticks: int) -> list[float]:
    """Step + restyle per tick, every signal changing once a second (round robin)."""
    from linetwin.twin.model import SignalKind
    from linetwin.twin.updates import ValueUpdate

    rng = np.random.default_rng(7)
    signals = project.signals
    per_tick = len(signals) // TICK_HZ
    is_state = np.array([s.kind is SignalKind.STATE for s in signals])
    out = []
    for tick in range(ticks + WARM_TICKS):
        rows = (np.arange(per_tick) + tick * per_tick) % len(signals)
        values = np.where(is_state[rows], rng.integers(0, 6, per_tick),
                          100.0 + rng.normal(0.0, 1.0, per_tick))
        now = time.time()
        batch = [ValueUpdate(signals[r].id, float(v), now, now) for r, v in zip(rows, values)]
        t0 = time.perf_counter()
        result = pipeline.step(batch)
        if result.restyle:
            scene.apply(pipeline.appearances(sorted(result.restyle)))
        if tick >= WARM_TICKS:  # the first ticks pay numba compilation and caches
            out.append((time.perf_counter() - t0) * 1e3)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("who", choices=("linetwin", "bare"))
    parser.add_argument("project", type=Path)
    parser.add_argument("out", type=Path)
    parser.add_argument("--frames", type=int, default=30)
    parser.add_argument("--ticks", type=int, default=100)
    args = parser.parse_args()
    if args.who == "bare":
        result = run_bare(args.project, args.frames)
    else:
        result = run_linetwin(args.project, args.frames, args.ticks)
    args.out.write_text(json.dumps(result))
    print(", ".join(f"{k} median {statistics.median(v):.1f} ms" for k, v in result.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
