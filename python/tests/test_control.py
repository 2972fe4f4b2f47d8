import json
import os
import threading
import time

import pytest

import forage
from forage import _control


def channel_env(monkeypatch, tmp_path, answers=True, version="1", timeout=None):
    control = tmp_path / "control.json"
    reader = tmp_path / "control.reader"
    monkeypatch.setenv("FORAGE_TRIAL_ID", "1")
    monkeypatch.setenv("FORAGE_CONTROL_FILE", str(control))
    monkeypatch.setenv("FORAGE_CONTROL_READER", str(reader))
    monkeypatch.setenv("FORAGE_CONTROL_VERSION", version)
    monkeypatch.setenv("FORAGE_CONTROL_ANSWERS", "1" if answers else "0")
    if timeout is not None:
        monkeypatch.setenv("FORAGE_CONTROL_TIMEOUT_S", str(timeout))
    _control.reset_channel()
    return control, reader


def write(path, **message):
    body = {"version": 1, "seq": 1, "step": None, "action": "continue", "reason": None, "grace_s": 5}
    body.update(message)
    temporary = str(path) + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(body, handle)
    os.replace(temporary, path)


def answer_later(path, delay=0.05, **message):
    thread = threading.Thread(target=lambda: (time.sleep(delay), write(path, **message)))
    thread.start()
    return thread


def test_the_first_report_announces_the_reader(monkeypatch, tmp_path, capsys):
    control, reader = channel_env(monkeypatch, tmp_path)
    write(control, step=0)
    forage.report(step=0, loss=1.0)
    announced = json.loads(reader.read_text())
    assert announced == {"version": 1, "pid": os.getpid()}


def test_report_waits_for_the_answer_to_its_step(monkeypatch, tmp_path, capsys):
    control, _ = channel_env(monkeypatch, tmp_path)
    write(control, step=0)
    thread = answer_later(control, delay=0.1, step=1, seq=2)
    started = time.monotonic()
    forage.report(step=1, loss=0.5)
    assert time.monotonic() - started >= 0.09
    thread.join()


def test_a_stop_answer_raises_pruned_and_should_prune_turns_true(monkeypatch, tmp_path, capsys):
    control, _ = channel_env(monkeypatch, tmp_path)
    thread = answer_later(control, step=2, action="stop", reason="pruned")
    with pytest.raises(forage.Pruned) as caught:
        forage.report(step=2, loss=0.5)
    thread.join()
    assert caught.value.step == 2 and caught.value.reason == "pruned"
    assert forage.should_prune()


def test_without_answers_report_only_checks_for_a_stop(monkeypatch, tmp_path, capsys):
    control, _ = channel_env(monkeypatch, tmp_path, answers=False)
    forage.report(step=0, loss=1.0)  # nothing written: goes on at once
    write(control, action="stop", reason="interrupted")
    with pytest.raises(forage.Pruned, match="interrupted"):
        forage.report(step=1, loss=1.0)


def test_no_answer_goes_on_after_the_timeout_with_a_warning(monkeypatch, tmp_path, capsys):
    channel_env(monkeypatch, tmp_path, timeout=0.05)
    forage.report(step=0, loss=1.0)
    assert "no answer from Forage for step 0" in capsys.readouterr().err


def test_an_unknown_protocol_version_leaves_the_channel_alone(monkeypatch, tmp_path, capsys):
    control, reader = channel_env(monkeypatch, tmp_path, version="99")
    write(control, action="stop")
    forage.report(step=0, loss=1.0)
    assert not reader.exists()
    assert not forage.should_prune()
    assert "version 99 is not supported" in capsys.readouterr().err


def test_a_half_written_or_foreign_control_file_is_ignored(monkeypatch, tmp_path):
    control, _ = channel_env(monkeypatch, tmp_path)
    control.write_text('{"version": 1, "act')
    assert not forage.should_prune()
    control.write_text('{"version": 2, "action": "stop"}')
    assert not forage.should_prune()
