#!/usr/bin/env python3
"""Optuna's side of `forage bench cluster`: trials/s through RDBStorage on PostgreSQL with N worker processes.

Each case creates a study in the database given by --url (a postgresql:// URL; psycopg2 is used), starts
--workers processes that each run `study.optimize` for their share of --trials (with --threads threads each),
and times from the moment every process is connected and waiting to the last one's exit. The sampler is RandomSampler, as Forage's
benchmark uses random search. The last line of output is JSON: {"case", "workers", "threads", "trials",
"seconds", "completed"}.
"""

import argparse
import json
import multiprocessing
import sys
import time

import optuna


def objective_for(case, sleep_seconds):
    def noop(trial):
        return trial.suggest_float("a", 0.0, 1.0)

    def report(trial):
        value = trial.suggest_float("a", 0.0, 1.0)
        for step in range(1, 51):
            trial.report(value + 1.0 / step, step)
        return value

    def sleep(trial):
        trial.suggest_float("a", 0.0, 1.0)
        time.sleep(sleep_seconds)
        return 0.0

    return {"noop": noop, "report": report, "sleep": sleep}[case]


def work(url, study_name, case, trials, threads, sleep_seconds, ready, go):
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    storage = optuna.storages.RDBStorage(url)
    study = optuna.load_study(study_name=study_name, storage=storage, sampler=optuna.samplers.RandomSampler(seed=None))
    ready.release()
    go.wait()
    study.optimize(objective_for(case, sleep_seconds), n_trials=trials, n_jobs=threads)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", required=True, help="postgresql://USER@HOST:PORT/DB")
    parser.add_argument("--case", choices=["noop", "report", "sleep"], default="noop")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=1, help="n_jobs of each worker process")
    parser.add_argument("--trials", type=int, default=500)
    parser.add_argument("--sleep-seconds", type=float, default=1.0)
    args = parser.parse_args()

    url = args.url.replace("postgres://", "postgresql+psycopg2://", 1).replace("postgresql://", "postgresql+psycopg2://", 1)
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    name = f"bench-{args.case}-{args.workers}"
    optuna.create_study(study_name=name, storage=optuna.storages.RDBStorage(url), direction="minimize")
    # Split the budget over the processes exactly (Optuna has no shared budget of its own).
    shares = [args.trials // args.workers + (1 if i < args.trials % args.workers else 0) for i in range(args.workers)]
    context = multiprocessing.get_context("spawn")
    ready, go = context.Semaphore(0), context.Event()
    processes = [
        context.Process(target=work, args=(url, name, args.case, share, args.threads, args.sleep_seconds, ready, go))
        for share in shares
    ]
    # The clock starts once every process has imported optuna and connected (as Forage's workers are waiting).
    for process in processes:
        process.start()
    for _ in processes:
        ready.acquire()
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join()
    seconds = time.perf_counter() - started
    if any(process.exitcode != 0 for process in processes):
        print("a worker process failed", file=sys.stderr)
        sys.exit(1)
    study = optuna.load_study(study_name=name, storage=optuna.storages.RDBStorage(url))
    completed = sum(1 for t in study.get_trials(deepcopy=False) if t.state == optuna.trial.TrialState.COMPLETE)
    print(json.dumps({"case": args.case, "workers": args.workers, "threads": args.threads, "trials": args.trials,
                      "seconds": seconds, "completed": completed}))


if __name__ == "__main__":
    main()
