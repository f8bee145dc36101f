"""README's Performance table from one run's results: python tools/bench_table.py [FILE]

Reads ``bench/results/latest.json`` (or FILE), written by ``bench/run.py``, and prints the
Markdown table with the run's date, mode and load average, so the table is copied from a
run rather than typed.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).resolve().parent.parent / "bench" / "results" / "latest.json"

# (figure name prefix, how the table names it)
ROWS = [
    ("tick: key press through the repaint", "tick: key press → committed → row repainted"),
    ("tick: ObservationRepository.set_mark", "`set_mark` alone (mark + undo event + updated_at)"),
    ("readiness: one trainee", "one trainee's readiness (load + assess)"),
    ("readiness: all trainees", "readiness of every trainee"),
    ("practice_summaries", "the organisation list (`practice_summaries`)"),
    ("pdf: Form 4 certificate", "Form 4 certificate"),
    ("pdf: portfolio", "30-observation portfolio"),
    ("start-up to first paint (year store)", "start-up to the painted main window"),
    ("start-up to records opened (year store)", "… to records opened (passphrase start)"),
    ("peak RSS (year store)", "peak memory (passphrase start)"),
    ("  resident once the records are open (year store)", "memory once open"),
    ("encryption, write: single-row commit", "encryption: a one-row commit"),
    ("encryption, read: ", "encryption: a scan in SQLite"),
    ("encryption, read: 1000 lookups", "encryption: 1,000 lookups by key"),
]


def number(value: float, unit: str) -> str:
    if unit == "MiB":
        return f"{value:.0f} MiB"
    return f"{value / 1000:.2f} s" if value >= 1000 else f"{value:.2g} ms" if value < 10 \
        else f"{value:.0f} ms"


def find(figures: list[dict[str, Any]], prefix: str) -> dict[str, Any] | None:
    for f in figures:
        name = f["name"]
        if name.startswith(prefix) and "ratio" in f:
            if prefix == "encryption, read: " and "scanned in SQLite" not in name:
                continue
            return f
    return None


def main() -> int:
    data = json.loads(Path(sys.argv[1] if len(sys.argv) > 1 else RESULTS).read_text())
    figures = data["figures"]
    load = data["machine"]["load_average"]
    end = data.get("load_average_at_end")
    print(f"Run: {data['finished_utc']} ({data['mode']}, {data['seconds']:.0f} s), "
          f"{data['machine']['cpus']} CPUs, load average {load[0]:.2f} / {load[1]:.2f} / "
          f"{load[2]:.2f} at the start" + (f", {end[0]:.2f} at the end" if end else "") + ".")
    print()
    print("| figure | median | floor (same run) | wall ratio | CPU ratio | goal |")
    print("|---|---|---|---|---|---|")
    for prefix, label in ROWS:
        f = find(figures, prefix)
        if f is None:
            continue
        median = number(f["median"], f["unit"])
        if f.get("p99") is not None and f["unit"] == "ms":
            median += f" (p99 {number(f['p99'], 'ms')})"
        floor = f["floor_name"]
        if f.get("floor") is not None:
            floor += f" {number(f['floor'], f['unit'])}"
            if f.get("floor_p99") is not None and f["unit"] == "ms":
                floor += f" (p99 {number(f['floor_p99'], 'ms')})"
        ratio = f"{f['ratio']:.2f}×" if f.get("ratio") else "—"
        cpu = f"{f['cpu_ratio']:.2f}×" if f.get("cpu_ratio") else "—"
        goal = f["goal"] if f["goal"] != "-" else "—"
        if f.get("ok") is not None:
            goal += ": met" if f["ok"] else ": **missed**"
        print(f"| {label} | {median} | {floor} | {ratio} | {cpu} | {goal} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
