"""Incident packages: one .ltpkg that reopens the same data anywhere, and refuses tampering."""

from __future__ import annotations

import zipfile

import pytest

from linetwin.io.history.data_slice import slice_hash
from linetwin.io.history.history_store import HistoryStore
from linetwin.io.history.incident_package import (
    PackageError, open_package, read_manifest, slice_start, write_package,
)
from linetwin.io.project.project_file import load_project
from linetwin.main import DEMO_PROJECT
from tests.io.history.replay_history import record_history
from tests.twin.streams import T0

pytestmark = pytest.mark.timeout(300)
A, B = T0 + 300.0, T0 + 600.0


@pytest.fixture(scope="module")
def history(tmp_path_factory):
    path = tmp_path_factory.mktemp("pkg") / "line.duckdb"
    record_history(load_project(DEMO_PROJECT), path, 900.0)
    return path


@pytest.fixture(scope="module")
def package(history, tmp_path_factory):
    return write_package(DEMO_PROJECT, history, A, B, tmp_path_factory.mktemp("out") / "x.ltpkg",
                         warmup_s=120.0)


def test_package_reopens_project_meshes_and_the_data_of_the_range(history, package, tmp_path):
    project_path, history_path = open_package(package, cache_root=tmp_path)
    project = load_project(project_path)
    meshes = [a.mesh for a in project.assets if a.mesh]
    assert len(meshes) == 15 and all(m.is_relative_to(project_path.parent) and m.is_file() for m in meshes)
    # its SOPs travel with it: a replay of the package judges operator steps as the original did
    assert [s.id for s in project.sops] == [s.id for s in load_project(DEMO_PROJECT).sops]
    assert all(s.path.is_relative_to(project_path.parent) for s in project.sops)
    with HistoryStore(history, read_only=True) as full, HistoryStore(history_path, read_only=True) as part:
        assert slice_hash(part, A, B) == slice_hash(full, A, B)
        assert part.count("inspection_events") < full.count("inspection_events")
        # the slice begins a warm-up before the oldest alert still active at A (here the
        # trend alert raised before A - warm-up), so the package raises it when it was raised
        [active] = full.fetch_dicts("SELECT min(raised_at) AS t FROM alerts WHERE raised_at <= $a "
                                    "AND coalesce(cleared_at, 1e300) > $a", {"a": A})
        lo = slice_start(history, A, 120.0)
        assert lo == active["t"] - 120.0 < A - 120.0
        # what a replay of the slice needs from before it: each signal's last sample
        before = part.fetch_dicts("SELECT signal_id, count(*) AS n FROM signal_samples "
                                  "WHERE source_time < $lo GROUP BY ALL", {"lo": lo})
        assert {r["n"] for r in before} == {1} and len(before) == len(project.signals)
    assert read_manifest(package)["start"] == A
    assert open_package(package, cache_root=tmp_path) == (project_path, history_path)  # cached


def _rewrite(package, out, change):
    with zipfile.ZipFile(package) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            dst.writestr(info.filename, change(info.filename, src.read(info.filename)))
    return out


def test_a_tampered_member_is_refused_by_name(package, tmp_path):
    def flip(name, data):
        return data[:-100] + bytes(b ^ 1 for b in data[-100:]) if name == "history.duckdb" else data

    tampered = _rewrite(package, tmp_path / "tampered.ltpkg", flip)
    with pytest.raises(PackageError, match=r"member history\.duckdb does not match its hash"):
        open_package(tampered, cache_root=tmp_path / "cache")


def test_a_changed_project_file_is_refused(package, tmp_path):
    def edit(name, data):
        return data.replace(b"Demo packaging line", b"Other line") if name.endswith(".toml") else data

    with pytest.raises(PackageError, match=r"member project/line\.toml does not match"):
        open_package(_rewrite(package, tmp_path / "edited.ltpkg", edit), cache_root=tmp_path / "c")


def test_a_truncated_package_is_refused(package, tmp_path):
    cut = tmp_path / "cut.ltpkg"
    cut.write_bytes(package.read_bytes()[: package.stat().st_size // 2])
    with pytest.raises(PackageError, match="cut.ltpkg"):
        open_package(cut, cache_root=tmp_path / "cache")


def test_a_zip_without_manifest_and_a_missing_file_are_refused(tmp_path):
    plain = tmp_path / "plain.ltpkg"
    with zipfile.ZipFile(plain, "w") as zf:
        zf.writestr("readme.txt", "hello")
    with pytest.raises(PackageError, match="no manifest.json: not an incident package"):
        open_package(plain, cache_root=tmp_path)
    with pytest.raises(PackageError, match="no such incident package"):
        open_package(tmp_path / "absent.ltpkg", cache_root=tmp_path)


def test_bad_range_and_bad_output_folder_are_refused(history, tmp_path):
    with pytest.raises(PackageError, match="must end after it starts"):
        write_package(DEMO_PROJECT, history, B, A, tmp_path / "x.ltpkg")
    with pytest.raises(PackageError, match="does not exist"):
        write_package(DEMO_PROJECT, history, A, B, tmp_path / "nowhere" / "x.ltpkg")
