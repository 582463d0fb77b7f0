"""replay --at -o PNG and --video MP4, and the same frame from a history and from its package."""

from __future__ import annotations

import imageio_ffmpeg
import numpy as np
import pytest
from PIL import Image

from linetwin.io.history.incident_package import open_package, write_package
from linetwin.io.project.project_file import load_project
from linetwin.io.sessions.replay_session import ReplaySession
from linetwin.main import DEMO_PROJECT, main
from linetwin.ui.cli.replay_export import frame_times
from linetwin.ui.report.frames import ReplayFrames
from tests.io.history.replay_history import record_history
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
AT = T0 + 500.0  # after the heater sagged: alerts listed, states coloured


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    path = tmp_path_factory.mktemp("export") / "line.duckdb"
    record_history(load_project(DEMO_PROJECT), path, 900.0)
    return path


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Mesh cache and extracted packages under the test's folder, not the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def replay(history, *args) -> int:
    return main(["replay", str(DEMO_PROJECT), "--history", str(history), *map(str, args)])


def test_frame_png_has_the_size_and_shows_the_line(history, tmp_path):
    out = tmp_path / "frame.png"
    assert replay(history, "--at", AT, "-o", out, "--size", "480x270") == 0
    image = np.asarray(Image.open(out).convert("RGB"))
    assert image.shape == (270, 480, 3)
    assert image.reshape(-1, 3).std(axis=0).min() > 10  # not one flat colour
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 500


def render_at(project_path, history_path, t, size=(480, 270)) -> np.ndarray:
    with ReplaySession(load_project(project_path), history_path, warmup_s=None) as session, \
            ReplayFrames(session.project, size, overlay=False) as frames:
        session.cursor.seek(t)
        return frames.draw(session.pipeline)


def test_the_frame_from_the_package_is_the_frame_from_the_history(history, tmp_path):
    # The test. The package keeps 30 min before its range, so here it
    # holds the whole 15 min history and its replay is the same twin: the
    # pixels must be identical, not merely close.
    package = write_package(DEMO_PROJECT, history, T0 + 300, T0 + 700, tmp_path / "x.ltpkg")
    project_path, history_path = open_package(package)
    from_history = render_at(DEMO_PROJECT, history, AT)
    from_package = render_at(project_path, history_path, AT)
    assert from_history.shape == from_package.shape
    assert np.array_equal(from_history, from_package)
    # and the comparison can tell instants apart (before the sag: no badges yet)
    assert not np.array_equal(from_history, render_at(DEMO_PROJECT, history, T0 + 60))


def test_replay_reopens_a_package(history, tmp_path):
    package = write_package(DEMO_PROJECT, history, T0 + 300, T0 + 700, tmp_path / "x.ltpkg")
    out = tmp_path / "p.png"
    assert main(["replay", str(package), "--at", str(AT), "-o", str(out), "--size", "320x180"]) == 0
    assert Image.open(out).size == (320, 180)


def test_video_has_one_frame_per_step_of_speed_over_fps(history, tmp_path, capsys):
    out = tmp_path / "clip.mp4"
    assert replay(history, "--from", T0 + 300, "--to", T0 + 330, "--video", out,
                  "--fps", 5, "--speed", 10, "--size", "320x180") == 0
    assert len(frame_times(T0 + 300, T0 + 330, 5, 10)) == 16  # every 2 s of history, both ends
    reader = imageio_ffmpeg.read_frames(str(out))
    meta = next(reader)
    assert tuple(meta["size"]) == (320, 180)
    assert sum(1 for _ in reader) == 16
    assert "frame 16/16" in capsys.readouterr().err


@pytest.mark.parametrize("args, code, message", [
    (["--video", "{tmp}/nowhere/clip.mp4"], 2, "nowhere/clip.mp4: folder"),
    (["--video", "{tmp}/clip.avi"], 2, "must be a .mp4 file"),
    (["--video", "{tmp}/clip.mp4", "--size", "big"], 2, "--size 'big'"),
])
def test_bad_video_output_is_refused_clearly(history, tmp_path, capsys, args, code, message):
    args = [a.replace("{tmp}", str(tmp_path)) for a in args]
    assert replay(history, "--from", T0 + 300, "--to", T0 + 310, *args) == code
    assert message in capsys.readouterr().err


def test_bad_frame_output_and_instant_outside_the_history(history, tmp_path, capsys):
    assert replay(history, "--at", AT, "-o", tmp_path / "frame.jpg") == 2
    assert "must be a .png file" in capsys.readouterr().err
    assert replay(history, "--at", T0 + 5000, "-o", tmp_path / "frame.png") == 1
    assert "is outside it" in capsys.readouterr().err
    assert replay(history, "--from", T0 + 300, "--to", T0 + 5000, "--video", tmp_path / "c.mp4") == 1
    assert "is outside it" in capsys.readouterr().err
    assert not (tmp_path / "frame.png").exists() and not (tmp_path / "c.mp4").exists()
