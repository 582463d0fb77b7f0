"""Opening a history in replay mode: from the command line, File > Open history, or a drop.

``linetwin replay PROJECT --history FILE`` calls :func:`run_replay_gui`; the
live window calls :func:`add_open_history` once to get File > Open history…
(Ctrl+H) and drops of ``.duckdb`` files. Every way ends in
:func:`open_replay`, which says what is wrong with a file in a message box
naming it (not a history, nothing recorded, in use by a recorder) and
never raises.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox, QWidget


HISTORY_SUFFIX = ".duckdb"
HISTORY_FILTER = "LineTwin history (*.duckdb);;All files (*)"
_open_windows: list = []  # replay windows, kept alive until they close


def open_replay(project, path: str | Path, geometries, mesh_problems=None, anchor: QWidget | None = None,
                label: str | None = None):
    """A shown replay window on ``path`` for ``project``, or None after a message box."""
    # DuckDB and the replay modules load with the first history opened, not with the live window.
    from linetwin.io.history.history_store import HistoryStoreError
    from linetwin.io.history.replay_load import ReplayLoadError
    from linetwin.io.sessions.replay_session import ReplaySession
    from linetwin.ui.qt.replay.replay_window import ReplayWindow

    path = Path(path)
    try:
        session = ReplaySession(project, path, writable=True)
    except (HistoryStoreError, ReplayLoadError, OSError) as exc:
        QMessageBox.warning(anchor, "Cannot open history", f"Cannot replay {path}:\n{exc}")
        return None
    try:
        window = ReplayWindow(session, geometries, mesh_problems, label=label)
    except Exception as exc:  # never a traceback, never a file left open
        session.close()
        QMessageBox.warning(anchor, "Cannot open history",
                            f"Cannot replay {path}:\n{type(exc).__name__}: {exc}")
        return None
    window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
    _open_windows.append(window)
    window.destroyed.connect(lambda *_: _forget(window))
    QSettings().setValue("replay/last_folder", str(path.parent))
    window.show()
    window.start()
    from linetwin.ui.qt.app import freeze_what_lives_with_the_window

    freeze_what_lives_with_the_window()  # the loaded history too: no full-collection stalls
    return window


def _forget(window) -> None:
    if window in _open_windows:
        _open_windows.remove(window)


def choose_history(parent: QWidget) -> str | None:
    """Ask for a history file, starting in the folder of the last one opened."""
    folder = QSettings().value("replay/last_folder", "")
    path, _ = QFileDialog.getOpenFileName(parent, "Open history", str(folder or ""), HISTORY_FILTER)
    return path or None


def history_paths(mime) -> list[str]:
    """The local ``.duckdb`` files among dragged URLs."""
    if not mime.hasUrls():
        return []
    return [url.toLocalFile() for url in mime.urls()
            if url.isLocalFile() and url.toLocalFile().lower().endswith(HISTORY_SUFFIX)]


class _HistoryDrops(QObject):
    """Takes drags of history files over a window (its 3D view included: pyvistaqt
    would otherwise try to read the file as a mesh) and opens the first one."""

    def __init__(self, window: QWidget, on_path) -> None:
        super().__init__(window)
        self.on_path = on_path

    def eventFilter(self, watched, event) -> bool:  # noqa: N802 (Qt naming)
        kind = event.type()
        if kind in (QEvent.Type.DragEnter, QEvent.Type.DragMove) and history_paths(event.mimeData()):
            event.acceptProposedAction()
            return True
        if kind == QEvent.Type.Drop:
            paths = history_paths(event.mimeData())
            if paths:
                event.acceptProposedAction()
                self.on_path(paths[0])
                return True
        return False


def accept_history_drops(window: QWidget, on_path) -> _HistoryDrops:
    """Open a ``.duckdb`` file dropped on ``window`` (or its 3D view) with ``on_path(path)``."""
    drops = _HistoryDrops(window, on_path)
    window.setAcceptDrops(True)
    window.installEventFilter(drops)
    plotter = getattr(window, "plotter", None)
    if plotter is not None:
        plotter.installEventFilter(drops)
    return drops


def add_open_history(window, file_menu) -> None:
    """File > Open history… (Ctrl+H) and history drops for the live ``window``:
    the history opens in a replay window of the project it shows."""
    from PySide6.QtGui import QAction, QKeySequence

    session = window.session

    def open_path(path: str) -> None:
        open_replay(session.project, path, session.geometries, session.mesh_problems, anchor=window)

    def ask() -> None:
        path = choose_history(window)
        if path is not None:
            open_path(path)

    action = QAction("Open &history…", window)
    action.setShortcut(QKeySequence("Ctrl+H"))
    action.triggered.connect(ask)
    file_menu.addAction(action)
    window.addAction(action)
    window.open_history_path = open_path  # for tests and scripts: what a drop does
    window._history_drops = accept_history_drops(window, open_path)


def run_replay_gui(project_path: Path, history_path: Path, label: str | None = None) -> int:
    """The replay window on its own (``linetwin replay``) until it closes; the exit code.
    ``label``: what to call the history (an incident package's file name)."""
    from linetwin.io.mesh.mesh_cache import MeshCache, user_cache_folder
    from linetwin.io.mesh.meshes import load_line_geometry
    from linetwin.ui.qt.startup.standalone import project_or_message, standalone_app

    app, quit_signals = standalone_app()
    project = project_or_message(project_path)
    if project is None:
        return 1
    geometries = load_line_geometry(project, cache=MeshCache(user_cache_folder()))
    problems = {a: g.problem for a, g in geometries.items() if g.problem}
    if open_replay(project, history_path, geometries, problems, label=label) is None:
        return 1
    quit_signals.connect(lambda: close_all() or app.exit(0))
    code = app.exec()
    close_all()
    return code


def close_all() -> None:
    """Close every replay window and delete it while Qt is alive (VTK must go first)."""
    for window in list(_open_windows):
        window.close()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
