"""What a screen reader hears, on the real accessibility bus: the app runs in a real X
server (Xvfb) with AT-SPI on, is driven by real key presses (xdotool), and a listener in
the system Python (``atspi_listener.py``, pyatspi) writes down every event a screen
reader speaks from. The transcript is the stand-in for speech (a screen reader itself,
Orca, hangs with any PySide6 app here: see the README).

The journey is a first hour's: unlock (a wrong passphrase first), find a trainee without
typing the accents, open their readiness, go back, add a case, start Form 2 and tick the
first item (heard as demonstrated, the progress heard, the focus on the next), and the
passphrase never on the bus.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sendobserve.demo import READY
from tests.helpers import subprocess_env

ROOT = Path(__file__).resolve().parents[2]
LISTENER = Path(__file__).with_name("atspi_listener.py")
BUS_LAUNCHER = Path("/usr/libexec/at-spi-bus-launcher")
SYSTEM_PYTHON = Path("/usr/bin/python3")
PASSPHRASE = "correct horse battery staple"
DEBIAN = "xvfb at-spi2-core dbus-x11 python3-pyatspi xdotool"


def _missing() -> list[str]:
    missing = [tool for tool in ("Xvfb", "dbus-launch", "xdotool") if not shutil.which(tool)]
    if not BUS_LAUNCHER.exists():
        missing.append(str(BUS_LAUNCHER))
    if not SYSTEM_PYTHON.exists() or subprocess.run(
            [str(SYSTEM_PYTHON), "-c", "import pyatspi"], capture_output=True).returncode:
        missing.append("pyatspi for the system Python")
    return missing


@dataclass
class Session:
    env: dict[str, str]
    heard: Path
    app: subprocess.Popen[bytes]

    def events(self) -> list[dict[str, str]]:
        lines = self.heard.read_text(encoding="utf-8").splitlines()
        return [json.loads(line) for line in lines if line.strip()]

    def mark(self) -> int:
        return len(self.events())

    def wait_for(self, what: str, test: Callable[[dict[str, str]], bool], since: int = 0,
                 timeout: float = 90.0) -> dict[str, str]:
        """The first event after ``since`` that passes ``test``; fails after ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for event in self.events()[since:]:
                if test(event):
                    return event
            if self.app.poll() is not None:
                break
            time.sleep(0.2)
        said = [f"{e.get('event')} {e.get('role')} {e.get('name')!r}"
                for e in self.events()[since:]][-25:]
        raise AssertionError(f"never heard {what}; last heard:\n" + "\n".join(said))

    def keys(self, *keys: str) -> None:
        subprocess.run(["xdotool", "key", "--delay", "80", *keys], env=self.env, check=True)

    def type(self, text: str) -> None:
        subprocess.run(["xdotool", "type", "--delay", "60", text], env=self.env, check=True)

    def focus_window(self, title: str) -> None:
        """What a window manager does when a dialog closes: give the window the keyboard
        (Xvfb runs none)."""
        subprocess.run(["xdotool", "search", "--sync", "--onlyvisible", "--name", title,
                        "windowfocus", "--sync"], env=self.env, check=True, timeout=60)


def focused(role: str, name: Callable[[str], bool]) -> Callable[[dict[str, str]], bool]:
    return lambda e: (e.get("event") == "object:state-changed:focused"
                      and e.get("role") == role and name(e.get("name", "")))


def current_item(container: str, name: Callable[[str], bool]) -> Callable[[dict[str, str]], bool]:
    """A list or table focused with its current item (what a screen reader reads next),
    or that item focused itself."""
    def test(e: dict[str, str]) -> bool:
        if e.get("event") == "object:state-changed:focused" and e.get("role") == container:
            return any(name(n) for n in e.get("selected", []))
        if e.get("event") in ("object:state-changed:focused",
                              "object:active-descendant-changed"):
            return e.get("role") in ("list item", "table cell", "tree item") and name(
                e.get("name", ""))
        return False
    return test


@pytest.fixture
def session(tmp_path: Path) -> Iterator[Session]:
    missing = _missing()
    if missing:
        pytest.fail(f"The accessibility bus test needs {', '.join(missing)} "
                    f"(Debian: apt-get install {DEBIAN}).")
    data = tmp_path / "data"
    secret = tmp_path / "pass.txt"
    secret.write_text(PASSPHRASE, encoding="utf-8")
    cli = [sys.executable, "-m", "sendobserve", "--data-dir", str(data),
           "--passphrase-file", str(secret)]
    base = subprocess_env()
    for command in ("init", "demo"):
        subprocess.run([*cli, command], env=base, check=True, capture_output=True,
                       cwd=ROOT, timeout=300)

    started: list[subprocess.Popen[bytes]] = []
    xvfb = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1280x800x24",
                             "-nolisten", "tcp"], stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL)
    started.append(xvfb)
    assert xvfb.stdout is not None
    display = xvfb.stdout.readline().decode().strip()
    env = {**base, "DISPLAY": f":{display}"}
    bus = subprocess.run(["dbus-launch", "--sh-syntax"], env=env, capture_output=True,
                         text=True, check=True)
    for line in bus.stdout.splitlines():
        if line.startswith(("DBUS_SESSION_BUS_ADDRESS=", "DBUS_SESSION_BUS_PID=")):
            key, _, value = line.rstrip(";").partition("=")
            env[key] = value.strip("'")
    started.append(subprocess.Popen([str(BUS_LAUNCHER), "--launch-immediately"], env=env,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    heard = tmp_path / "heard.jsonl"
    heard.touch()
    listener_env = {k: v for k, v in env.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    listener = subprocess.Popen([str(SYSTEM_PYTHON), str(LISTENER), str(heard)],
                                env=listener_env, stderr=subprocess.DEVNULL)
    started.append(listener)
    app_env = {**env, "QT_QPA_PLATFORM": "xcb", "QT_ACCESSIBILITY": "1",
               "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1"}
    try:
        deadline = time.monotonic() + 60
        while "ready" not in heard.read_text(encoding="utf-8"):
            assert time.monotonic() < deadline, "the listener never started"
            time.sleep(0.2)
        app = subprocess.Popen([sys.executable, "-m", "sendobserve", "--data-dir", str(data)],
                               env=app_env, cwd=ROOT, stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE)
        started.append(app)
        yield Session(app_env, heard, app)
    finally:
        for process in reversed(started):
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        pid = env.get("DBUS_SESSION_BUS_PID")
        if pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(pid), signal.SIGTERM)


@pytest.mark.slow
def test_a_first_hour_by_keyboard_heard_through_the_accessibility_bus(
        session: Session) -> None:
    # The unlock dialog opens with the focus in the passphrase field.
    session.wait_for("the passphrase field focused",
                     focused("password text", lambda n: n == "Passphrase or recovery key"))

    # A wrong passphrase: the refusal is heard, and the focus stays in the field (a
    # disabled field used to hand it to "Show what I type" at every attempt).
    mark = session.mark()
    session.type("not my passphrase")
    session.keys("Return")
    session.wait_for("the refusal", lambda e: "Wrong passphrase" in e.get("name", ""),
                     since=mark)
    assert not [e for e in session.events()[mark:]
                if focused("check box", lambda n: True)(e)], "the focus left the field"

    # The right one: the records open; with the window given the keyboard, the focus is
    # in the search box, so typing a name works at once.
    session.keys("ctrl+a")
    session.type(PASSPHRASE)
    mark = session.mark()
    session.keys("Return")
    session.wait_for("the trainee list", lambda e: e.get("name") == "Trainees", since=mark)
    mark = session.mark()
    session.focus_window("sendobserve")
    session.wait_for("the search box focused",
                     focused("text", lambda n: n == "Search trainees"), since=mark)

    # No accents typed: the trainee is found; Enter moves into the list, on them.
    trainee = READY  # "Siobhán Ó Dálaigh"
    mark = session.mark()
    session.type("siobhan")
    session.keys("Return")
    session.wait_for("the trainee in the list",
                     current_item("list", lambda n: n.startswith(trainee)), since=mark)

    # Ctrl+R: their readiness, the focus on a named cell of the matrix.
    mark = session.mark()
    session.keys("ctrl+r")
    session.wait_for("a named readiness cell",
                     current_item("table", lambda n: bool(n.strip())), since=mark)

    # Escape goes back to the list, on the same trainee.
    mark = session.mark()
    session.keys("Escape")
    session.wait_for("back on the trainee",
                     current_item("list", lambda n: n.startswith(trainee)), since=mark)

    # The room: a new case by its reference only (Ctrl+Shift+N), your name, Start (Alt+S):
    # the checklist opens on its first item; one key ticks it, and "Saved" is heard.
    mark = session.mark()
    session.keys("ctrl+shift+n")
    session.wait_for("the case reference field",
                     focused("text", lambda n: "reference" in n.lower()), since=mark)
    session.type("SEN-2026-099")
    mark = session.mark()
    session.keys("Return")
    session.wait_for("the case added", lambda e: "Added case SEN-2026-099" in e.get("name", ""),
                     since=mark)
    session.focus_window("sendobserve")  # the dialog closed: a window manager's job
    session.wait_for("your name, next",
                     focused("text", lambda n: n == "Your name (observer)"), since=mark)
    session.type("Dana Whitfield")
    mark = session.mark()
    session.keys("alt+s")
    session.wait_for("the checklist, on its first row", current_item(
        "tree", lambda n: n.startswith("Section ") or n.endswith(": Not yet seen")), since=mark)
    mark = session.mark()
    session.keys("space")  # the current row: the form's first item
    ticked = session.wait_for("an item heard ticked",
                              lambda e: e.get("name", "").endswith(": Demonstrated"),
                              since=mark)
    session.wait_for("the progress", lambda e: e.get("name") == "Progress: 1 of 39 seen",
                     since=mark)
    item = ticked["name"].removesuffix(": Demonstrated")
    session.wait_for("the focus on the next item", current_item(
        "tree", lambda n: n.endswith(": Not yet seen") and not n.startswith(item)),
        since=mark)

    # The passphrase never reached the bus.
    transcript = session.heard.read_text(encoding="utf-8")
    assert PASSPHRASE not in transcript
    assert "not my passphrase" not in transcript
