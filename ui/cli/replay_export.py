"""``replay ... --at T -o FRAME.png`` and ``replay ... --from A --to B --video OUT.mp4``.

Both replay exactly (``warmup_s=None``: the twin is played from the start of
the history, as the live twin had it) and draw headless with one off-screen
plotter (:class:`~linetwin.ui.report.frames.ReplayFrames`). A video's frame k
shows the instant ``A + k * speed / fps``; the cursor only moves forward, so
each frame costs the items since the last one. Progress goes to stderr.
Exit 2 for bad usage (size, output suffix), 1 for anything else, each with one
line naming the file.
"""

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path

from linetwin.twin.replay.instants import format_instant

MAX_SIDE = 8192


def run_export(args: argparse.Namespace, project_path: Path, history: Path) -> int:
    size = parse_size(args.size)
    if size is None:
        return _fail(f"--size {args.size!r}: give WIDTHxHEIGHT, each 16..{MAX_SIDE} (e.g. 1280x720)", 2)
    if args.video is not None:
        problem = output_problem(args.video, ".mp4") or (
            None if args.end - args.start >= 0 else "--to must be after --from")
        return _fail(problem, 2) if problem else write_video(args, project_path, history, size)
    problem = output_problem(args.output, ".png")
    return _fail(problem, 2) if problem else write_frame(args, project_path, history, size)


def parse_size(text: str | tuple) -> tuple[int, int] | None:
    if isinstance(text, tuple):
        return text
    try:
        width, height = (int(part) for part in str(text).lower().split("x"))
    except ValueError:
        return None
    return (width, height) if 16 <= width <= MAX_SIDE and 16 <= height <= MAX_SIDE else None


def output_problem(path: Path, suffix: str) -> str | None:
    """Why ``path`` cannot take the output, or None."""
    if path.suffix.lower() != suffix:
        return f"{path}: the output must be a {suffix} file"
    if path.is_dir():
        return f"{path}: is a folder"
    if not path.parent.resolve().is_dir():
        return f"{path}: folder {path.parent} does not exist"
    return None


def write_frame(args: argparse.Namespace, project_path: Path, history: Path,
                size: tuple[int, int]) -> int:
    from linetwin.ui.cli.replay import open_session

    session = open_session(project_path, history, "replay", warmup_s=None)
    if session is None:
        return 1
    with session:
        if not _inside(session.data, args.at, args.at, history):
            return 1
        with _frames(session.project, size) as frames:
            session.cursor.seek(args.at)
            try:
                frames.save(frames.draw(session.pipeline), args.output)
            except OSError as exc:
                return _fail(f"{args.output}: cannot write the frame: {exc.strerror or exc}")
    print(f"wrote {args.output}")
    return 0


def frame_times(start: float, end: float, fps: float, speed: float) -> list[float]:
    """The history instant of each video frame: every ``speed / fps`` seconds, ``start`` first."""
    step = speed / fps
    count = int(math.floor((end - start) / step + 1e-9)) + 1
    return [start + k * step for k in range(count)]


def write_video(args: argparse.Namespace, project_path: Path, history: Path,
                size: tuple[int, int]) -> int:
    import imageio_ffmpeg

    from linetwin.ui.cli.replay import open_session

    session = open_session(project_path, history, "replay", warmup_s=None)
    if session is None:
        return 1
    with session:
        if not _inside(session.data, args.start, args.end, history):
            return 1
        times = frame_times(args.start, args.end, args.fps, args.speed)
        with _frames(session.project, size) as frames:
            writer = imageio_ffmpeg.write_frames(str(args.video), size, fps=args.fps, quality=7,
                                                 macro_block_size=1, ffmpeg_log_level="error")
            try:
                writer.send(None)  # start ffmpeg
                for k, t in enumerate(times):
                    session.cursor.seek(t)
                    writer.send(frames.draw(session.pipeline).tobytes())
                    _progress(k + 1, len(times), t)
            except (OSError, RuntimeError) as exc:
                _close_quietly(writer)
                args.video.unlink(missing_ok=True)  # no half video under the real name
                return _fail(f"{args.video}: cannot write the video: {_first_line(exc)}")
            finally:
                print(file=sys.stderr)
            writer.close()
    print(f"wrote {args.video} ({len(times)} frames, {len(times) / args.fps:.1f} s)")
    return 0


def _frames(project, size):
    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.ui.report.frames import ReplayFrames

    frames = ReplayFrames(project, size, mesh_cache=MeshCache(user_cache_folder()))
    for problem in frames.problems:
        print(f"warning: {problem} (drawn as a placeholder)", file=sys.stderr)
    return frames


def _close_quietly(writer) -> None:
    try:
        writer.close()
    except (OSError, RuntimeError):  # ffmpeg already failed; its first error is the one to show
        pass


def _inside(data, start: float, end: float, history: Path) -> bool:
    if data.start <= start and end <= data.end:
        return True
    _fail(f"{history} holds {format_instant(data.start)} .. {format_instant(data.end)}: "
          f"{format_instant(start)}" + ("" if end == start else f" .. {format_instant(end)}")
          + " is outside it")
    return False


def _progress(done: int, total: int, t: float) -> None:
    if done == total or done % 10 == 0:
        print(f"\rframe {done}/{total}  {format_instant(t)}", end="", file=sys.stderr, flush=True)


def _fail(message: str, code: int = 1) -> int:
    print(f"linetwin replay: {message}", file=sys.stderr)
    return code


def _first_line(exc: BaseException) -> str:
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
