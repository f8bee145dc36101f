"""sendobserve benchmarks: every figure beside a floor measured in the same run.

    PYTHONPATH=$PWD QT_QPA_PLATFORM=offscreen python bench/run.py [--quick] [--only NAME ...]

Prints one line per figure (median, p99, the floor, their ratio, the goal) and writes
everything, with a description of the machine, to ``bench/results/latest.json``.
Start-up and memory run in fresh processes started by ``bench/launcher.py`` (never by this
process: see there), so every run is cold and its figures its own. ``--quick`` uses
smaller stores and fewer repeats (under a minute once the stores are cached).
Not part of the test suite: timings on a shared machine vary; the ratios vary less.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen  # noqa: E402  (bench/gen.py, beside this file)

RESULTS = Path(__file__).resolve().parent / "results"


# --- figures -------------------------------------------------------------------------------


@dataclass
class Figure:
    name: str
    unit: str  # "ms" or "MiB" or "x"
    median: float
    p99: float | None
    floor_name: str
    floor: float | None
    goal: str
    ok: bool | None  # None: no goal, or not measured
    runs: int
    note: str = ""
    samples: list[float] = field(default_factory=list)
    floor_samples: list[float] = field(default_factory=list)
    # CPU time (user + system) of the same runs, where it was measured: on a shared
    # machine the steadier of the two, since waiting for the disk or for another
    # process's turn on a core costs wall time but not CPU time.
    floor_p99: float | None = None
    cpu_median: float | None = None
    cpu_floor: float | None = None
    cpu_samples: list[float] = field(default_factory=list)
    cpu_floor_samples: list[float] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return None if not self.floor else self.median / self.floor

    @property
    def cpu_ratio(self) -> float | None:
        if self.cpu_median is None or not self.cpu_floor:
            return None
        return self.cpu_median / self.cpu_floor


@dataclass
class NotMeasured:
    name: str
    reason: str


FIGURES: list[Figure | NotMeasured] = []


def p99(values: list[float]) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(0.99 * (len(s) - 1))))]


def add(
    name: str, unit: str, samples: list[float], floor_name: str, floor_samples: list[float] | None,
    goal: str, ok: Callable[[Figure], bool] | None, note: str = "", *,
    cpu: list[float] | None = None, cpu_floor: list[float] | None = None,
) -> Figure:
    fig = Figure(
        name=name, unit=unit, median=statistics.median(samples),
        p99=p99(samples) if len(samples) >= 5 else None, floor_name=floor_name,
        floor=statistics.median(floor_samples) if floor_samples else None, goal=goal, ok=None,
        runs=len(samples), note=note, samples=[round(x, 4) for x in samples],
        floor_samples=[round(x, 4) for x in floor_samples or []],
        floor_p99=p99(floor_samples) if floor_samples and len(floor_samples) >= 5 else None,
        cpu_median=statistics.median(cpu) if cpu else None,
        cpu_floor=statistics.median(cpu_floor) if cpu_floor else None,
        cpu_samples=[round(x, 4) for x in cpu or []],
        cpu_floor_samples=[round(x, 4) for x in cpu_floor or []],
    )
    fig.ok = ok(fig) if ok else None
    FIGURES.append(fig)
    show(fig)
    return fig


def not_measured(name: str, reason: str) -> None:
    FIGURES.append(NotMeasured(name, reason))
    print(f"  {name:<44} NOT MEASURED: {reason}", flush=True)


def show(f: Figure) -> None:
    p = f"p99 {f.p99:8.2f}" if f.p99 is not None else " " * 12
    floor = f"floor {f.floor:8.2f}" if f.floor is not None else " " * 14
    if f.floor_p99 is not None:
        floor += f" (p99 {f.floor_p99:.2f})"
    ratio = f"{f.ratio:6.2f}x" if f.ratio is not None else " " * 7
    verdict = "" if f.ok is None else ("ok" if f.ok else "MISS")
    cpu = ""
    if f.cpu_median is not None:
        cpu = f"  CPU {f.cpu_median:.2f}"
        if f.cpu_floor is not None and f.cpu_ratio is not None:
            cpu += f" / {f.cpu_floor:.2f} = {f.cpu_ratio:.2f}x"
    print(f"  {f.name:<44} {f.median:9.2f} {f.unit:<3} {p}  {floor}  {ratio}  "
          f"goal {f.goal:<18} {verdict:<4} (n={f.runs}; floor: {f.floor_name}){cpu}"
          + (f"  [{f.note}]" if f.note else ""), flush=True)


def timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def timed_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    """(wall ms, CPU ms) of one call; CPU is this process's, every thread."""
    c0, t0 = time.process_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.process_time() - c0) * 1000


def within(limit: float) -> Callable[[Figure], bool]:
    """A goal on the ratio: wall and, where measured, CPU both at most ``limit``."""
    return lambda f: (f.ratio or 99) <= limit and (f.cpu_ratio is None or f.cpu_ratio <= limit)


# --- the machine ---------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    from importlib import metadata

    import sqlcipher3

    def version(dist: str) -> str | None:
        try:
            return metadata.version(dist)
        except metadata.PackageNotFoundError:
            return None

    conn = sqlcipher3.connect(":memory:")
    cipher = conn.execute("PRAGMA cipher_version").fetchone()
    conn.close()
    return {
        "cpus": os.cpu_count(),
        "load_average": os.getloadavg(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": sys.version.split()[0],
        "implementation": platform.python_implementation(),
        "sqlite": sqlcipher3.sqlite_version,
        "sqlcipher": cipher[0] if cipher else None,
        "qt_platform": os.environ.get("QT_QPA_PLATFORM"),
        "versions": {
            d: version(d)
            for d in ("PySide6-Essentials", "PySide6", "shiboken6", "SQLAlchemy", "sqlcipher3",
                      "alembic", "reportlab", "pyHanko", "cryptography")
        },
    }


# --- helpers -------------------------------------------------------------------------------


def env(**extra: str) -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(ROOT) + os.pathsep + e.get("PYTHONPATH", "")
    e.setdefault("QT_QPA_PLATFORM", "offscreen")
    e.update(extra)
    return e


LAUNCHER = Path(__file__).resolve().parent / "launcher.py"


def spawn_probe(argv: list[str], extra_env: dict[str, str], *, app: bool = False,
                mark: str | None = None) -> tuple[dict[str, float], float]:
    """Start ``argv`` through ``bench/launcher.py`` (never from this process: see there)
    and read back its figures: ms from the fork to the "main window painted" line
    (``painted``), to the app's "records opened" line (``opened``: store unlocked and open,
    workspace in place) and to exit (``exit``), the child's user + system CPU time
    (``cpu``, ms: steadier than wall time on a shared machine), and its peak RSS (MiB)."""
    done = subprocess.run([sys.executable, str(LAUNCHER), *argv], capture_output=True,
                          env=env(**extra_env), cwd=tempfile.gettempdir(), check=False)
    try:
        got = json.loads(done.stdout.decode().strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise RuntimeError(f"the launcher failed: {done.stderr.decode()[-2000:]}") from None
    marks = got["marks_ms"]
    if ("main window painted" not in marks or (app and "records opened" not in marks)
            or (mark is not None and mark not in marks)):
        raise RuntimeError(f"{argv} failed ({got['status']}): {done.stderr.decode()[-2000:]}")
    if got["launcher_rss_mib"] >= got["peak_rss_mib"]:
        raise RuntimeError("the launcher is larger than what it measured: the peak is "
                           "not the child's own")
    phases = {"painted": marks["main window painted"], "exit": got["exit_ms"],
              "cpu": got["cpu_ms"], "launcher_rss": got["launcher_rss_mib"],
              # Painted, then failed on the way out: counted and reported, not hidden.
              "failed_exit": float(got["status"] != 0)}
    if "records opened" in marks:
        phases["opened"] = marks["records opened"]
    if mark is not None:
        phases[mark] = marks[mark]
    for name, key in (("main window painted", "resident_painted"),
                      ("records opened", "resident_opened")):
        if got["resident_mib"].get(name) is not None:
            phases[key] = got["resident_mib"][name]
    return phases, float(got["peak_rss_mib"])


# --- 1 and 5: start-up and memory ----------------------------------------------------------


def bench_startup(year: gen.Generated, runs: int, label: str) -> None:
    """Start-up time, CPU time and memory of whole processes, each started by
    ``bench/launcher.py``: the app (``--exit-after-start``, passphrase start), a bare
    window, and a bare window that then derives a key with the same scrypt parameters."""
    from sendobserve.storage import keys, vault

    app_argv = [sys.executable, "-m", "sendobserve", "--data-dir", str(year.data_dir),
                "--exit-after-start"]
    bare_argv = [sys.executable, str(Path(__file__).resolve().parent / "bare_window.py")]
    key_file = keys.read_key_file(year.data_dir)
    cost = key_file.slots["passphrase"].scrypt
    kdf_argv = [*bare_argv, "--kdf", str(cost.n), str(cost.r), str(cost.p)]
    app_env = {"SENDOBSERVE_PASSPHRASE": gen.PASSPHRASE,
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
    # The first start of a day takes the daily backup (after the window shows): timed
    # separately, on a store whose (bench-made) backups are removed so that it happens.
    from sendobserve.storage.backup import backup_dir

    shutil.rmtree(backup_dir(year.data_dir), ignore_errors=True)
    first, first_rss = spawn_probe(app_argv, app_env, app=True)
    spawn_probe(bare_argv, {})
    runs_of: dict[str, list[float]] = {k: [] for k in (
        "app", "opened", "app_cpu", "app_rss", "app_resident", "bare", "bare_cpu", "bare_rss",
        "bare_resident", "kdf_bare", "kdf_bare_cpu", "kdf_bare_rss", "kdf", "open")}
    failed_exits = int(first["failed_exit"])
    for _ in range(runs):  # interleaved, so load from other processes hits all alike
        b, b_rss = spawn_probe(bare_argv, {})
        k, k_rss = spawn_probe(kdf_argv, {}, mark="key derived")
        a, a_rss = spawn_probe(app_argv, app_env, app=True)
        for key, value in (("bare", b["painted"]), ("bare_cpu", b["cpu"]), ("bare_rss", b_rss),
                           ("bare_resident", b["resident_painted"]),
                           ("kdf_bare", k["key derived"]), ("kdf_bare_cpu", k["cpu"]),
                           ("kdf_bare_rss", k_rss), ("app", a["painted"]),
                           ("opened", a["opened"]), ("app_cpu", a["cpu"]), ("app_rss", a_rss),
                           ("app_resident", a["resident_opened"])):
            runs_of[key].append(value)
        failed_exits += int(a["failed_exit"])
        # In this process, for the parts of "records opened": scrypt, then the open.
        t0 = time.perf_counter()
        unlocked = keys.unlock_key_file(key_file, gen.PASSPHRASE)
        t1 = time.perf_counter()
        vault.open_with_keys(year.data_dir, unlocked).close()
        runs_of["kdf"].append((t1 - t0) * 1000)
        runs_of["open"].append((time.perf_counter() - t1) * 1000)
    r = runs_of
    no_kdf = [o - statistics.median(r["kdf"]) for o in r["opened"]]
    what = f"{label}: {year.trainees} trainees, {year.marks} marks"
    kdf_floor = f"bare window + scrypt n=2^{cost.n.bit_length() - 1}"
    add(f"start-up to first paint ({label})", "ms", r["app"], "bare QMainWindow", r["bare"],
        "<= 1.5x floor", lambda f: (f.ratio or 0) <= 1.5,
        what + "; the real main window, 'Opening your records…', before unlock and open")
    add(f"start-up to records opened ({label})", "ms", r["opened"], kdf_floor, r["kdf_bare"],
        "-", None, "passphrase start: key derived (scrypt), store opened and checked, "
        "workspace in place", cpu=r["app_cpu"], cpu_floor=r["kdf_bare_cpu"])
    add(f"  records opened less scrypt ({label})", "ms", no_kdf, "bare QMainWindow", r["bare"],
        "-", None, "the same runs less the median scrypt time: about a start with the key "
        "in the OS keyring")
    add(f"  scrypt unlock, in the bench process ({label})", "ms", r["kdf"], "-", None, "-",
        None, f"deliberately slow key derivation (n=2^{cost.n.bit_length() - 1}, r={cost.r})")
    add(f"  open_with_keys, in the bench process ({label})", "ms", r["open"], "-", None, "-",
        None, "header, integrity checks, migration check, lock")
    add(f"first start of the day, paint ({label})", "ms", [first["painted"]], "bare QMainWindow",
        r["bare"], "-", None, "the daily backup is taken after the window shows")
    add(f"first start of the day, opened ({label})", "ms", [first["opened"]], kdf_floor,
        r["kdf_bare"], "-", None, "includes the daily backup")
    if failed_exits:
        not_measured(f"clean exit ({label})", f"{failed_exits} of {runs + 1} app runs painted "
                     "and then exited abnormally")
    add(f"peak RSS ({label})", "MiB", r["app_rss"], kdf_floor, r["kdf_bare_rss"],
        "<= 1.5x floor", lambda f: (f.ratio or 0) <= 1.5,
        "passphrase start, whole process, from the launcher; the key is derived in the app's "
        f"process, so the floor derives it too; first start of the day: {first_rss:.0f} MiB")
    add(f"  peak RSS against a bare window alone ({label})", "MiB", r["app_rss"],
        "bare QMainWindow", r["bare_rss"], "-", None,
        "for the record: not the goal's floor (the app derives its key in-process)")
    add(f"  resident once the records are open ({label})", "MiB", r["app_resident"],
        "bare QMainWindow, painted", r["bare_resident"], "-", None,
        "read by the launcher as the line arrives: what the app holds, scrypt's buffer "
        "freed; the store stack (SQLAlchemy, SQLCipher, cryptography, keyring, forms) and "
        "the workspace")


# --- 2: tick -------------------------------------------------------------------------------

KEY = bytes(range(32))


def raw_connection(path: Path, *, encrypted: bool) -> Any:
    import sqlcipher3

    conn = sqlcipher3.connect(str(path), isolation_level=None)
    if encrypted:
        conn.execute(f"PRAGMA key = \"x'{KEY.hex()}'\"")
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA synchronous = FULL")
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute(
        "CREATE TABLE IF NOT EXISTS marks (id INTEGER PRIMARY KEY, observation_id TEXT,"
        " criterion_id TEXT, state TEXT, note TEXT, marked_at TEXT, marked_by TEXT,"
        " UNIQUE (observation_id, criterion_id))"
    )
    return conn


def raw_tick(conn: Any, i: int) -> None:
    """One row's insert (or replace) and commit: the floor for a committed mark."""
    conn.execute("BEGIN")
    conn.execute(
        "INSERT OR REPLACE INTO marks (observation_id, criterion_id, state, note, marked_at,"
        " marked_by) VALUES (?, ?, ?, '', ?, 'bench')",
        ("0" * 32, f"c{i % 60}", "demonstrated" if i % 2 else "development_needed",
         "2026-11-01T11:00:00.000000+00:00"),
    )
    conn.execute("COMMIT")


@contextmanager
def tick_store() -> Iterator[tuple[Any, Any, list[str]]]:
    """A fresh store with one draft observation on Form 2: (store, observation, item ids)."""
    from datetime import date
    from decimal import Decimal

    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.domain import (
        Case,
        CaseKind,
        Mediator,
        Observer,
        ObserverRole,
        TraineeRole,
    )
    from sendobserve.storage import keys, vault
    from sendobserve.storage.repositories import (
        CaseRepository,
        FormVersionRepository,
        MediatorRepository,
        ObservationRepository,
        ObserverRepository,
    )

    with tempfile.TemporaryDirectory(prefix="sendobserve-bench-") as tmp:
        made = vault.initialise(Path(tmp) / "data", gen.PASSPHRASE,
                                scrypt=keys.ScryptParams(n=2**10))
        store = made.store
        try:
            form = FormRegistry.standard().latest("form2")
            FormVersionRepository(store.session).ensure(form)
            me = MediatorRepository(store.session).add(Mediator(gen._id("tick"), "Tick Bench"))
            who = ObserverRepository(store.session).add(
                Observer(gen._id("tick-observer"), "Observer", ObserverRole.MENTOR))
            case = CaseRepository(store.session).add(
                Case(gen._id("tick-case"), me.id, "T-1", date(2026, 10, 1), CaseKind.MEDIATION,
                     TraineeRole.CO_MEDIATING, Decimal(3)))
            obs = ObservationRepository(store.session).start(case.id, who.id, form.form_id,
                                                             form.version)
            yield store, obs, [i.id for i in form.tick_items()]
        finally:
            store.close()


def bench_tick(runs: int) -> None:
    """``set_mark`` alone, every call a change (so every call writes and commits), against
    a one-row raw commit (the strict floor) and against the same statements raw."""
    from datetime import UTC, datetime

    from sendobserve.model.domain import MarkState
    from sendobserve.storage.repositories import ObservationRepository
    from sendobserve.storage.repositories import observations as sql

    with tempfile.TemporaryDirectory(prefix="sendobserve-bench-") as tmp, tick_store() as (
        store, obs, items,
    ):
        conn = raw_connection(Path(tmp) / "floor.db", encrypted=True)
        repo = ObservationRepository(store.session)
        states = (MarkState.DEMONSTRATED, MarkState.DEVELOPMENT_NEEDED)
        now = {item: MarkState.NOT_YET_SEEN for item in items}
        # The same transaction, raw: on a second draft of the same store, over a connection
        # held open (no pool), with the repository's own statements and nothing around them.
        other = repo.start(obs.case_id, obs.observer_id, obs.form_id, obs.form_version)
        pooled = store.engine.raw_connection()
        raw: Any = pooled.driver_connection
        raw_now = {item: "not_yet_seen" for item in items}

        def tick(item: str) -> None:
            state = states[0] if now[item] is not states[0] else states[1]
            now[item] = repo.set_mark(obs.id, item, state, by="bench").state
            if now[item] is not state:
                raise RuntimeError("set_mark did not set the state asked for")

        def raw_same(item: str) -> None:
            oid = other.id.hex
            new = "demonstrated" if raw_now[item] != "demonstrated" else "development_needed"
            at = datetime.now(UTC).isoformat(timespec="microseconds")
            raw.execute("BEGIN")
            raw.execute(sql._TICK_READ, (item, oid)).fetchone()
            raw.execute(sql._TICK_UPSERT, (oid, item, new, "", at, "bench"))
            raw.execute(sql._TICK_EVENT, (oid, item, "tick", raw_now[item], new, "", "", at,
                                          "bench"))
            raw.execute(sql._TICK_TOUCH, (at, oid))
            raw.execute("COMMIT")
            raw_now[item] = new

        for i in range(20):  # warm all three
            raw_tick(conn, i)
            tick(items[i % len(items)])
            raw_same(items[i % len(items)])
        events_before = len(repo.history(obs.id))
        got: dict[str, list[tuple[float, float]]] = {"floor": [], "subject": [], "same": []}
        for i in range(runs):  # interleaved, so load from other processes hits all alike
            got["floor"].append(timed_cpu(lambda i=i: raw_tick(conn, i)))
            got["subject"].append(timed_cpu(lambda i=i: tick(items[i % len(items)])))
            got["same"].append(timed_cpu(lambda i=i: raw_same(items[i % len(items)])))
        written = len(repo.history(obs.id)) - events_before
        pooled.close()
        conn.close()
    if written != runs:
        raise RuntimeError(f"{runs} timed calls wrote {written} undo events")

    def wall(key: str) -> list[float]:
        return [w for w, _ in got[key]]

    def cpu(key: str) -> list[float]:
        return [c for _, c in got[key]]

    add("tick: ObservationRepository.set_mark", "ms", wall("subject"),
        "raw sqlcipher3 insert+commit", wall("floor"), "<= 2x wall+CPU, p99 < 16",
        lambda f: within(2)(f) and (f.p99 or 99) < 16,
        f"the repository call alone; each of the {runs} calls changed a state and "
        "committed mark + undo event + updated_at", cpu=cpu("subject"), cpu_floor=cpu("floor"))
    add("  set_mark against the same statements raw", "ms", wall("subject"),
        "its transaction as raw SQL", wall("same"), "-", None,
        "what the repository adds to its own SQL: a pooled connection, Python, the Mark",
        cpu=cpu("subject"), cpu_floor=cpu("same"))


def bench_tick_checklist(runs: int) -> None:
    """Key press on the real checklist page (offscreen) through the repaint of the ticked
    row and the "Saved" line; every timed press changes the item's state. Beside it, the
    same presses on ``floor_tick.BareTick``."""
    from datetime import date
    from decimal import Decimal

    import floor_tick

    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QApplication

    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.domain import CaseKind, MarkState, ObserverRole, TraineeRole
    from sendobserve.services.store_workspace import StoreWorkspaceService
    from sendobserve.storage import keys, vault
    from sendobserve.storage.repositories import ObservationRepository
    from sendobserve.ui.observation.page import ObservationPage
    from sendobserve.ui.observation.session import ObservationSession

    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    key_for = {MarkState.DEMONSTRATED: Qt.Key.Key_1, MarkState.DEVELOPMENT_NEEDED: Qt.Key.Key_2,
               MarkState.NOT_APPLICABLE: Qt.Key.Key_3}
    with tempfile.TemporaryDirectory(prefix="sendobserve-bench-") as tmp:
        store = vault.initialise(Path(tmp) / "data", gen.PASSPHRASE,
                                 scrypt=keys.ScryptParams(n=2**10)).store
        conn = raw_connection(Path(tmp) / "floor.db", encrypted=True)
        try:
            service = StoreWorkspaceService(store.session, FormRegistry.standard(),
                                            lambda _p: False, lambda: "Bench")
            mediator = service.add_mediator("Bench Trainee")
            case = service.add_case(mediator.id, "BENCH-1", date(2026, 1, 5),
                                    CaseKind.MEDIATION, TraineeRole.LEADING, Decimal("3"))
            observer = service.observer_named("Bench", ObserverRole.PPC)
            observation = service.start_observation(case.id, observer.id, "form2", 1,
                                                    date(2026, 1, 5))
            session = ObservationSession(service, observation)
            page = ObservationPage(session, "bench")
            page.resize(1280, 800)
            page.show()
            for _ in range(5):
                app.processEvents()
            model, view = session.model, page.view
            texts = [model.index_of(i).data() for i in model.item_ids()]
            bare, bare_press = floor_tick.bare_tick(app, texts, lambda n: raw_tick(conn, n))
            spy = floor_tick.PaintSpy({"row": view.viewport(), "saved": page.save_state})

            def tick() -> tuple[float, float]:
                item = view.current_item_id()
                assert item is not None
                now = model.state_of(item)
                state = (MarkState.DEMONSTRATED if now is not MarkState.DEMONSTRATED
                         else MarkState.DEVELOPMENT_NEEDED)
                timing = floor_tick.press(app, view, key_for[state], spy,
                                          lambda: view.visualRect(view.currentIndex()).intersected(
                                              view.viewport().rect()), page.save_state)
                if (model.state_of(item) is not state or session.status_text != "Saved"
                        or page.save_state.text() != "<b>✓ Saved</b>"):
                    raise RuntimeError("a timed key press did not commit and show its state")
                return timing

            def move(n: int) -> None:  # down the list and back, untimed
                floor_tick.QTest.keyClick(view, Qt.Key.Key_J if (n // 38) % 2 == 0
                                          else Qt.Key.Key_K)
                app.processEvents()

            for n in range(20):  # warm both
                bare_press()
                tick()
                move(n)
            before = len(ObservationRepository(store.session).history(observation.id))
            subject, floor, subject_cpu, floor_cpu = [], [], [], []
            commit_only = []
            for n in range(runs):  # interleaved, so load from other processes hits all alike
                w, c = bare_press()
                floor.append(w)
                floor_cpu.append(c)
                w, c = tick()
                subject.append(w)
                subject_cpu.append(c)
                commit_only.append(timed_cpu(lambda n=n: raw_tick(conn, n)))
                move(n)
            written = len(ObservationRepository(store.session).history(observation.id)) - before
            page.close()
            bare.close()
        finally:
            conn.close()
            store.close()
    if written != runs:
        raise RuntimeError(f"{runs} timed key presses committed {written} marks")
    add("tick: key press through the repaint", "ms", subject,
        "bare tick: Qt view + raw commit", floor, "<= 2x wall+CPU, p99 < 16",
        lambda f: within(2)(f) and (f.p99 or 99) < 16,
        f"QTest key press on the real checklist page until the ticked row is painted (and "
        f"the Saved line, had it changed); {runs} presses, each changed a state, committed "
        f"and left the line reading Saved",
        cpu=subject_cpu, cpu_floor=floor_cpu)
    add("  the same presses against a commit alone", "ms", subject,
        "raw sqlcipher3 insert+commit", [w for w, _ in commit_only], "-", None,
        "for comparison: a floor without any repaint",
        cpu=subject_cpu, cpu_floor=[c for _, c in commit_only])


# --- 3: readiness at organisation scale ----------------------------------------------------


def bench_readiness(org: gen.Generated, runs_one: int, runs_all: int) -> None:
    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.readiness import assess_readiness
    from sendobserve.storage import vault
    from sendobserve.storage.engine import raw_connect
    from sendobserve.storage.repositories import (
        load_practice_record,
        load_practice_records,
        practice_summaries,
    )

    forms = FormRegistry.standard()
    unlocked = vault.unlock(org.data_dir, gen.PASSPHRASE)
    store = vault.open_with_keys(org.data_dir, unlocked)
    raw = raw_connect(store.path, unlocked.current, mode="ro")
    rnd = random.Random(1)
    what = f"{org.trainees} trainees, {org.observations} observations, {org.marks} marks"
    try:
        def one(mid: Any) -> None:
            with store.session() as s:
                assess_readiness(load_practice_record(s, mid), forms, today=gen.TODAY)

        # The floors are decrypting scans: the rows each figure needs, read from the
        # encrypted file into Python tuples and nothing else (no aggregation, no objects).
        one_floor_sql = (
            "SELECT m.observation_id, m.criterion_id, m.state FROM observations o"
            " JOIN marks m ON m.observation_id = o.id WHERE o.mediator_id = ?")
        one(org.mediator_ids[0])
        subject, floor, subject_cpu, floor_cpu = [], [], [], []
        for _ in range(runs_one):
            mid = org.mediator_ids[rnd.randrange(org.trainees)]
            w, c = timed_cpu(lambda mid=mid: raw.execute(one_floor_sql, (mid.hex,)).fetchall())
            floor.append(w)
            floor_cpu.append(c)
            w, c = timed_cpu(lambda mid=mid: one(mid))
            subject.append(w)
            subject_cpu.append(c)
        add("readiness: one trainee (load + assess)", "ms", subject,
            "decrypting read of the trainee's marks", floor, "<= 50 ms",
            lambda f: f.median <= 50, what, cpu=subject_cpu, cpu_floor=floor_cpu)

        # Parts of one trainee's report, to see where the time goes.
        mid = org.mediator_ids[0]
        with store.session() as s:
            rec = load_practice_record(s, mid)
        load_only = []
        for _ in range(max(5, runs_one // 4)):
            def load() -> None:
                with store.session() as s:
                    load_practice_record(s, mid)
            load_only.append(timed(load))
        assess_only = [timed(lambda: assess_readiness(rec, forms, today=gen.TODAY))
                       for _ in range(max(5, runs_one // 4))]
        add("  of which load_practice_record", "ms", load_only, "-", None, "-", None,
            f"{len(rec.marks)} marks, {len(rec.observations)} observations")
        add("  of which assess_readiness", "ms", assess_only, "-", None, "-", None)

        def scan_all() -> None:
            raw.execute("SELECT id, mediator_id, form_id FROM observations").fetchall()
            raw.execute("SELECT observation_id, criterion_id, state FROM marks").fetchall()

        def scan_summaries() -> None:
            raw.execute("SELECT id FROM mediators").fetchall()
            raw.execute("SELECT mediator_id, casework_hours, case_date FROM cases").fetchall()
            raw.execute("SELECT mediator_id, state, observed_on FROM observations").fetchall()
            raw.execute("SELECT mediator_id, kind, hours FROM training").fetchall()

        def every() -> None:
            with store.session() as s:
                records = load_practice_records(s)
            for r in records.values():
                assess_readiness(r, forms, today=gen.TODAY)

        def summary() -> None:
            with store.session() as s:
                practice_summaries(s)

        samples: dict[str, list[float]] = {k: [] for k in (
            "all", "all_cpu", "floor", "floor_cpu", "sum", "sum_cpu", "sfloor", "sfloor_cpu")}
        for _ in range(runs_all):
            for key, fn in (("floor", scan_all), ("all", every), ("sfloor", scan_summaries),
                            ("sum", summary)):
                w, c = timed_cpu(fn)
                samples[key].append(w)
                samples[key + "_cpu"].append(c)
        add("readiness: all trainees (load + assess)", "ms", samples["all"],
            "decrypting scan of every observation and mark", samples["floor"], "<= 2000 ms",
            lambda f: f.median <= 2000, what, cpu=samples["all_cpu"],
            cpu_floor=samples["floor_cpu"])
        add("practice_summaries: all trainees", "ms", samples["sum"],
            "decrypting scan of the rows it reads", samples["sfloor"], "<= 2000 ms",
            lambda f: f.median <= 2000, "counts and hours, no marks", cpu=samples["sum_cpu"],
            cpu_floor=samples["sfloor_cpu"])
    finally:
        raw.close()
        store.close()


# --- 4: PDF --------------------------------------------------------------------------------


class PdfFloor:
    """The floor for a PDF: ReportLab alone setting the same words in the same embedded
    fonts, page for page. Built from the real PDF: its text, page by page, as plain
    paragraphs (one per line of text), each in one of the embedded TrueType fonts the real
    document uses (so the same fonts are subset and embedded), a page break after each
    page's text. No tables, rules, colours, drawings or signatures: the least work that
    puts this text on these pages in these fonts."""

    def __init__(self, pdf: bytes) -> None:
        import io
        from xml.sax.saxutils import escape

        from pypdf import PdfReader

        from sendobserve.reports import styles

        styles.register_fonts()
        reader = PdfReader(io.BytesIO(pdf))
        used: set[str] = set()
        for page in reader.pages:
            fonts = page.get("/Resources", {}).get("/Font", {})
            for ref in fonts.values():
                used.add(str(ref.get_object().get("/BaseFont", "")))
        # ReportLab names an embedded subset after the font ("AAAAAA+SO-Sans-Bold" or the
        # file's own name): keep every registered font whose name or file appears.
        registered = {name: Path(file).stem for name, file in styles._FONT_FILES.items()}
        self.fonts = sorted(n for n, stem in registered.items()
                            if any(n in u or stem in u for u in used)) or [styles.SANS]
        self.pages = [[escape(line) for line in (page.extract_text() or "").splitlines()
                       if line.strip()] for page in reader.pages]
        self.page_count = len(self.pages)
        self.lines = sum(len(p) for p in self.pages)

    def build(self) -> bytes:
        import io

        from reportlab.lib.pagesizes import A4
        from reportlab.lib.styles import ParagraphStyle
        from reportlab.platypus import PageBreak, Paragraph, SimpleDocTemplate

        looks = [ParagraphStyle(f"floor{i}", fontName=f, fontSize=8.5, leading=10.5)
                 for i, f in enumerate(self.fonts)]
        story: list[Any] = []
        for lines in self.pages:
            story.extend(Paragraph(line, looks[i % len(looks)]) for i, line in enumerate(lines))
            story.append(PageBreak())
        out = io.BytesIO()
        SimpleDocTemplate(out, pagesize=A4, leftMargin=36, rightMargin=36, topMargin=36,
                          bottomMargin=36).build(story)
        return out.getvalue()


def bench_pdf(org: gen.Generated, runs: int) -> None:
    try:
        from sendobserve.reports import build, certificate, portfolio
    except ImportError:
        for name in ("pdf: Form 4 certificate", "pdf: 30-observation portfolio"):
            not_measured(name, "the PDF reports are not on main")
        return
    from dataclasses import replace
    from datetime import date

    from sendobserve.demo import READY, build_demo
    from sendobserve.forms.registry import FormRegistry
    from sendobserve.model.domain import ObserverRole
    from sendobserve.model.readiness import assess_readiness
    from sendobserve.storage import vault
    from sendobserve.storage.repositories import load_practice_record

    forms = FormRegistry.standard()
    today = date(2026, 11, 1)
    # Form 4: the demo's ready trainee (a real, complete practice period).
    record = build_demo(forms, today=today).by_name(READY)
    report = assess_readiness(record, forms, today=today)
    signer = report.eligible_signers[0]
    identity = build.certificate_identity("SO4-2026-000001", form_number=4,
                                          mediator_name=record.mediator.name, issued_on=today,
                                          signer_name=signer.name, key=bytes(32))
    content = build.form4_content(record, report, signer=signer, issued_on=today,
                                  identity=identity, organisation="Bench Mediation")
    pdf = certificate.form4_pdf(content)  # loads ReportLab, fonts and styles
    cert_floor = PdfFloor(pdf)
    cert_floor.build()
    subject, floor, subject_cpu, floor_cpu = [], [], [], []
    for _ in range(runs):
        w, c = timed_cpu(cert_floor.build)
        floor.append(w)
        floor_cpu.append(c)
        w, c = timed_cpu(lambda: certificate.form4_pdf(content))
        subject.append(w)
        subject_cpu.append(c)
    add("pdf: Form 4 certificate (build)", "ms", subject,
        f"ReportLab, same text and fonts, {cert_floor.page_count} page(s)", floor,
        "<= 150 ms", lambda f: f.median <= 150,
        f"libraries loaded; content from the demo's ready trainee; floor: "
        f"{cert_floor.lines} lines in {', '.join(cert_floor.fonts)}",
        cpu=subject_cpu, cpu_floor=floor_cpu)

    # Portfolio: a generated trainee from the organisation store, cut to 10 cases (30 obs).
    store = vault.open_with_keys(org.data_dir, vault.unlock(org.data_dir, gen.PASSPHRASE))
    try:
        with store.session() as s:
            full = load_practice_record(s, org.mediator_ids[0])
    finally:
        store.close()
    cases = full.cases[:10]
    keep = {c.id for c in cases}
    observations = tuple(o for o in full.observations if o.case_id in keep)
    kept = {o.id for o in observations}
    thirty = replace(full, cases=cases, observations=observations,
                     marks=tuple(m for m in full.marks if m.observation_id in kept))
    rep30 = assess_readiness(thirty, forms, today=gen.TODAY)
    verifier = next(o for o in thirty.observers if o.role is ObserverRole.PPC)
    pc = build.portfolio_content(thirty, rep30, forms, verified_by=verifier,
                                 prepared_on=gen.TODAY, organisation="Bench Mediation")
    pdf = portfolio.portfolio_pdf(pc)
    folio_floor = PdfFloor(pdf)
    pages = folio_floor.page_count
    subject, floor, subject_cpu, floor_cpu = [], [], [], []
    for _ in range(max(3, runs // 4)):
        w, c = timed_cpu(folio_floor.build)
        floor.append(w)
        floor_cpu.append(c)
        w, c = timed_cpu(lambda: portfolio.portfolio_pdf(pc))
        subject.append(w)
        subject_cpu.append(c)
    add(f"pdf: portfolio, {len(observations)} observations", "ms", subject,
        f"ReportLab, same text and fonts, {pages} pages", floor, "<= 3000 ms",
        lambda f: f.median <= 3000,
        f"{pages} pages, {len(thirty.marks)} marks; floor: {folio_floor.lines} lines in "
        f"{', '.join(folio_floor.fonts)}", cpu=subject_cpu, cpu_floor=floor_cpu)
    content_ms = [timed(lambda: build.portfolio_content(
        thirty, rep30, forms, verified_by=verifier, prepared_on=gen.TODAY))
        for _ in range(max(3, runs // 4))]
    add("  portfolio content (no PDF)", "ms", content_ms, "-", None, "-", None,
        "readiness report to content objects")


# --- 6: encryption overhead ----------------------------------------------------------------


def bench_encryption(runs: int, bulk_rows: int) -> None:
    """The same work on SQLCipher (keyed) and on plain SQLite (same library, no key):
    writes (single-row commits, one bulk commit) and reads (a full scan and point lookups,
    each on a fresh connection, so every page read is read from the file and decrypted)."""
    rows = [(f"{i // 60:032x}", f"c{i % 60}", "demonstrated", "", "2026-11-01T11:00:00", "b")
            for i in range(bulk_rows)]
    lookups = random.Random(2).sample(range(bulk_rows), min(1000, bulk_rows))

    def commits(folder: Path, encrypted: bool) -> tuple[float, float]:
        conn = raw_connection(folder / "c.db", encrypted=encrypted)
        w, c = timed_cpu(lambda: [raw_tick(conn, i) for i in range(runs)])
        conn.close()
        return w / runs, c / runs

    def bulk(path: Path, encrypted: bool) -> tuple[float, float]:
        conn = raw_connection(path, encrypted=encrypted)

        def go() -> None:
            conn.execute("BEGIN")
            conn.execute("DELETE FROM marks")
            conn.executemany(
                "INSERT INTO marks (observation_id, criterion_id, state, note, marked_at,"
                " marked_by) VALUES (?, ?, ?, ?, ?, ?)", rows)
            conn.execute("COMMIT")
        timing = timed_cpu(go)
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        conn.close()
        return timing

    def scan(path: Path, encrypted: bool) -> tuple[float, float]:
        conn = raw_connection(path, encrypted=encrypted)  # fresh: an empty page cache
        timing = timed_cpu(lambda: conn.execute("SELECT * FROM marks").fetchall())
        conn.close()
        return timing

    def scan_in_sqlite(path: Path, encrypted: bool) -> tuple[float, float]:
        conn = raw_connection(path, encrypted=encrypted)  # every row read, none to Python
        timing = timed_cpu(lambda: conn.execute("SELECT max(marked_at) FROM marks").fetchall())
        conn.close()
        return timing

    def points(path: Path, encrypted: bool) -> tuple[float, float]:
        conn = raw_connection(path, encrypted=encrypted)

        def go() -> None:
            for i in lookups:
                conn.execute("SELECT state FROM marks WHERE observation_id = ? AND"
                             " criterion_id = ?", (f"{i // 60:032x}", f"c{i % 60}")).fetchone()
        timing = timed_cpu(go)
        conn.close()
        return timing

    got: dict[tuple[str, bool], list[tuple[float, float]]] = {}
    with tempfile.TemporaryDirectory(prefix="sendobserve-bench-") as tmp:
        for _ in range(5):  # alternated, so load from other processes hits both alike
            for encrypted in (False, True):
                folder = Path(tempfile.mkdtemp(dir=tmp))
                path = folder / "w.db"
                got.setdefault(("commit", encrypted), []).append(commits(folder, encrypted))
                got.setdefault(("bulk", encrypted), []).append(bulk(path, encrypted))
                got.setdefault(("scan", encrypted), []).append(scan(path, encrypted))
                got.setdefault(("sqlscan", encrypted), []).append(scan_in_sqlite(path,
                                                                                 encrypted))
                got.setdefault(("points", encrypted), []).append(points(path, encrypted))
                shutil.rmtree(folder)

    def figure(name: str, what: str, note: str) -> None:
        enc, plain = got[(what, True)], got[(what, False)]
        add(name, "ms", [w for w, _ in enc], "same on plain SQLite", [w for w, _ in plain],
            "-", None, note, cpu=[c for _, c in enc], cpu_floor=[c for _, c in plain])

    figure("encryption, write: single-row commit", "commit",
           f"mean of {runs} commits per sample; WAL, synchronous=FULL both")
    figure(f"encryption, write: {bulk_rows} rows in one commit", "bulk", "")
    figure(f"encryption, read: {bulk_rows} rows into Python", "scan",
           "fresh connection: every page read from the file (the OS's cache) and decrypted")
    figure(f"encryption, read: {bulk_rows} rows scanned in SQLite", "sqlscan",
           "the same pages, no rows to Python: decryption's share of a read")
    figure(f"encryption, read: {len(lookups)} lookups by key", "points",
           "fresh connection, random rows")


# --- main ----------------------------------------------------------------------------------


def main() -> int:
    parser = argparse.ArgumentParser(description="sendobserve benchmarks (see the docstring)")
    parser.add_argument("--quick", action="store_true", help="small stores, few repeats")
    parser.add_argument("--only", nargs="*", default=None,
                        choices=["startup", "tick", "readiness", "pdf", "encryption", "panel"])
    parser.add_argument("--out", default=str(RESULTS / "latest.json"))
    args = parser.parse_args()
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    only = set(args.only or ["startup", "tick", "readiness", "pdf", "encryption"])
    q = args.quick
    started = time.perf_counter()
    info = machine()
    print(f"sendobserve bench ({'quick' if q else 'full'}): {info['cpus']} CPUs, "
          f"load {info['load_average'][0]:.2f}, Python {info['python']}, "
          f"SQLCipher {info['sqlcipher']}, PySide6 {info['versions']['PySide6-Essentials']}",
          flush=True)
    stores: dict[str, Any] = {}
    if only & {"startup", "readiness", "pdf"}:
        year = gen.cached(10 if q else 50)
        org = gen.cached(50 if q else 500)
        for label, g in (("year", year), ("org", org)):
            stores[label] = {"trainees": g.trainees, "observations": g.observations,
                             "marks": g.marks, "generated_in_s": round(g.seconds, 1),
                             "generator_version": gen.GENERATOR_VERSION}
            if g.seconds:
                print(f"  generated the {label} store: {g.marks} marks in {g.seconds:.1f} s")
    if "startup" in only:
        bench_startup(year, 3 if q else 9, "year store")
        if not q:
            bench_startup(org, 5, "org store")
    if "tick" in only:
        bench_tick(100 if q else 500)
        bench_tick_checklist(100 if q else 500)
    if "readiness" in only:
        bench_readiness(org, 20 if q else 60, 2 if q else 3)
    if "pdf" in only:
        bench_pdf(org, 5 if q else 20)
    if "encryption" in only:
        bench_encryption(50 if q else 200, 20_000 if q else 100_000)
    if "panel" in only:  # bench/panel.py: the 5,000-trainee store (500 with --quick)
        from panel import bench_panel

        stores["panel"] = bench_panel(add, q)
    elapsed = time.perf_counter() - started
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({
        "mode": "quick" if q else "full",
        "finished_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "seconds": round(elapsed, 1),
        "load_average_at_end": os.getloadavg(),
        "machine": info,
        "stores": stores,
        "figures": [
            {**asdict(f), "ratio": f.ratio, "cpu_ratio": f.cpu_ratio}
            if isinstance(f, Figure) else asdict(f)
            for f in FIGURES
        ],
    }, indent=2) + "\n")
    missed = [f.name for f in FIGURES if isinstance(f, Figure) and f.ok is False]
    print(f"done in {elapsed:.0f} s, load {os.getloadavg()[0]:.2f} at the end; wrote {out}"
          + (f"; goals missed: {len(missed)}" if missed else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
