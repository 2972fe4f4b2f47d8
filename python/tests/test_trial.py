import json
import os

import pytest

import forage


def test_params_outside_forage_come_from_defaults_and_flags():
    p = forage.params(defaults={"lr": 0.01, "layers": 2, "act": "relu", "bn": False}, argv=["--lr", "0.5", "--layers=3", "--bn"])
    assert p == {"lr": 0.5, "layers": 3, "act": "relu", "bn": True}
    assert isinstance(p["lr"], float) and isinstance(p["layers"], int)


def test_params_outside_forage_without_defaults_read_every_flag_as_json():
    assert forage.params(argv=["--lr=0.1", "--name", "adam", "--n", "4"]) == {"lr": 0.1, "name": "adam", "n": 4}


def test_a_flag_without_value_is_refused():
    with pytest.raises(ValueError, match="--lr needs a value"):
        forage.params(defaults={"lr": 0.1}, argv=["--lr"])


def test_params_under_forage_come_from_the_environment_and_defaults_fill_inactive_ones(monkeypatch):
    monkeypatch.setenv("FORAGE_TRIAL_ID", "7")
    monkeypatch.setenv("FORAGE_PARAMS", json.dumps({"lr": 0.2, "model": "mlp"}))
    assert forage.running_in_forage()
    assert forage.params(defaults={"beta": 0.9, "lr": 1.0}, argv=["--lr", "3"]) == {"lr": 0.2, "model": "mlp", "beta": 0.9}
    assert forage.trial_id() == 7


def test_broken_params_are_named(monkeypatch):
    monkeypatch.setenv("FORAGE_PARAMS", "[1, 2]")
    with pytest.raises(RuntimeError, match="not a JSON object"):
        forage.params()


def test_folders_outside_forage_are_local_and_created():
    assert forage.trial_id() == 0
    assert forage.trial_dir() == "forage-local"
    assert os.path.isdir(forage.checkpoint_dir())
    assert forage.checkpoint_dir() == os.path.join("forage-local", "checkpoint")


def test_folders_under_forage_are_the_ones_forage_names(monkeypatch, tmp_path):
    monkeypatch.setenv("FORAGE_TRIAL_DIR", str(tmp_path / "t"))
    monkeypatch.setenv("FORAGE_CHECKPOINT_DIR", str(tmp_path / "c"))
    assert forage.trial_dir() == str(tmp_path / "t")
    assert forage.checkpoint_dir() == str(tmp_path / "c")
    assert os.path.isdir(tmp_path / "c")


def test_report_prints_one_json_line_and_never_raises_outside_forage(capsys):
    forage.report(step=3, loss=0.25, acc=1)
    forage.report(loss=float("nan"))
    lines = capsys.readouterr().out.splitlines()
    assert json.loads(lines[0]) == {"step": 3, "loss": 0.25, "acc": 1.0}
    assert lines[1] == '{"loss": NaN}'
    assert not forage.should_prune()


@pytest.mark.parametrize(
    "call, error",
    [
        (lambda: forage.report(), "at least one metric"),
        (lambda: forage.report(step=1.5, loss=1), "step must be an int"),
        (lambda: forage.report(loss="low"), "metric 'loss' must be a number"),
        (lambda: forage.report(ok=True), "not bool"),
    ],
)
def test_bad_reports_are_refused_in_words(call, error):
    with pytest.raises((TypeError, ValueError), match=error):
        call()


def test_numpy_like_scalars_convert(capsys):
    class Scalar:
        def __float__(self):
            return 0.5

    forage.report(loss=Scalar())
    assert json.loads(capsys.readouterr().out) == {"loss": 0.5}
