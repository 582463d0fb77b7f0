"""The real ``linetwin gui`` as a child process on the test's X display.

Used to check what only a whole process shows: its exit status and that it
prints nothing on the way out. Start-up progress is read from the marks file
(``$LINETWIN_STARTUP_MARKS``); keys and window-close requests are sent
through the X server (XTEST, WM_DELETE_WINDOW) as a user's would be.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

HANG_GUARD_S = 180.0  # start-up on a loaded 2-core runner can take a minute


class GuiProcess:
    def __init__(self, folder: Path, *args: str, cache: Path | None = None) -> None:
        self.marks = folder / "marks.txt"
        self.marks.unlink(missing_ok=True)
        env = dict(os.environ, LINETWIN_STARTUP_MARKS=str(self.marks),
                   XDG_CONFIG_HOME=str(folder / "config"),
                   XDG_CACHE_HOME=str(cache or folder / "cache"))
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linetwin.main", "gui", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)

    def wait_for(self, mark: str) -> None:
        """Return once the GUI wrote ``mark``; fail if it died first."""
        deadline = time.monotonic() + HANG_GUARD_S
        while time.monotonic() < deadline:
            if self.marks.exists() and any(line.split()[0] == mark for line in
                                           self.marks.read_text().splitlines() if line):
                return
            if self.process.poll() is not None:
                out, err = self.process.communicate()
                raise AssertionError(f"the GUI exited ({self.process.returncode}) before "
                                     f"{mark!r}:\n{out.decode()}{err.decode()}")
            time.sleep(0.05)
        raise AssertionError(f"no {mark!r} mark within {HANG_GUARD_S} s")

    def send(self, number: int) -> None:
        self.process.send_signal(number)

    def finish(self) -> tuple[int, str]:
        """Exit status and everything printed, once the process has ended."""
        try:
            out, err = self.process.communicate(timeout=HANG_GUARD_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            out, err = self.process.communicate()
            raise AssertionError(f"the GUI did not exit:\n{out.decode()}{err.decode()}")
        return self.process.returncode, out.decode() + err.decode()

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


class Simulator:
    """``linetwin sim`` on a free port, as an outside server the test can kill."""

    def __init__(self) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "linetwin.main", "sim", "--port", "0"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        self.endpoint = self.process.stdout.readline().strip()
        if not self.endpoint.startswith("opc.tcp://"):
            self.kill()
            raise AssertionError(f"the simulator did not start: {self.endpoint!r}")

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.communicate()


class XUser:
    """Keys and close requests to a top-level window, through the X server."""

    def __init__(self) -> None:
        from Xlib import display

        self.display = display.Display()

    def window(self, title_start: str):
        """The mapped top-level window whose title starts with ``title_start``."""
        from Xlib import X

        net_name = self.display.intern_atom("_NET_WM_NAME")
        utf8 = self.display.intern_atom("UTF8_STRING")
        deadline = time.monotonic() + HANG_GUARD_S
        while time.monotonic() < deadline:
            for win in self.display.screen().root.query_tree().children:
                prop = win.get_full_property(net_name, utf8)
                title = prop.value.decode() if prop else ""
                if title.startswith(title_start) and \
                        win.get_attributes().map_state == X.IsViewable:
                    return win
            time.sleep(0.1)
        raise AssertionError(f"no window titled {title_start!r}")

    def press(self, win, *keysyms: str) -> None:
        """Focus ``win`` and type a chord, e.g. ``press(win, "Control_L", "q")``."""
        from Xlib import X, XK
        from Xlib.ext import xtest

        win.set_input_focus(X.RevertToParent, X.CurrentTime)
        self.display.sync()
        time.sleep(0.3)  # let Qt see the focus change and activate the window
        codes = [self.display.keysym_to_keycode(XK.string_to_keysym(k)) for k in keysyms]
        for code in codes:
            xtest.fake_input(self.display, X.KeyPress, code)
        for code in reversed(codes):
            xtest.fake_input(self.display, X.KeyRelease, code)
        self.display.sync()

    def close(self, win) -> None:
        """What a window manager's close button sends: WM_DELETE_WINDOW."""
        from Xlib import X
        from Xlib.protocol import event

        protocols = self.display.intern_atom("WM_PROTOCOLS")
        delete = self.display.intern_atom("WM_DELETE_WINDOW")
        message = event.ClientMessage(window=win, client_type=protocols,
                                      data=(32, [delete, X.CurrentTime, 0, 0, 0]))
        win.send_event(message)
        self.display.sync()
