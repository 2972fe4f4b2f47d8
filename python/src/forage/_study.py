"""Ask/tell for loops Forage does not run (``trial: {external: true}``): a thin wrapper of ``forage ask``/``tell``."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional, Sequence

if sys.version_info >= (3, 8):
    from typing import Literal
else:  # pragma: no cover
    from typing_extensions import Literal

#: What ``tell`` answers: ``continue`` or ``stop`` for an intermediate report, ``recorded`` for a final one.
TellAnswer = Literal["continue", "stop", "recorded"]

#: ``forage ask`` exits with this status when the experiment's budget is spent.
BUDGET_SPENT_STATUS = 3


class StudyError(RuntimeError):
    """``forage ask`` or ``forage tell`` refused the call; the message is Forage's."""


@dataclass
class AskedTrial:
    """A trial ``forage ask`` created: run it with ``params``, then ``Study.tell`` its metrics."""

    number: int
    params: Dict[str, Any]
    attempt: int = 1
    lease_s: Optional[float] = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False)


class Study:
    """An external experiment in a Forage store, driven by ``ask`` and ``tell``::

        study = forage.Study("my-search")
        while (trial := study.ask()) is not None:
            loss = train(**trial.params)
            study.tell(trial, {"loss": loss})

    ``store`` is the store folder (default: ``$FORAGE_STORE`` or ``.forage``), ``forage`` the binary to call.
    """

    def __init__(self, name: str, store: Optional[str] = None, forage: Optional[str] = None) -> None:
        self.name = name
        self.store = store
        self.forage = forage or os.environ.get("FORAGE_BIN", "forage")

    def _call(self, arguments: Sequence[str]) -> "subprocess.CompletedProcess[str]":
        command: List[str] = [self.forage, *arguments]
        if self.store is not None:
            command += ["--store", self.store]
        try:
            return subprocess.run(command, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise StudyError(f"cannot run '{self.forage}': put forage on PATH or pass Study(..., forage=PATH)") from None

    @staticmethod
    def _message(result: "subprocess.CompletedProcess[str]") -> str:
        text = (result.stderr or result.stdout).strip()
        return text[len("error: "):] if text.startswith("error: ") else text

    def ask(self) -> Optional[AskedTrial]:
        """Creates a running trial and returns it, or None when the experiment's budget is spent."""
        result = self._call(["ask", self.name, "--format", "json"])
        if result.returncode == BUDGET_SPENT_STATUS:
            return None
        if result.returncode != 0:
            raise StudyError(self._message(result))
        try:
            answer = json.loads(result.stdout)
        except ValueError:
            raise StudyError(f"forage ask printed something that is not JSON: {result.stdout[:200]!r}") from None
        return AskedTrial(
            number=int(answer["trial"]),
            params=dict(answer.get("params", {})),
            attempt=int(answer.get("attempt", 1)),
            lease_s=answer.get("lease_s"),
            raw=answer,
        )

    def tell(
        self,
        trial: "AskedTrial | int",
        metrics: Optional[Mapping[str, float]] = None,
        step: Optional[int] = None,
        state: Optional[str] = None,
    ) -> TellAnswer:
        """Records metrics of ``trial``.

        With ``step``, an intermediate report the scheduler judges: the answer is ``"continue"`` or ``"stop"`` (then
        ``tell`` the trial's end with ``state="pruned"``). Without it, the trial's final metrics, completing it (or
        ending it as ``state`` ``"failed"`` or ``"pruned"``): the answer is ``"recorded"``.
        """
        number = trial.number if isinstance(trial, AskedTrial) else int(trial)
        arguments = ["tell", self.name, str(number), "--format", "json"]
        if metrics is not None:
            arguments += ["--metrics", json.dumps({name: float(value) for name, value in metrics.items()})]
        if step is not None:
            arguments += ["--step", str(int(step))]
        if state is not None:
            arguments += ["--state", state]
        result = self._call(arguments)
        if result.returncode != 0:
            raise StudyError(self._message(result))
        try:
            answer = json.loads(result.stdout)
        except ValueError:
            raise StudyError(f"forage tell printed something that is not JSON: {result.stdout[:200]!r}") from None
        value = str(answer.get("answer", "recorded"))
        if value not in ("continue", "stop", "recorded"):
            raise StudyError(f"forage tell answered '{value}'")
        return value  # type: ignore[return-value]
