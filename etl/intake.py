"""Take documents an analyst uploads: store them under ``data/uploads/`` with a safe name, then load.

In: (file name as uploaded, bytes). Out: ``IntakeResult`` per file (loaded with N commitments /
unchanged / duplicate / failed: reason). The uploaded name is never used as a path: it is reduced
to a safe stem, so a changed version of the same file replaces the earlier one.
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from etl.pipeline import load_paths
from etl.read import SUPPORTED_SUFFIXES, size_reason
from etl.segment import Rule

DEFAULT_MAX_UPLOAD_MB = 20


def max_upload_bytes() -> int:
    """The per-file upload limit: env COMMITMENTS_MAX_UPLOAD_MB, default 20 MB."""
    try:
        mb = float(os.environ.get("COMMITMENTS_MAX_UPLOAD_MB", DEFAULT_MAX_UPLOAD_MB))
    except ValueError:
        mb = DEFAULT_MAX_UPLOAD_MB
    return int(mb * 1024 * 1024)


_UNSAFE_STEM = Rule("unsafe_stem", re.compile(r"[^\w\u4e00-\u9fff()()\-]+"), ("../答复", "《措施》", "a b"), ("答复_2021(1)", "report-v2"))
"""Runs of characters a stored file name does not keep (each run becomes one _)."""
_UNSAFE_SUFFIX = Rule("unsafe_suffix", re.compile(r"[^a-z0-9]"), ("HTML", "tx t"), ("docx",))


def safe_name(uploaded: str) -> str:
    """Reduce an uploaded file name to a safe one: no folders, no control characters.

    A name that had to change gets a short hash of the name as uploaded, so names that reduce
    alike (《措施》.txt and 【措施】.txt) stay two files; a name kept as it was gets none, so a new
    version of a file uploaded under the same name replaces the earlier one.

    >>> safe_name("../../etc/答复.txt")
    'upload_答复.txt'
    >>> safe_name("a\\x00b\\nc.HTML")
    'upload_abc_3c678479.html'
    >>> safe_name("《措施》.txt") != safe_name("【措施】.txt")
    True
    """
    base = uploaded.replace("\\", "/").split("/")[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch)[0] != "C")
    stem, dot, suffix = base.rpartition(".")
    if not dot:
        stem, suffix = base, "txt"
    suffix = suffix.lower()
    if "." + suffix not in SUPPORTED_SUFFIXES:
        suffix = "txt" if not suffix else suffix
    safe_stem = _UNSAFE_STEM.pattern.sub("_", stem).strip("._")[:80] or "document"
    safe_suffix = _UNSAFE_SUFFIX.pattern.sub("", suffix)[:8] or "txt"
    if (safe_stem, safe_suffix) != (stem, base.rpartition(".")[2] if dot else "txt"):
        safe_stem += "_" + hashlib.sha256(uploaded.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    return f"upload_{safe_stem}.{safe_suffix}"


@dataclass(frozen=True)
class IntakeResult:
    uploaded_name: str
    stored_name: str | None
    outcome: str  # loaded / unchanged / duplicate / failed
    reason: str | None
    commitments: int
    figures: int


def intake(files: list[tuple[str, bytes]], db_path: str | Path, upload_dir: str | Path) -> list[IntakeResult]:
    """Store each uploaded file safely and load them all in one ETL run."""
    upload_dir = Path(upload_dir)
    upload_dir.mkdir(parents=True, exist_ok=True)
    limit = max_upload_bytes()
    results: dict[int, IntakeResult] = {}
    stored: dict[int, Path] = {}
    previous: dict[int, bytes] = {}  # an earlier upload under the same name, restored if this one fails
    taken: dict[str, bytes] = {}  # stored name -> content, within this batch
    for i, (name, data) in enumerate(files):
        target = upload_dir / safe_name(name)
        if target.name in taken and taken[target.name] != data:
            # The same name twice in one batch with different content: keep both.
            target = target.with_name(f"{target.stem}_{hashlib.sha256(data).hexdigest()[:8]}{target.suffix}")
        taken[target.name] = data
        if len(data) > limit:
            results[i] = IntakeResult(name, None, "failed", size_reason(len(data), limit, "the upload limit"), 0, 0)
            continue
        if not data:
            results[i] = IntakeResult(name, None, "failed", "empty file", 0, 0)
            continue
        suffix = Path(target).suffix.lower()
        if suffix not in SUPPORTED_SUFFIXES:
            results[i] = IntakeResult(name, None, "failed",
                                      f"unsupported file type {suffix}: use .txt, .html, .docx or .pdf", 0, 0)
            continue
        if target.exists():
            previous[i] = target.read_bytes()
        tmp = target.with_name(f".{target.name}.part")
        tmp.write_bytes(data)
        os.replace(tmp, target)
        stored[i] = target
    if stored:
        report = load_paths(list(stored.values()), db_path, isolate=True)
        by_path = {Path(o.path).resolve(): o for o in report.files}
        for i, path in stored.items():
            o = by_path.get(path.resolve())
            if o is None:
                results[i] = IntakeResult(files[i][0], path.name, "failed", "not processed", 0, 0)
                continue
            if o.outcome in ("failed", "duplicate"):
                # A file that did not load is not kept among the uploads; an earlier version is put back.
                if i in previous:
                    path.write_bytes(previous[i])
                else:
                    path.unlink(missing_ok=True)
            results[i] = IntakeResult(files[i][0], path.name, o.outcome, o.reason, o.commitments, o.figures)
    return [results[i] for i in range(len(files))]
