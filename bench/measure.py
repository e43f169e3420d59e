"""Measure a command: wall time and peak memory of its whole process tree.

In: a command line. Out: ``Measured`` (seconds, peak RSS summed over the process and its
workers, sampled; the command's JSON output). Linux ``/proc`` is read for the sampling.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_PAGE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE_SECONDS = 0.02


@dataclass
class Measured:
    seconds: float
    peak_rss_bytes: int
    output: dict = field(default_factory=dict)


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as fh:
                stat = fh.read()
        except OSError:
            continue
        ppid = int(stat[stat.rindex(b")") + 2:].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss(pid: int) -> int:
    """Return the resident memory of ``pid`` and all its descendants, in bytes."""
    tree = _children_of()
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += tree.get(p, [])
        try:
            with open(f"/proc/{p}/statm", "rb") as fh:
                total += int(fh.read().split()[1]) * _PAGE
        except OSError:
            pass
    return total


def run(cmd: list[str], cwd: str | Path | None = None, env: dict | None = None,
        timeout: float | None = None) -> Measured:
    """Run ``cmd``; return its wall time, its tree's sampled peak RSS and its last stdout line as JSON.

    Past ``timeout`` seconds the command and its workers are killed and ``TimeoutError`` raised.
    """
    peak = 0
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, tree_rss(proc.pid))
            done.wait(SAMPLE_SECONDS)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        out, err = proc.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_tree(proc.pid)
        proc.communicate()
        raise TimeoutError(f"{' '.join(map(str, cmd))}: still running after {timeout:.0f} s") from None
    finally:
        done.set()
        sampler.join()
    seconds = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed ({proc.returncode}):\n{err[-3000:]}")
    lines = [ln for ln in out.splitlines() if ln.strip()]
    output = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else {}
    return Measured(seconds, peak, output)


def _kill_tree(pid: int) -> None:
    """Kill ``pid`` and its descendants (children first found, then all of them)."""
    tree, todo, found = _children_of(), [pid], []
    while todo:
        p = todo.pop()
        found.append(p)
        todo += tree.get(p, [])
    for p in found:
        try:
            os.kill(p, signal.SIGKILL)
        except ProcessLookupError:
            pass


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *map(str, args)]
