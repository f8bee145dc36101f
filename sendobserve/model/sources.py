"""The source of a subject-access row, as the person reads it: the key each row carries its
source under (``storage.sources.with_sources`` fills it) and the one sentence the readable
report prints (``reports.subject_access``). Pure: no store, no PDF."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

SOURCE_KEY = "_source"  # the key each subject-access row carries its source under


def describe(source: Mapping[str, Any] | None) -> str:
    """One sentence for the readable report."""
    if source is None:
        return "Kept by this installation."
    parts = []
    if source.get("signed_by"):
        parts.append(f"Finalised and signed on installation {source['signed_by']}.")
    for i in source.get("imported", []):
        who = f" (exported by {i['exported_by']})" if i.get("exported_by") else ""
        parts.append(f"Imported on {i['imported_at'][:10]} from installation "
                     f"{i['from_installation']}{who}.")
    if not source.get("imported"):
        parts.append("No import recorded: entered on this installation (or imported "
                     "before sources were recorded).")
    return " ".join(parts)
