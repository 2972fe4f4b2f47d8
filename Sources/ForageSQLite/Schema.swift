import ForageStore
import GRDB

/// The store's numbered, forward-only migrations. A store written by a newer Forage is refused, never downgraded.
enum Schema {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-experiments-trials-metrics") { db in
            try db.execute(sql: """
                CREATE TABLE experiments (
                    id INTEGER PRIMARY KEY,
                    name TEXT NOT NULL UNIQUE,
                    state TEXT NOT NULL,
                    spec TEXT NOT NULL,
                    spec_sha256 TEXT NOT NULL,
                    spec_path TEXT,
                    objective_metric TEXT NOT NULL,
                    direction TEXT NOT NULL,
                    budget_trials INTEGER NOT NULL,
                    budget_parallel INTEGER NOT NULL,
                    seed INTEGER NOT NULL,
                    forage_version TEXT NOT NULL,
                    parameter_names TEXT NOT NULL,
                    data_path TEXT,
                    data_sha256 TEXT,
                    data_rows INTEGER,
                    data_columns INTEGER,
                    split_train INTEGER,
                    split_validation INTEGER,
                    split_test INTEGER,
                    message TEXT,
                    created_at REAL NOT NULL,
                    started_at REAL,
                    finished_at REAL,
                    owner TEXT,
                    owner_pid INTEGER,
                    owner_host TEXT,
                    heartbeat_at REAL
                );
                CREATE TABLE trials (
                    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
                    number INTEGER NOT NULL,
                    draw INTEGER NOT NULL,
                    state TEXT NOT NULL,
                    params TEXT NOT NULL,
                    value REAL,
                    reason TEXT,
                    message TEXT,
                    attempt INTEGER NOT NULL DEFAULT 1,
                    retry_of INTEGER,
                    requeued INTEGER NOT NULL DEFAULT 0,
                    worker TEXT,
                    last_step INTEGER,
                    started_at REAL,
                    finished_at REAL,
                    PRIMARY KEY (experiment_id, number)
                ) WITHOUT ROWID;
                CREATE INDEX trials_by_state_value ON trials(experiment_id, state, value);
                CREATE TABLE trial_metrics (
                    experiment_id INTEGER NOT NULL,
                    trial INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (experiment_id, trial, name),
                    FOREIGN KEY (experiment_id, trial) REFERENCES trials(experiment_id, number) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE TABLE intermediate_values (
                    experiment_id INTEGER NOT NULL,
                    trial INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    step INTEGER NOT NULL,
                    value REAL NOT NULL,
                    PRIMARY KEY (experiment_id, trial, name, step),
                    FOREIGN KEY (experiment_id, trial) REFERENCES trials(experiment_id, number) ON DELETE CASCADE
                ) WITHOUT ROWID;
                CREATE TABLE decisions (
                    id INTEGER PRIMARY KEY,
                    experiment_id INTEGER NOT NULL,
                    trial INTEGER NOT NULL,
                    step INTEGER NOT NULL,
                    action TEXT NOT NULL,
                    reason TEXT,
                    rung INTEGER,
                    cutoff REAL,
                    value REAL NOT NULL,
                    created_at REAL NOT NULL,
                    FOREIGN KEY (experiment_id, trial) REFERENCES trials(experiment_id, number) ON DELETE CASCADE
                );
                CREATE INDEX decisions_by_trial ON decisions(experiment_id, trial);
                PRAGMA user_version = 1;
                """)
        }
        migrator.registerMigration("2-retry-index") { db in
            // Finds the retry of a re-queued attempt without scanning the experiment's trials.
            try db.execute(sql: """
                CREATE INDEX trials_by_retry ON trials(experiment_id, retry_of) WHERE retry_of IS NOT NULL;
                PRAGMA user_version = 2;
                """)
        }
        migrator.registerMigration("3-registry") { db in
            try db.execute(sql: registrySQL)
        }
        migrator.registerMigration("4-fenced-ownership") { db in
            // The ownership epoch fences every owner write; the owner's process identity lets a process on the same
            // machine tell a live (even stopped) owner from a dead one by the process table.
            try db.execute(sql: """
                ALTER TABLE experiments ADD COLUMN owner_epoch INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE experiments ADD COLUMN owner_process TEXT;
                PRAGMA user_version = 4;
                """)
        }
        migrator.registerMigration("5-data-versions-and-tags") { db in
            // Every version of the data an experiment trained on (the current one is in the data_* columns), the
            // version each trial trained on, and the experiment's tags.
            try db.execute(sql: """
                ALTER TABLE experiments ADD COLUMN data_versions TEXT;
                ALTER TABLE experiments ADD COLUMN tags TEXT;
                ALTER TABLE trials ADD COLUMN data_version INTEGER;
                PRAGMA user_version = 5;
                """)
        }
        migrator.registerMigration("6-version-artifacts") { db in
            // A version's flavor (forage, pickle, onnx, folder…) and every file it holds, by name and hash.
            try db.execute(sql: """
                ALTER TABLE model_versions ADD COLUMN flavor TEXT;
                ALTER TABLE model_versions ADD COLUMN artifacts TEXT;
                PRAGMA user_version = 6;
                """)
        }
        migrator.registerMigration("7-leaderboard-index") { db in
            // The leaderboard read in rank order from one index that holds every column a ranked trial needs, so
            // listing a million trials reads the index front to back instead of seeking each trial's row; and the
            // trials run by remote workers (few or none), so listings learn whether to show a worker column at once.
            try db.execute(sql: """
                CREATE INDEX trials_leaderboard ON trials(\(leaderboardIndexColumns))
                WHERE state = 'completed' AND value IS NOT NULL;
                CREATE INDEX trials_by_worker ON trials(experiment_id) WHERE worker IS NOT NULL;
                PRAGMA user_version = 7;
                """)
        }
        migrator.registerMigration("9-external-trials") { db in
            // When an external trial (`forage ask`) last renewed its lease with a `forage tell --step`.
            try db.execute(sql: """
                ALTER TABLE trials ADD COLUMN renewed_at REAL;
                PRAGMA user_version = 9;
                """)
        }
        migrator.registerMigration("10-enqueued-params") { db in
            // Exact parameter sets queued to run before sampled trials (`forage enqueue`, a spec's `enqueue:`);
            // `trial` is set, in the transaction that starts that trial, when one takes it.
            try db.execute(sql: """
                CREATE TABLE enqueued_params (
                    id INTEGER PRIMARY KEY,
                    experiment_id INTEGER NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
                    params TEXT NOT NULL,
                    trial INTEGER,
                    created_at REAL NOT NULL
                );
                CREATE INDEX enqueued_pending ON enqueued_params(experiment_id, id) WHERE trial IS NULL;
                PRAGMA user_version = 10;
                """)
        }
        migrator.registerMigration("12-state-index") { db in
            // Counts and re-queued attempts need only a trial's state. With `value` in this index too, every finished
            // trial's entry moved to a random place in value order, a second random insert beside the leaderboard
            // index's; ordered by state alone, entries append in trial-number order.
            try db.execute(sql: """
                DROP INDEX trials_by_state_value;
                CREATE INDEX trials_by_state ON trials(experiment_id, state);
                PRAGMA user_version = 12;
                """)
        }
        migrator.registerMigration("8-objective-values") { db in
            // Several objectives and constraints: the experiment's goals (objectives and constraints, JSON; NULL for
            // one unconstrained objective), each completed trial's value per objective (JSON array, NULL for a single
            // objective, whose value is `value`) and its total constraint violation (0 = feasible, NULL without
            // constraints). user_version stays at 12, the highest migration number.
            try db.execute(sql: """
                ALTER TABLE experiments ADD COLUMN goals TEXT;
                ALTER TABLE trials ADD COLUMN objective_values TEXT;
                ALTER TABLE trials ADD COLUMN violation REAL;
                """)
        }
        return migrator
    }

    /// The leaderboard index's columns: the rank order first (value, then number for ties), then every other column
    /// `SQLiteExperimentStore.trialColumns` selects, so a ranked page is read from the index alone.
    static let leaderboardIndexColumns =
        "experiment_id, value, number, state, draw, params, reason, message, attempt, retry_of, requeued, worker, last_step, started_at, finished_at, data_version"
}
