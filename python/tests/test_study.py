import json
import os
import stat
import sys

import pytest

import forage

FAKE = r'''#!PYTHON
import json, sys
args = sys.argv[1:]
log = open(LOG, "a")
log.write(json.dumps(args) + "\n")
if args[0] == "ask":
    if args[1] == "spent":
        print("error: the budget of 2 trials is spent", file=sys.stderr); sys.exit(3)
    if args[1] == "missing":
        print("error: no experiment 'missing'", file=sys.stderr); sys.exit(1)
    print(json.dumps({"experiment": args[1], "trial": 4, "attempt": 1, "params": {"x": 0.5}, "lease_s": 600}))
elif args[0] == "tell":
    if args[2] == "99":
        print("error: trial 99 is not running", file=sys.stderr); sys.exit(1)
    print(json.dumps({"trial": int(args[2]), "answer": "stop" if "--step" in args else "recorded"}))
'''


@pytest.fixture
def fake_forage(tmp_path):
    log = tmp_path / "calls.log"
    path = tmp_path / "forage"
    path.write_text(FAKE.replace("PYTHON", sys.executable).replace("LOG", repr(str(log))))
    path.chmod(path.stat().st_mode | stat.S_IEXEC)
    return str(path), log


def test_ask_and_tell_call_the_cli(fake_forage):
    binary, log = fake_forage
    study = forage.Study("s", store="st", forage=binary)
    trial = study.ask()
    assert trial is not None and trial.number == 4 and trial.params == {"x": 0.5} and trial.lease_s == 600
    assert study.tell(trial, {"loss": 1}, step=2) == "stop"
    assert study.tell(4, {"loss": 0.5}) == "recorded"
    assert study.tell(trial, state="pruned") == "recorded"
    calls = [json.loads(line) for line in log.read_text().splitlines()]
    assert calls[0] == ["ask", "s", "--format", "json", "--store", "st"]
    assert calls[1] == ["tell", "s", "4", "--format", "json", "--metrics", '{"loss": 1.0}', "--step", "2", "--store", "st"]
    assert calls[3] == ["tell", "s", "4", "--format", "json", "--state", "pruned", "--store", "st"]


def test_a_spent_budget_ends_the_loop(fake_forage):
    assert forage.Study("spent", forage=fake_forage[0]).ask() is None


def test_refusals_carry_forages_message(fake_forage):
    with pytest.raises(forage.StudyError, match="no experiment 'missing'"):
        forage.Study("missing", forage=fake_forage[0]).ask()
    with pytest.raises(forage.StudyError, match="trial 99 is not running"):
        forage.Study("s", forage=fake_forage[0]).tell(99, {"loss": 1})


def test_a_missing_binary_is_named():
    with pytest.raises(forage.StudyError, match="cannot run"):
        forage.Study("s", forage="/nonexistent/forage").ask()
