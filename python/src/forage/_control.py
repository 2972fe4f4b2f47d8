"""The control channel between Forage and a running trial (protocol version 1, DESIGN §5).

Forage names two files in the trial's environment:

* ``FORAGE_CONTROL_READER``: this package creates it (``{"version": 1, "pid": N}``) before the first report, to say
  that the script reads the channel. Forage then stops the trial cooperatively: it writes the stop decision, waits
  the grace period (``FORAGE_GRACE_S``) for the script to leave, and only then sends SIGTERM, then SIGKILL.
* ``FORAGE_CONTROL_FILE``: Forage replaces it atomically with
  ``{"version": 1, "seq": N, "step": K | null, "action": "continue" | "stop", "reason": null | "pruned" |
  "timeout" | "interrupted", "grace_s": G}``. When ``FORAGE_CONTROL_ANSWERS`` is ``1`` (a scheduler judges
  reports), every report with a step K is answered with ``step: K``, so ``report`` waits for the decision.
"""

from __future__ import annotations

import json
import os
import sys
import time
from typing import Any, Dict, Optional

SUPPORTED_VERSION = 1
#: Seconds ``report`` waits for Forage's answer before going on (``FORAGE_CONTROL_TIMEOUT_S`` overrides it).
DEFAULT_ANSWER_TIMEOUT = 120.0


class Pruned(Exception):
    """Raised by :func:`forage.report` when Forage has decided this trial must stop.

    ``reason`` is ``"pruned"`` (the scheduler stopped it), ``"timeout"`` (its time limit) or ``"interrupted"``
    (the run is stopping; the trial is re-queued and its retry gets the same :func:`forage.checkpoint_dir`).
    Catch it (or use ``try``/``finally``) to save a checkpoint or clean up; the script then has the grace period to
    exit before Forage sends SIGTERM.
    """

    def __init__(self, step: Optional[int], reason: str = "pruned") -> None:
        self.step = step
        self.reason = reason
        where = f" at step {step}" if step is not None else ""
        super().__init__(f"Forage stopped this trial{where} ({reason})")


class Channel:
    """One trial's view of the control channel; inert when Forage did not provide one."""

    def __init__(self, environ: Optional[Dict[str, str]] = None) -> None:
        env = os.environ if environ is None else environ
        self.file = env.get("FORAGE_CONTROL_FILE")
        self.reader = env.get("FORAGE_CONTROL_READER")
        self.answers = env.get("FORAGE_CONTROL_ANSWERS") == "1"
        try:
            self.timeout = float(env.get("FORAGE_CONTROL_TIMEOUT_S", DEFAULT_ANSWER_TIMEOUT))
        except ValueError:
            self.timeout = DEFAULT_ANSWER_TIMEOUT
        version = env.get("FORAGE_CONTROL_VERSION")
        self.active = bool(self.file and self.reader)
        if self.active and version is not None and version != str(SUPPORTED_VERSION):
            print(
                f"forage: control channel version {version} is not supported (this package speaks "
                f"{SUPPORTED_VERSION}); stop requests arrive as SIGTERM only",
                file=sys.stderr,
            )
            self.active = False
        self._announced = False
        self._warned = False

    def announce(self) -> None:
        """Tells Forage that this script reads the channel (once)."""
        if not self.active or self._announced or not self.reader:
            return
        self._announced = True
        temporary = f"{self.reader}.{os.getpid()}.tmp"
        try:
            with open(temporary, "w", encoding="utf-8") as handle:
                json.dump({"version": SUPPORTED_VERSION, "pid": os.getpid()}, handle)
            os.replace(temporary, self.reader)
        except OSError as error:
            print(f"forage: cannot announce the control channel reader: {error}", file=sys.stderr)

    def read(self) -> Optional[Dict[str, Any]]:
        """The latest decision Forage wrote, or None."""
        if not self.active or not self.file:
            return None
        try:
            with open(self.file, "r", encoding="utf-8") as handle:
                message = json.load(handle)
        except (OSError, ValueError):
            return None
        if not isinstance(message, dict) or message.get("version") != SUPPORTED_VERSION:
            return None
        return message

    def stop_reason(self) -> Optional[str]:
        """The reason of a stop decision, or None while the trial may go on."""
        message = self.read()
        if message and message.get("action") == "stop":
            return str(message.get("reason") or "pruned")
        return None

    def wait_for_answer(self, step: int) -> Optional[str]:
        """Waits until Forage has answered the report at ``step``; returns the stop reason, or None to go on."""
        if not self.active:
            return None
        if not self.answers:
            return self.stop_reason()
        deadline = time.monotonic() + self.timeout
        pause = 0.0005
        while True:
            message = self.read()
            if message:
                if message.get("action") == "stop":
                    return str(message.get("reason") or "pruned")
                answered = message.get("step")
                if isinstance(answered, int) and answered >= step:
                    return None
            if time.monotonic() >= deadline:
                if not self._warned:
                    self._warned = True
                    print(f"forage: no answer from Forage for step {step} after {self.timeout:g} s; going on", file=sys.stderr)
                return None
            time.sleep(pause)
            pause = min(pause * 2, 0.02)


_channel: Optional[Channel] = None


def channel() -> Channel:
    """The process's control channel, read from the environment once."""
    global _channel
    if _channel is None:
        _channel = Channel()
    return _channel


def reset_channel() -> None:
    """Forgets the cached channel (tests change the environment)."""
    global _channel
    _channel = None


def should_prune() -> bool:
    """True once Forage has decided this trial must stop (pruned, timed out or interrupted).

    For loops that want to save a checkpoint before leaving; outside Forage always False.
    """
    current = channel()
    current.announce()
    return current.stop_reason() is not None
