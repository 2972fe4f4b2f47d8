"""The training-script side of Forage.

A script that Forage runs as a command trial reads its parameters, reports metrics and learns whether the
scheduler wants it to stop::

    import forage

    p = forage.params(defaults={"lr": 0.01, "epochs": 9})
    for epoch in range(p["epochs"]):
        loss = train_one_epoch(p["lr"])
        forage.report(step=epoch, loss=loss)   # raises forage.Pruned when the scheduler stops the trial
    forage.report(loss=loss)                   # the final report

The same file runs by hand: outside Forage, ``params`` takes its values from ``defaults`` and ``--name value``
flags, ``report`` prints the metric line and never raises.
"""

from ._control import Pruned, should_prune
from ._study import AskedTrial, Study, StudyError, TellAnswer
from ._trial import checkpoint_dir, params, report, running_in_forage, trial_dir, trial_id

__all__ = [
    "AskedTrial",
    "Pruned",
    "Study",
    "StudyError",
    "TellAnswer",
    "checkpoint_dir",
    "params",
    "report",
    "running_in_forage",
    "should_prune",
    "trial_dir",
    "trial_id",
]

__version__ = "0.1.0"
