"""Transport controls of a replay: play, step, speed, loop, and next/previous event.

Every move goes through the bridge (``bridge.seek``), so a far jump is applied
over several ticks and never freezes the window. Keys (window-wide actions):
Space play/pause, Left/Right step (Shift: a bigger step), [ and ] set the
loop's start and end at the cursor, N / Shift+N next / previous event that
matches the filter (defect type, station, lot, severity).
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QCheckBox, QComboBox, QHBoxLayout, QLabel, QToolButton, QWidget

from linetwin.twin.production.events import Severity
from linetwin.twin.replay.cursor import SPEEDS
from linetwin.twin.replay.event_search import EventFilter
from linetwin.ui.qt.widgets.elided_label import ElidedLabel

STEP_S, BIG_STEP_S = 1.0, 60.0
LOOP_AROUND_S = 30.0  # a loop switched on with no range set: the cursor +- this
ANY = "any"


class Transport(QWidget):
    """Controls of ``session``'s cursor; ``filter_changed(EventFilter)`` when a filter combo changes.

    ``actions`` are added to the window so the keys work wherever the focus is.
    """

    filter_changed = Signal(object)
    event_found = Signal(int)  # inspection row the cursor was sent to

    def __init__(self, session, bridge, parent=None) -> None:
        super().__init__(parent)
        self.setObjectName("replayTransport")
        self.session, self.bridge, self.cursor = session, bridge, session.cursor
        self.data = session.data
        self.loop_marks: list[float | None] = [None, None]  # set with [ and ]
        self.actions: list[QAction] = []
        layout = QHBoxLayout(self)
        layout.setContentsMargins(4, 2, 4, 2)
        self.play_button = self._button(layout, "▶ Play", "Play / pause (Space)", self.toggle_play)
        self._button(layout, "◀ 1 s", "Step back (Left; Shift: 1 min)", lambda: self.step(-STEP_S))
        self._button(layout, "1 s ▶", "Step forward (Right; Shift: 1 min)", lambda: self.step(STEP_S))
        self.speed = QComboBox()
        self.speed.setObjectName("replaySpeed")
        self.speed.setToolTip("Replay speed: history seconds per second")
        for speed in SPEEDS:
            self.speed.addItem(f"{speed:g}×", speed)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.currentIndexChanged.connect(self._on_speed_chosen)
        layout.addWidget(self.speed)
        self.loop = QCheckBox("Loop")
        self.loop.setToolTip("Loop the range set with [ and ] (or the cursor ± 30 s)")
        self.loop.toggled.connect(self._on_loop_toggled)
        layout.addWidget(self.loop)
        layout.addSpacing(16)
        self._button(layout, "◀ event", "Previous matching event (Shift+N)", self.previous_event)
        self._button(layout, "event ▶", "Next matching event (N)", self.next_event)
        self.filters = {name: self._combo(layout, name, values) for name, values in (
            ("defect type", self.data.defect_types), ("station", self.data.stations),
            ("lot", self.data.lots), ("severity", [s.value for s in Severity]))}
        self.defects_only = QCheckBox("defects only")
        self.defects_only.setChecked(True)
        self.defects_only.toggled.connect(self._emit_filter)
        layout.addWidget(self.defects_only)
        self.found = ElidedLabel("")  # elided: a long unit id must not widen the window
        self.found.setObjectName("eventFound")
        layout.addWidget(self.found, 1)
        self._build_actions()
        self.cursor.changed.connect(self._on_cursor_changed)

    # -- building ---------------------------------------------------------------------

    def _button(self, layout, text: str, tip: str, slot) -> QToolButton:
        button = QToolButton()
        button.setText(text)
        button.setToolTip(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # Space stays play/pause, never "click"
        button.clicked.connect(slot)
        layout.addWidget(button)
        return button

    def _combo(self, layout, name: str, values) -> QComboBox:
        layout.addWidget(QLabel(name))
        combo = QComboBox()
        combo.setObjectName(f"filter {name}")
        combo.addItem(ANY, None)
        for value in values:
            combo.addItem(value, value)
        combo.currentIndexChanged.connect(self._emit_filter)
        layout.addWidget(combo)
        return combo

    def _build_actions(self) -> None:
        for text, key, slot in (
                ("Play / pause", "Space", self.toggle_play),
                ("Step back", "Left", lambda: self.step(-STEP_S)),
                ("Step forward", "Right", lambda: self.step(STEP_S)),
                ("Step back 1 min", "Shift+Left", lambda: self.step(-BIG_STEP_S)),
                ("Step forward 1 min", "Shift+Right", lambda: self.step(BIG_STEP_S)),
                ("Loop start here", "[", self.set_loop_start),
                ("Loop end here", "]", self.set_loop_end),
                ("Next event", "N", self.next_event),
                ("Previous event", "Shift+N", self.previous_event)):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
            action.triggered.connect(slot)
            self.actions.append(action)

    # -- the filter -------------------------------------------------------------------

    def event_filter(self) -> EventFilter:
        chosen = {name: [c.currentData()] if c.currentData() is not None else []
                  for name, c in self.filters.items()}
        return EventFilter.of(chosen["defect type"], chosen["station"], chosen["lot"],
                              chosen["severity"], self.defects_only.isChecked())

    def _emit_filter(self, *_args) -> None:
        self.filter_changed.emit(self.event_filter())

    # -- moving -----------------------------------------------------------------------

    def toggle_play(self) -> None:
        cursor = self.cursor
        if not cursor.playing:
            lo, hi = cursor.loop or (self.data.start, self.data.end)
            if not cursor.position < hi:  # at the end (or not placed yet): start over, via the bridge
                self.bridge.seek(lo)
        cursor.playing = not cursor.playing

    def step(self, seconds: float) -> None:
        self.cursor.playing = False
        position = self.cursor.position
        self.bridge.seek((self.data.start if position != position else position) + seconds)

    def next_event(self) -> int | None:
        return self._go_to(self.cursor.search.next_after(self.cursor.position, self.event_filter()))

    def previous_event(self) -> int | None:
        return self._go_to(self.cursor.search.previous_before(self.cursor.position, self.event_filter()))

    def _go_to(self, row: int | None) -> int | None:
        if row is None:
            self.found.set_text("no further matching event")
            return None
        self.cursor.playing = False
        c = self.data.inspections
        defect = self.data.defect_types[c.defect[row]] if c.defect[row] >= 0 else "pass"
        self.found.set_text(f"{c.unit[row]} · {self.data.stations[c.station[row]]} · {defect}")
        self.bridge.seek(float(c.time[row]))
        self.event_found.emit(row)
        return row

    # -- speed and loop ---------------------------------------------------------------

    def set_speed(self, speed: float) -> None:
        """Choose the nearest offered speed."""
        nearest = min(range(len(SPEEDS)), key=lambda i: abs(SPEEDS[i] - speed))
        self.speed.setCurrentIndex(nearest)

    def _on_speed_chosen(self, index: int) -> None:
        self.cursor.speed = SPEEDS[index]

    def set_loop_start(self) -> None:
        self.loop_marks[0] = self.cursor.position
        self._apply_marks()

    def set_loop_end(self) -> None:
        self.loop_marks[1] = self.cursor.position
        self._apply_marks()

    def _apply_marks(self) -> None:
        lo, hi = self.loop_marks
        if lo is not None and hi is not None and hi > lo:
            self.cursor.loop = (lo, hi)
        elif lo is not None and self.cursor.loop is not None and self.cursor.loop[1] > lo:
            self.cursor.loop = (lo, self.cursor.loop[1])  # move the start of the loop in use

    def _on_loop_toggled(self, on: bool) -> None:
        if not on:
            self.cursor.loop = None
        elif self.cursor.loop is None:
            lo, hi = self.loop_marks
            if lo is None or hi is None or hi <= lo:
                t = self.cursor.position
                lo, hi = self.cursor.clamp(t - LOOP_AROUND_S), self.cursor.clamp(t + LOOP_AROUND_S)
            if hi > lo:
                self.cursor.loop = (lo, hi)

    def _on_cursor_changed(self) -> None:
        self.play_button.setText("|| Pause" if self.cursor.playing else "▶ Play")
        if self.loop.isChecked() != (self.cursor.loop is not None):
            self.loop.blockSignals(True)
            self.loop.setChecked(self.cursor.loop is not None)
            self.loop.blockSignals(False)
        if self.speed.currentData() != self.cursor.speed:
            self.set_speed(self.cursor.speed)
