"""bot/ml/training.py: when a model counts as stale."""

import os

from bot.ml.training import latest_model, model_is_stale


def touch(path, mtime):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("x")
    os.utime(path, (mtime, mtime))


def test_staleness(tmp_path):
    models = tmp_path / "models"
    models.mkdir()
    touch(tmp_path / "data" / "nlu" / "a.yml", 100)
    touch(tmp_path / "config.yml", 100)
    touch(tmp_path / "domain" / "core.yml", 100)
    assert model_is_stale(tmp_path, models)  # no model at all
    touch(models / "old.tar.gz", 150)
    touch(models / "new.tar.gz", 200)
    assert latest_model(models) == models / "new.tar.gz"
    assert not model_is_stale(tmp_path, models)
    touch(tmp_path / "data" / "nlu" / "a.yml", 300)  # training data changed after the model
    assert model_is_stale(tmp_path, models)
    touch(models / "newer.tar.gz", 400)
    touch(tmp_path / "domain" / "payment.yml", 500)  # so did the domain
    assert model_is_stale(tmp_path, models)
    touch(models / "newest.tar.gz", 600)
    touch(tmp_path / "data" / "heldout" / "nlu.yml", 700)  # the evaluation set is not trained on
    assert not model_is_stale(tmp_path, models)


def test_rasa_is_given_the_training_data_but_never_the_held_out_set():
    from bot.ml.training import data_args

    assert data_args() == ["--data", "data/nlu", "data/rules", "data/stories", "--domain", "domain"]


def test_broken_data_stops_training_with_a_clear_message(tmp_path):
    import shutil

    import pytest

    from bot.ml.training import TrainingError, train
    from bot.ops.settings import ROOT

    project = tmp_path / "project"
    for name in ("data", "config.yml", "domain", "bot", "credentials.yml", "endpoints.yml"):
        source = ROOT / name
        (shutil.copytree if source.is_dir() else shutil.copy)(source, project / name)
    # A rule that uses an action the domain does not know.
    (project / "data" / "rules" / "broken.yml").write_text(
        'version: "3.1"\nrules:\n- rule: broken\n  steps:\n  - intent: greet\n  - action: action_that_does_not_exist\n',
        encoding="utf-8",
    )
    with pytest.raises(TrainingError) as refused:
        train(project, project / "models")
    assert "does not validate" in str(refused.value)
    assert "action_that_does_not_exist" in str(refused.value)
    assert not list((project / "models").glob("*.tar.gz"))


def test_a_file_rasa_cannot_read_is_named_not_hidden_behind_a_warning():
    from bot.ml.training import validation_problems

    output = (
        "\x1b[91mYamlSyntaxException: Failed to read 'data/rules/core.yml'. mapping values are not allowed here\n"
        '  in "data/rules/core.yml", line 61, column 35:\n'
        "\x1b[93m/x/rasa/shared/utils/io.py:100: UserWarning: The following duplicated intents have been found "
        "across multiple domain files: faq\n"
        "/x/rasa/shared/utils/io.py:100: UserWarning: Intent 'x' is not used in any story or rule.\n"
    )
    assert validation_problems(output) == [
        "YamlSyntaxException: Failed to read 'data/rules/core.yml'. mapping values are not allowed here",
        "The following duplicated intents have been found across multiple domain files: faq",
    ]
