"""bot/training.py: when a model counts as stale."""

import os

from bot.training import latest_model, model_is_stale


def touch(path, mtime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (mtime, mtime))


def test_staleness(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    touch(tmp_path / "data" / "nlu" / "a.yml", 100)
    touch(tmp_path / "config.yml", 100)
    touch(tmp_path / "domain.yml", 100)
    assert model_is_stale(tmp_path, models)  # no model at all
    touch(models / "old.tar.gz", 150)
    touch(models / "new.tar.gz", 200)
    assert latest_model(models) == models / "new.tar.gz"
    assert not model_is_stale(tmp_path, models)
    touch(tmp_path / "data" / "nlu" / "a.yml", 300)  # training data changed after the model
    assert model_is_stale(tmp_path, models)
    touch(models / "newer.tar.gz", 400)
    touch(tmp_path / "domain.yml", 500)  # so did the domain
    assert model_is_stale(tmp_path, models)
