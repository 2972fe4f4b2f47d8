"""Parameters, folders and metric reports of the trial Forage is running (or of a run by hand)."""

from __future__ import annotations

import json
import os
import sys
from typing import Any, Dict, List, Mapping, Optional, Sequence, Union

from ._control import Pruned, channel

Number = Union[int, float]

#: Where ``trial_dir`` and ``checkpoint_dir`` point when the script runs outside Forage (``FORAGE_LOCAL_DIR``
#: overrides it).
LOCAL_DIR = "forage-local"


def running_in_forage() -> bool:
    """True when Forage started this process as a trial."""
    return "FORAGE_TRIAL_ID" in os.environ


def _convert(text: str, like: Any) -> Any:
    """``text`` from the command line as the type of ``like`` (or as JSON, else as a string)."""
    if isinstance(like, bool):
        lowered = text.lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off"):
            return False
        raise ValueError(f"'{text}' is not a boolean")
    if isinstance(like, int):
        return int(text)
    if isinstance(like, float):
        return float(text)
    if isinstance(like, str):
        return text
    try:
        return json.loads(text)
    except ValueError:
        return text


def _flags(argv: Sequence[str], defaults: Mapping[str, Any]) -> Dict[str, Any]:
    """``--name value`` and ``--name=value`` pairs of ``argv`` (only names in ``defaults`` when it is not empty)."""
    found: Dict[str, Any] = {}
    index = 0
    items: List[str] = list(argv)
    while index < len(items):
        item = items[index]
        index += 1
        if not item.startswith("--") or len(item) == 2:
            continue
        name, separator, value = item[2:].partition("=")
        key = name.replace("-", "_") if name not in defaults and name.replace("-", "_") in defaults else name
        if defaults and key not in defaults:
            continue
        if not separator:
            if index < len(items) and not items[index].startswith("--"):
                value = items[index]
                index += 1
            elif isinstance(defaults.get(key), bool):
                found[key] = True
                continue
            else:
                raise ValueError(f"--{name} needs a value")
        found[key] = _convert(value, defaults.get(key))
    return found


def params(defaults: Optional[Mapping[str, Any]] = None, argv: Optional[Sequence[str]] = None) -> Dict[str, Any]:
    """The trial's parameters as a dict of Python values (float, int, str, bool).

    Under Forage they come from ``FORAGE_PARAMS``; a name the trial lacks (an inactive conditional parameter) gets
    its value from ``defaults``. Outside Forage they are ``defaults`` overridden by ``--name value`` or
    ``--name=value`` flags of ``argv`` (default ``sys.argv[1:]``), converted to each default's type.
    """
    base: Dict[str, Any] = dict(defaults or {})
    raw = os.environ.get("FORAGE_PARAMS")
    if raw is not None:
        try:
            given = json.loads(raw)
        except ValueError as error:
            raise RuntimeError(f"FORAGE_PARAMS is not a JSON object: {error}") from None
        if not isinstance(given, dict):
            raise RuntimeError("FORAGE_PARAMS is not a JSON object")
        base.update(given)
        return base
    base.update(_flags(sys.argv[1:] if argv is None else argv, defaults or {}))
    return base


def trial_id() -> int:
    """The trial's number in its experiment (``FORAGE_TRIAL_ID``); 0 outside Forage."""
    try:
        return int(os.environ.get("FORAGE_TRIAL_ID", "0"))
    except ValueError:
        return 0


def _local_dir() -> str:
    return os.environ.get("FORAGE_LOCAL_DIR", LOCAL_DIR)


def trial_dir() -> str:
    """The trial's own folder (its artifacts and logs; a file named ``model*`` is what ``forage promote`` copies).

    Outside Forage: ``./forage-local`` (or ``FORAGE_LOCAL_DIR``), created on first use.
    """
    folder = os.environ.get("FORAGE_TRIAL_DIR") or _local_dir()
    os.makedirs(folder, exist_ok=True)
    return folder


def checkpoint_dir() -> str:
    """A folder that survives the trial's interruption.

    When an attempt is interrupted (forage killed, a worker lost, Ctrl-C) and re-queued, its retry gets this same
    folder back, so the script can resume from its last checkpoint. Write checkpoints atomically (to a temporary
    name, then ``os.replace``), since the process may be killed at any instant. Outside Forage:
    ``./forage-local/checkpoint``.
    """
    folder = os.environ.get("FORAGE_CHECKPOINT_DIR") or os.path.join(_local_dir(), "checkpoint")
    os.makedirs(folder, exist_ok=True)
    return folder


def _metric(name: str, value: Any) -> float:
    """``value`` as a float; numpy and torch scalars convert through ``float()``, booleans and text are refused."""
    if isinstance(value, bool):
        raise TypeError(f"metric '{name}' must be a number, not bool")
    if isinstance(value, (int, float)):
        return float(value)
    try:
        return float(value)
    except (TypeError, ValueError):
        raise TypeError(f"metric '{name}' must be a number, not {type(value).__name__}") from None


def report(step: Optional[int] = None, **metrics: Number) -> None:
    """Reports metrics: an intermediate report with ``step``, the final one without.

    Prints one JSON line on stdout (DESIGN §5) and flushes it. Under a scheduler, an intermediate report waits for
    Forage's decision and raises :class:`forage.Pruned` when the trial must stop; it returns nothing otherwise.
    Outside Forage it only prints.
    """
    if not metrics:
        raise ValueError("report() needs at least one metric, e.g. report(step=3, loss=0.4)")
    if step is not None and (isinstance(step, bool) or not isinstance(step, int)):
        raise TypeError(f"step must be an int, not {type(step).__name__}")
    values = {name: _metric(name, value) for name, value in metrics.items()}
    line: Dict[str, Any] = {}
    if step is not None:
        line["step"] = step
    line.update(values)
    current = channel()
    current.announce()
    text = json.dumps(line, allow_nan=True)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()
    if step is None:
        return
    reason = current.wait_for_answer(step)
    if reason is not None:
        raise Pruned(step, reason)

