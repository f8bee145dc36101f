"""The panel figures (``bench/run.py --only panel``), on a 5,000-trainee store.

* records opened with the key in hand (scrypt apart), floor: a raw keyed connection
  reading its first page;
* the dashboard of every trainee (stored verdicts read, the stale ones assessed again,
  one row each), floor: a decrypting scan of the stored verdicts;
* one trainee's readiness (load + assess) and one stored verdict;
* what keeping verdicts current adds to a tick (the triggers' UPDATE), by ticking with
  and without them;
* peak memory of a process that opens the store and fills the dashboard's Qt model.

The 5,000-trainee store comes from ``bench/gen.py`` (cached); ``prepare`` migrates it and
assesses every verdict once (the first read of a panel), timing that, and leaves a
marker so later runs reuse it. ``--quick`` uses the 500-trainee store.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import gen  # noqa: E402

PANEL_TRAINEES = 5000


def _timed(fn: Callable[[], object]) -> float:
    t0 = time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000


def _timed_cpu(fn: Callable[[], object]) -> tuple[float, float]:
    """Wall and thread CPU milliseconds of one call."""
    c0, t0 = time.thread_time(), time.perf_counter()
    fn()
    return (time.perf_counter() - t0) * 1000, (time.thread_time() - c0) * 1000


def prepare(trainees: int, *, log: Callable[[str], None] = print) -> tuple[gen.Generated,
                                                                            dict[str, Any]]:
    """The cached store of this size, migrated, with every verdict assessed once."""
    from sendobserve.model.panel import RULES_FINGERPRINT
    from sendobserve.storage import vault
    from sendobserve.storage.repositories import load_registry, panel_verdicts

    g = gen.cached(trainees)
    marker = g.data_dir.parent / f"panel-{RULES_FINGERPRINT}.json"
    if marker.exists():
        return g, json.loads(marker.read_text())
    log(f"  preparing the {trainees}-trainee store for the panel (once per rules version)")
    unlocked = vault.unlock(g.data_dir, gen.PASSPHRASE)
    t0 = time.perf_counter()
    store = vault.open_with_keys(g.data_dir, unlocked)
    opened = time.perf_counter() - t0
    try:
        forms = load_registry(store.session)
        t1 = time.perf_counter()
        last = [0.0]

        def progress(done: int, total: int) -> None:
            if time.perf_counter() - last[0] > 30:
                last[0] = time.perf_counter()
                log(f"    assessed {done} of {total} verdicts")

        verdicts = panel_verdicts(store.session, forms, today=gen.TODAY, progress=progress)
        assessed = time.perf_counter() - t1
    finally:
        store.close()
    facts = {"first_open_s": round(opened, 1), "first_panel_s": round(assessed, 1),
             "verdicts": len(verdicts), "rules": RULES_FINGERPRINT}
    for old in g.data_dir.parent.glob("panel-*.json"):
        old.unlink()
    marker.write_text(json.dumps(facts) + "\n")
    log(f"    first open (migration, backups) {opened:.0f} s; every verdict assessed in "
        f"{assessed:.0f} s")
    return g, facts


def dashboard_child(data_dir: str, mode: str) -> None:
    """Run in a fresh process for peak memory: open, then (mode 'panel') fill the model."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication

    from sendobserve.storage import integrity, vault

    app = QApplication([])
    integrity.defer_whole_file_checks()  # as the app does
    store = vault.open_with_keys(Path(data_dir), vault.unlock(Path(data_dir), gen.PASSPHRASE))
    # scrypt's 128 MiB would mask everything after it: the peak is reset once the store is
    # open (Linux: "5" to clear_refs), so both modes report their peak from here on.
    Path("/proc/self/clear_refs").write_text("5")
    try:
        if mode == "panel":
            from sendobserve.storage.repositories import load_registry, panel_verdicts
            from sendobserve.ui.panel.model import PanelTableModel

            forms = load_registry(store.session)
            verdicts = panel_verdicts(store.session, forms, today=gen.TODAY)
            model = PanelTableModel()
            model.set_verdicts(verdicts, gen.TODAY)
            assert model.rowCount() == len(verdicts)
    finally:
        store.close()
    del app
    # Our own high-water mark: a spawned child's ru_maxrss starts from its parent's.
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            print(f"peak-rss-kib {line.split()[1]}", flush=True)


def window_child(data_dir: str, mode: str) -> None:
    """Run in a fresh process: open the store, then time the panel window (mode 'window')
    or the floor (mode 'floor': a bare QTableView on a minimal table model of the same
    rows, read by the same SELECT) from the moment it is asked for until its rows have
    been painted. Offscreen; prints wall and process CPU milliseconds."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QAbstractTableModel, QEvent, QModelIndex, QObject, Qt, QTimer
    from PySide6.QtWidgets import QApplication, QTableView

    from sendobserve.storage import integrity, vault
    from sendobserve.storage.repositories.panel import SELECT_VERDICTS
    from sendobserve.ui.common.tasks import Runner

    app = QApplication([])
    integrity.defer_whole_file_checks()
    store = vault.open_with_keys(Path(data_dir), vault.unlock(Path(data_dir), gen.PASSPHRASE))
    from sendobserve.ui.panel.view import PanelView
    from sendobserve.ui.panel.window import panel_loader

    stamps: dict[str, float] = {}

    class Painted(QObject):
        """Stamps the end of the first paint of the table's viewport that shows rows."""

        def __init__(self, rows: Callable[[], int]) -> None:
            super().__init__()
            self.rows = rows

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if (event.type() == QEvent.Type.Paint and self.rows() > 0
                    and "painted" not in stamps):
                QTimer.singleShot(0, lambda: stamps.setdefault("painted", time.perf_counter()))
            return False

    class Rows(QAbstractTableModel):
        def __init__(self, rows: list[Any]) -> None:
            super().__init__()
            self._rows = rows

        def rowCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return len(self._rows)

        def columnCount(self, parent: Any = QModelIndex()) -> int:  # noqa: B008
            return 7

        def data(self, index: Any, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self._rows[index.row()][index.column() + 2])
            return None

    runner = Runner()
    cpu0, t0 = time.process_time(), time.perf_counter()
    if mode == "window":
        today = lambda: gen.TODAY  # noqa: E731 - the day the verdicts were assessed for
        view = PanelView(panel_loader(store, today), runner, today=today)
        view.resize(1100, 640)
        table = view.table
        view.table.viewport().installEventFilter(filt := Painted(view.model.rowCount))
        view.show()
        view.reload()
    else:
        def read() -> list[Any]:
            with store.engine.connect() as conn:
                return list(conn.exec_driver_sql(SELECT_VERDICTS).fetchall())

        table = QTableView()
        table.resize(1100, 640)
        model = Rows([])
        table.setModel(model)
        table.viewport().installEventFilter(filt := Painted(model.rowCount))
        table.show()

        def show(rows: list[Any]) -> None:
            model.beginResetModel()
            model._rows = rows
            model.endResetModel()

        runner.op(read).success(show).run()
    deadline = time.perf_counter() + 120
    while "painted" not in stamps and time.perf_counter() < deadline:
        app.processEvents()
        time.sleep(0.001)
    if "painted" not in stamps:
        raise RuntimeError("no rows painted in 120 s" + (
            f": {view.summary.text()}" if mode == "window" else ""))
    wall = (stamps["painted"] - t0) * 1000
    cpu = (time.process_time() - cpu0) * 1000
    rows = view.model.rowCount() if mode == "window" else table.model().rowCount()
    del filt
    store.close()
    print(f"window-ms {wall:.1f} {cpu:.1f} {rows}", flush=True)


def _window_time(data_dir: Path, mode: str) -> tuple[float, float, int]:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--window", str(data_dir), mode],
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the {mode} child failed: {proc.stderr[-2000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("window-ms "))
    wall, cpu, rows = line.split()[1:]
    return float(wall), float(cpu), int(rows)


def _peak_rss(data_dir: Path, mode: str) -> float:
    env = dict(os.environ)
    env["PYTHONPATH"] = str(HERE.parent) + os.pathsep + env.get("PYTHONPATH", "")
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    proc = subprocess.run([sys.executable, str(Path(__file__)), "--child", str(data_dir), mode],
                          env=env, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"the {mode} child failed: {proc.stderr[-2000:]}")
    line = next(x for x in proc.stdout.splitlines() if x.startswith("peak-rss-kib "))
    return int(line.split()[1]) / 1024


def bench_panel(add: Callable[..., Any], quick: bool,
                log: Callable[[str], None] = print) -> dict[str, Any]:
    from sendobserve.model.domain import MarkState
    from sendobserve.model.panel import panel_row
    from sendobserve.model.readiness import assess_readiness
    from sendobserve.storage import keys, vault
    from sendobserve.storage.engine import db_path, raw_connect
    from sendobserve.storage.repositories import (
        CaseRepository,
        ObservationRepository,
        ObserverRepository,
        load_practice_record,
        load_registry,
        panel_verdicts,
        verdict_for,
    )
    from sendobserve.storage.repositories.panel import SELECT_VERDICTS

    trainees = 500 if quick else PANEL_TRAINEES
    g, facts = prepare(trainees, log=log)
    runs = 3 if quick else 7
    what = f"{g.trainees} trainees, {g.marks:,} marks"
    today = gen.TODAY

    unlocked = vault.unlock(g.data_dir, gen.PASSPHRASE)
    key = unlocked.current

    def raw_open() -> None:
        conn = raw_connect(db_path(g.data_dir), key, mode="ro")
        conn.execute("SELECT count(*) FROM sqlite_master").fetchall()
        conn.close()

    t0 = time.perf_counter()
    keys.unlock_key_file(keys.read_key_file(g.data_dir), gen.PASSPHRASE)
    scrypt_ms = (time.perf_counter() - t0) * 1000
    from sendobserve.storage import integrity

    opened, floor = [], []
    integrity.defer_whole_file_checks()  # as the app does: the checks run after opening
    try:
        for _ in range(runs):
            floor.append(_timed(raw_open))
            t0 = time.perf_counter()
            store = vault.open_with_keys(g.data_dir, unlocked)
            opened.append((time.perf_counter() - t0) * 1000)
            store.close()
        store = vault.open_with_keys(g.data_dir, unlocked)
        try:
            checks = [_timed(lambda: integrity.run_deferred_checks(store, daily_backup=False))]
        finally:
            store.close()
    finally:
        integrity.defer_whole_file_checks(False)
    add(f"panel: records opened, key in hand ({g.trainees})", "ms", opened,
        "raw keyed connection, first page", floor, "<= 1000 ms", lambda f: f.median <= 1000,
        f"{what}; scrypt apart: {scrypt_ms:.0f} ms; whole-file checks deferred")
    add(f"  whole-file checks, in the background ({g.trainees})", "ms", checks, "-", None,
        "-", None, "cipher_integrity_check + quick_check, after the records open")

    store = vault.open_with_keys(g.data_dir, unlocked)
    raw = raw_connect(store.path, key, mode="ro")
    try:
        forms = load_registry(store.session)

        def dashboard() -> None:
            verdicts = panel_verdicts(store.session, forms, today=today)
            rows = [panel_row(v, today) for v in verdicts]
            assert len(rows) == g.trainees

        dashboard()
        # The floor: the same SELECT on a raw keyed connection, every row into tuples.
        dash, scan, dash_cpu, scan_cpu = [], [], [], []
        for _ in range(runs):
            wall, cpu = _timed_cpu(lambda: raw.execute(SELECT_VERDICTS).fetchall())
            scan.append(wall)
            scan_cpu.append(cpu)
            wall, cpu = _timed_cpu(dashboard)
            dash.append(wall)
            dash_cpu.append(cpu)
        add(f"panel: dashboard of all trainees ({g.trainees})", "ms", dash,
            "decrypting scan of stored verdicts", scan, "<= 500 ms and <= 5x floor",
            lambda f: f.median <= 500 and (f.ratio or 99) <= 5,
            f"{what}; panel_verdicts + panel_row each; floor: the same SELECT, raw",
            cpu=dash_cpu, cpu_floor=scan_cpu)

        mids = list(g.mediator_ids)
        one, stored_one, one_cpu, stored_cpu, marks, marks_cpu = [], [], [], [], [], []
        for i in range(runs * 3):
            mid = mids[(i * 7919) % len(mids)]

            def readiness(mid: Any = mid) -> None:
                with store.session() as s:
                    assess_readiness(load_practice_record(s, mid), forms, today=today)

            def verdict(mid: Any = mid) -> None:
                with store.session() as s:
                    verdict_for(s, forms, mid, today=today)

            wall, cpu = _timed_cpu(lambda mid=mid: raw.execute(
                "SELECT o.id, m.criterion_id, m.state FROM observations AS o JOIN marks AS m"
                " ON m.observation_id = o.id WHERE o.mediator_id = ?", (mid.hex,)).fetchall())
            marks.append(wall)
            marks_cpu.append(cpu)
            wall, cpu = _timed_cpu(readiness)
            one.append(wall)
            one_cpu.append(cpu)
            wall, cpu = _timed_cpu(verdict)
            stored_one.append(wall)
            stored_cpu.append(cpu)
        add(f"panel: one trainee's readiness ({g.trainees})", "ms", one,
            "decrypting read of the trainee's marks", marks, "<= 50 ms",
            lambda f: f.median <= 50, "load_practice_record + assess_readiness",
            cpu=one_cpu, cpu_floor=marks_cpu)
        add(f"panel: one trainee's stored verdict ({g.trainees})", "ms", stored_one, "-", None,
            "-", None, "verdict_for, current", cpu=stored_cpu)

        # A tick with and without the triggers that flag the verdict (reset before each tick
        # so that every timed tick really writes the flag).
        mid = mids[0]
        case = CaseRepository(store.session).list_for_mediator(mid)[-1]
        observer = ObserverRepository(store.session).list()[0]
        obs_repo = ObservationRepository(store.session)
        draft = obs_repo.start(case.id, observer.id, "form2", forms.latest("form2").version,
                               observed_on=case.case_date, today=today)
        items = [t.id for t in forms.latest("form2").tick_items()]
        # Every trigger a tick fires: the mark's, and the observation's (the tick bumps its
        # updated_at), else the "without" tick would still flag the verdict.
        with store.engine.begin() as conn:
            mark_triggers = conn.exec_driver_sql(
                "SELECT name, sql FROM sqlite_master WHERE type='trigger'"
                " AND tbl_name IN ('marks', 'observations')"
                " AND name LIKE 'trg_panel_stale_%'").fetchall()
        ticks, blocks = (20, 3) if quick else (40, 8)

        last: dict[str, MarkState] = {}  # every timed tick changes its item's state

        def tick_block(flagged: bool) -> tuple[list[float], list[float]]:
            wall, cpu = [], []
            for i in range(ticks):
                with store.engine.begin() as conn:
                    conn.exec_driver_sql("UPDATE panel_verdicts SET stale = 0"
                                         " WHERE mediator_id = ?", (mid.hex,))
                item = items[i % len(items)]
                state = (MarkState.DEVELOPMENT_NEEDED if last.get(item) is MarkState.DEMONSTRATED
                         else MarkState.DEMONSTRATED)
                last[item] = state
                c0, t0 = time.thread_time(), time.perf_counter()
                obs_repo.set_mark(draft.id, item, state, by="bench")
                wall.append((time.perf_counter() - t0) * 1000)
                cpu.append((time.thread_time() - c0) * 1000)
                with store.engine.connect() as conn:  # the tick wrote, and flagged or not
                    stale = conn.exec_driver_sql("SELECT stale FROM panel_verdicts WHERE"
                                                 " mediator_id = ?", (mid.hex,)).scalar()
                if bool(stale) is not flagged:
                    raise RuntimeError(f"tick {i}: stale flag {stale}, expected {flagged}")
            return wall, cpu

        with_wall: list[float] = []
        with_cpu: list[float] = []
        without_wall: list[float] = []
        without_cpu: list[float] = []
        try:
            # Interleaved blocks, so that load from other processes hits both alike.
            for _ in range(blocks):
                w, c = tick_block(True)
                with_wall += w
                with_cpu += c
                with store.engine.begin() as conn:
                    for name, _sql in mark_triggers:
                        conn.exec_driver_sql(f"DROP TRIGGER {name}")
                w, c = tick_block(False)
                without_wall += w
                without_cpu += c
                with store.engine.begin() as conn:
                    for _name, sql in mark_triggers:
                        conn.exec_driver_sql(sql)
        finally:
            with store.engine.begin() as conn:
                for name, sql in mark_triggers:
                    conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {name}")
                    conn.exec_driver_sql(sql)
            obs_repo.discard_draft(draft.id)
        extra_cpu = statistics.median(with_cpu) - statistics.median(without_cpu)
        extra_wall = statistics.median(with_wall) - statistics.median(without_wall)
        add(f"panel: tick with verdict upkeep ({g.trainees})", "ms", with_wall,
            "the same tick without the triggers", without_wall, "adds <= 1 ms",
            lambda f: extra_wall <= 1.0,
            f"added: {extra_wall:.3f} ms wall, {extra_cpu:.3f} ms CPU (medians)")
        add(f"  tick CPU with verdict upkeep ({g.trainees})", "ms", with_cpu,
            "the same tick without the triggers", without_cpu, "adds <= 1 ms",
            lambda f: extra_cpu <= 1.0, "thread CPU time: fsync excluded")
    finally:
        raw.close()
        store.close()

    win, win_cpu, bare, bare_cpu = [], [], [], []
    for _ in range(3 if quick else 5):  # alternated, so that load hits both alike
        wall, cpu, rows = _window_time(g.data_dir, "floor")
        bare.append(wall)
        bare_cpu.append(cpu)
        wall, cpu, shown = _window_time(g.data_dir, "window")
        assert shown == rows == g.trainees, (shown, rows)
        win.append(wall)
        win_cpu.append(cpu)
    add(f"panel: window, open to painted rows ({g.trainees})", "ms", win,
        "bare QTableView of the same rows, same SELECT", bare, "< 1000 ms",
        lambda f: f.median < 1000,
        "fresh process each, offscreen, store already open; the window's load, rows "
        "sorted on its worker, first paint (the chart follows)", cpu=win_cpu,
        cpu_floor=bare_cpu)

    base = [_peak_rss(g.data_dir, "open") for _ in range(1 if quick else 2)]
    peak = [_peak_rss(g.data_dir, "panel") for _ in range(1 if quick else 2)]
    add(f"panel: peak memory, dashboard ({g.trainees})", "MiB", peak,
        "the same process, store opened, no panel", base, "-", None,
        "QApplication + open store + verdicts + PanelTableModel; peak reset after the "
        "scrypt unlock (whose 128 MiB would hide it)")
    facts["first_panel_note"] = (f"every verdict assessed once (first read, after migration):"
                                 f" {facts['first_panel_s']} s")
    log(f"  {facts['first_panel_note']}; first open with migration {facts['first_open_s']} s")
    return facts


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "--child":
        dashboard_child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 4 and sys.argv[1] == "--window":
        window_child(sys.argv[2], sys.argv[3])
    elif len(sys.argv) >= 2 and sys.argv[1] == "--prepare":
        prepare(int(sys.argv[2]) if len(sys.argv) > 2 else PANEL_TRAINEES)
    else:
        print("run through bench/run.py --only panel, or: bench/panel.py --prepare [N]")
