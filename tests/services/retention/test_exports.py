"""bot/services/retention/exports.py: trainers' review exports past the retention period are deleted."""

import os

from bot.services.retention.exports import purge

NOW = 1_800_000_000.0
CUTOFF = NOW - 180 * 86400


def _file(directory, name, mtime):
    path = directory / name
    path.write_text("x")
    os.utime(path, (mtime, mtime))
    return path


def test_purge_deletes_old_exports_only(tmp_path):
    _file(tmp_path, "review-20260101-100000.yml", CUTOFF - 1)
    _file(tmp_path, "review-20260101-100000.summary.json", CUTOFF - 1)
    _file(tmp_path, "review-20261101-100000.yml", CUTOFF + 1)
    _file(tmp_path, "notes.txt", CUTOFF - 1)  # not an export: left alone
    assert purge(tmp_path, CUTOFF) == ["review-20260101-100000.summary.json", "review-20260101-100000.yml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "review-20261101-100000.yml"]
    assert purge(tmp_path, CUTOFF) == []


def test_no_export_directory_yet(tmp_path):
    assert purge(tmp_path / "review", CUTOFF) == []
