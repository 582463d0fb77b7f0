"""Binding a node to an asset: propose, confirm, save in a worker, offer Undo.

Kept apart from the panel's browsing code. The steps, each result arriving on
the GUI thread:

1. ``suggest_signal`` on the browser (a worker; dropped if the panel refreshes);
2. ``panel.confirm_fields(proposal)``: the form dialog, or a test's answer;
3. ``add_signal(project.path, fields)`` on a worker (never dropped: the file
   may have been written); success emits ``panel.project_changed``;
4. Undo: ``undo_last_edit`` and ``load_project`` on a worker, emits again.

A refused save shows the problems in a message box and keeps what the user
typed: the next Bind on the same node and asset opens the form with it.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox

from linetwin.io.project.project_edit import ProjectEditError, add_signal, undo_last_edit
from linetwin.io.project.project_file import ProjectFileError, load_project
from linetwin.io.project.signal_proposal import SignalProposal
from linetwin.twin.model import Project
from linetwin.ui.qt.address_space.dialog import ask_signal_fields

if TYPE_CHECKING:
    from linetwin.ui.qt.address_space.panel import AddressSpacePanel

EDIT = "edit"  # task group of file edits: never cancelled


class BindController:
    """The bind / undo flow of one :class:`AddressSpacePanel`."""

    def __init__(self, panel: AddressSpacePanel) -> None:
        self.panel = panel
        self.phase: str | None = None  # None, "suggest", "confirm", "save" or "undo"
        self.draft: tuple[str, str, dict[str, Any]] | None = None  # node, asset, fields typed
        self.last_bound: str | None = None  # id of the signal the Undo button removes
        self.error_box: QMessageBox | None = None
        panel.bind_button.clicked.connect(self.start)
        panel.undo_button.clicked.connect(self.undo)

    @property
    def busy(self) -> bool:
        return self.phase is not None

    def _set_phase(self, phase: str | None) -> None:
        self.phase = phase
        self.panel.update_bind_button()
        self.panel.undo_button.setEnabled(phase is None)

    def on_refresh(self) -> None:
        """The browser is being replaced: a pending proposal will never arrive."""
        if self.phase == "suggest":
            self._set_phase(None)

    # -- bind ----------------------------------------------------------------------
    def start(self) -> None:
        panel = self.panel
        node, asset_id = panel.selected_variable(), panel.selection.asset_id
        if node is None or asset_id is None or self.busy or panel.is_shut_down:
            return
        if panel.project.path is None:
            panel.set_status("This project has no file to save a signal to.", error=True)
            return
        name = node.display_name or node.browse_name
        panel.set_status(f"Proposing a signal for {name}…")
        self._set_phase("suggest")
        project = panel.project
        panel.run_browser(lambda b: b.suggest_signal(node.node_id, asset_id, project),
                          self._on_proposal, self._on_failed)

    def ask(self, proposal: SignalProposal) -> dict[str, Any] | None:
        """The default ``confirm_fields``: the form dialog, with a refused try's entries."""
        initial = None
        if self.draft is not None and self.draft[:2] == (proposal.node, proposal.asset):
            initial = self.draft[2]
        asset_name = self.panel.asset_name(proposal.asset) or proposal.asset
        return ask_signal_fields(proposal, asset_name, initial, self.panel)

    def _on_proposal(self, proposal: SignalProposal) -> None:
        panel = self.panel
        self._set_phase("confirm")
        try:
            fields = panel.confirm_fields(proposal)
        finally:
            self._set_phase(None)
        if fields is None or panel.is_shut_down:
            panel.set_status("Binding cancelled.")
            return
        fields = dict(fields)
        self.draft = (proposal.node, proposal.asset, fields)
        path = panel.project.path
        panel.set_status(f"Saving signal {fields.get('id')} to {Path(path).name}…")
        self._set_phase("save")
        panel.tasks.submit(lambda: add_signal(path, fields),
                           lambda project: self._on_saved(fields, project),
                           self._on_failed, group=EDIT)

    def _on_saved(self, fields: dict[str, Any], project: Project) -> None:
        panel = self.panel
        self._set_phase(None)
        self.draft = None
        self.last_bound = str(fields["id"])
        panel.project = project
        asset = panel.asset_name(str(fields["asset"])) or fields["asset"]
        panel.banner_label.setText(
            f"✔ Bound <b>{html.escape(str(fields['node']))}</b> to <b>{html.escape(str(asset))}</b> "
            f"as <b>{html.escape(self.last_bound)}</b> —")
        panel.undo_button.show()
        panel.banner.show()
        panel.set_status("")
        panel.project_changed.emit(project)

    # -- undo ----------------------------------------------------------------------
    def undo(self) -> None:
        panel = self.panel
        path = panel.project.path
        if path is None or self.busy:
            return
        self._set_phase("undo")
        panel.set_status(f"Undoing the last edit of {Path(path).name}…")

        def restore() -> Project:
            undo_last_edit(path)
            return load_project(path)

        panel.tasks.submit(restore, self._on_undone, self._on_failed, group=EDIT)

    def _on_undone(self, project: Project) -> None:
        panel = self.panel
        self._set_phase(None)
        panel.project = project
        panel.banner_label.setText(f"Undone: signal <b>{html.escape(self.last_bound or '')}</b> "
                                   f"removed from {html.escape(Path(project.path).name)}.")
        panel.undo_button.hide()
        panel.set_status("")
        panel.project_changed.emit(project)

    # -- failures ------------------------------------------------------------------
    def _on_failed(self, error: BaseException) -> None:
        phase = self.phase
        self._set_phase(None)
        panel = self.panel
        if isinstance(error, (ProjectEditError, ProjectFileError)):
            panel.set_status(str(error).splitlines()[0], error=True)
            self.show_problems(error, undo=phase == "undo")
        else:  # BrowseError from the proposal, or an unexpected I/O error
            panel.set_status(str(error), error=True)

    def show_problems(self, error: Exception, undo: bool = False) -> None:
        """A message box (not blocking) listing what was wrong; nothing was written."""
        lines = str(error).splitlines()
        problems = [str(p) for p in getattr(error, "problems", [])] or [line.strip() for line in lines[1:]]
        if isinstance(error, ProjectFileError):  # its lines are all problems, no headline
            headline = "The project file was restored but cannot be loaded"
        else:
            headline = lines[0] if lines else type(error).__name__
        box = QMessageBox(QMessageBox.Icon.Warning, "Undo failed" if undo else "Signal not saved",
                          headline, QMessageBox.StandardButton.Ok, self.panel)
        box.setObjectName("bindErrorBox")
        note = ("" if undo else "The project file was not changed. Your entries are kept: "
                "press Bind again to correct them.")
        box.setInformativeText("\n".join([*("• " + p for p in problems), "", note]).strip())
        box.setModal(True)
        box.open()
        self.error_box = box
