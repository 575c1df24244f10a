"""Trainers' review exports (`python -m bot review`: review-<stamp>.yml and .summary.json) older
than the retention period are deleted by the retention job."""

from pathlib import Path
from typing import List

PATTERNS = ("review-*.yml", "review-*.summary.json")


def purge(directory: Path, cutoff: float) -> List[str]:
    """Delete the export files last written before `cutoff` (a Unix time); their names."""
    if not directory.is_dir():
        return []
    deleted = []
    for pattern in PATTERNS:
        for path in sorted(directory.glob(pattern)):
            try:
                if path.is_file() and path.stat().st_mtime < cutoff:
                    path.unlink()
                    deleted.append(path.name)
            except FileNotFoundError:
                continue  # deleted by a run on another host at the same time
    return sorted(deleted)
