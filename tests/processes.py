"""Live processes from /proc, for tests that check no worker outlives a batch (Linux only)."""

from __future__ import annotations

from pathlib import Path


def live_processes(*, parent: int | None = None, group: int | None = None) -> list[int]:
    """The pids of live (not zombie) processes with this parent or in this process group."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            state, ppid, pgrp = stat.read_text().rsplit(")", 1)[1].split()[:3]
        except (OSError, ValueError):
            continue
        if state != "Z" and (int(ppid) == parent or int(pgrp) == group):
            found.append(int(stat.parent.name))
    return found
