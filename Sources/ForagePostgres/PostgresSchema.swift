import ForageStore
import Foundation
import PostgresNIO

/// The PostgreSQL store's numbered, forward-only migrations, run only by `forage store migrate URL` (and by
/// `forage run` creating a store in an empty database). A database written by a newer Forage is refused.
enum PostgresSchema {
    /// One migration: its number, its name and its statements (run in one transaction).
    struct Migration: Sendable {
        var number: Int
        var name: String
        var statements: [String]
    }

    static let migrations: [Migration] = [
        Migration(number: 1, name: "experiments-trials-registry", statements: [
            """
            CREATE TABLE experiments (
                id BIGSERIAL PRIMARY KEY,
                name TEXT NOT NULL UNIQUE,
                state TEXT NOT NULL,
                spec TEXT NOT NULL,
                spec_sha256 TEXT NOT NULL,
                spec_path TEXT,
                objective_metric TEXT NOT NULL,
                direction TEXT NOT NULL,
                budget_trials BIGINT NOT NULL,
                budget_parallel BIGINT NOT NULL,
                seed BIGINT NOT NULL,
                forage_version TEXT NOT NULL,
                parameter_names TEXT NOT NULL,
                data_path TEXT, data_sha256 TEXT, data_rows BIGINT, data_columns BIGINT,
                split_train BIGINT, split_validation BIGINT, split_test BIGINT,
                data_versions TEXT,
                tags TEXT,
                message TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                started_at DOUBLE PRECISION,
                finished_at DOUBLE PRECISION,
                owner TEXT,
                owner_pid INTEGER,
                owner_host TEXT,
                owner_process TEXT,
                heartbeat_at DOUBLE PRECISION,
                owner_epoch BIGINT NOT NULL DEFAULT 0
            )
            """,
            """
            CREATE TABLE trials (
                experiment_id BIGINT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
                number BIGINT NOT NULL,
                draw BIGINT NOT NULL,
                state TEXT NOT NULL,
                params TEXT NOT NULL,
                value DOUBLE PRECISION,
                reason TEXT,
                message TEXT,
                attempt BIGINT NOT NULL DEFAULT 1,
                retry_of BIGINT,
                requeued BOOLEAN NOT NULL DEFAULT FALSE,
                worker TEXT,
                last_step BIGINT,
                started_at DOUBLE PRECISION,
                finished_at DOUBLE PRECISION,
                data_version BIGINT,
                PRIMARY KEY (experiment_id, number)
            )
            """,
            "CREATE INDEX trials_by_state_value ON trials (experiment_id, state, value, number)",
            "CREATE INDEX trials_by_retry ON trials (experiment_id, retry_of) WHERE retry_of IS NOT NULL",
            """
            CREATE TABLE trial_metrics (
                experiment_id BIGINT NOT NULL,
                trial BIGINT NOT NULL,
                name TEXT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (experiment_id, trial, name),
                FOREIGN KEY (experiment_id, trial) REFERENCES trials (experiment_id, number) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE intermediate_values (
                experiment_id BIGINT NOT NULL,
                trial BIGINT NOT NULL,
                name TEXT NOT NULL,
                step BIGINT NOT NULL,
                value DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (experiment_id, trial, name, step),
                FOREIGN KEY (experiment_id, trial) REFERENCES trials (experiment_id, number) ON DELETE CASCADE
            )
            """,
            """
            CREATE TABLE decisions (
                id BIGSERIAL PRIMARY KEY,
                experiment_id BIGINT NOT NULL,
                trial BIGINT NOT NULL,
                step BIGINT NOT NULL,
                action TEXT NOT NULL,
                reason TEXT,
                rung BIGINT,
                cutoff DOUBLE PRECISION,
                value DOUBLE PRECISION NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                FOREIGN KEY (experiment_id, trial) REFERENCES trials (experiment_id, number) ON DELETE CASCADE
            )
            """,
            "CREATE INDEX decisions_by_trial ON decisions (experiment_id, trial)",
            // Registry blobs live in the database, content-addressed, so workers need no shared file system.
            "CREATE TABLE blobs (sha256 TEXT PRIMARY KEY, size BIGINT NOT NULL, data BYTEA NOT NULL)",
            "CREATE TABLE models (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, created_at DOUBLE PRECISION NOT NULL)",
            """
            CREATE TABLE model_versions (
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                version BIGINT NOT NULL,
                blob_sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                blob_size BIGINT NOT NULL,
                experiment TEXT, trial BIGINT,
                params TEXT NOT NULL, metrics TEXT NOT NULL,
                objective_metric TEXT, direction TEXT, spec_sha256 TEXT, data_sha256 TEXT,
                description TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                flavor TEXT,
                artifacts TEXT,
                PRIMARY KEY (model_id, version)
            )
            """,
            """
            CREATE TABLE model_aliases (
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                alias TEXT NOT NULL,
                version BIGINT NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (model_id, alias),
                FOREIGN KEY (model_id, version) REFERENCES model_versions (model_id, version)
            )
            """,
            """
            CREATE TABLE alias_history (
                id BIGSERIAL PRIMARY KEY,
                model_id BIGINT NOT NULL REFERENCES models(id) ON DELETE CASCADE,
                alias TEXT NOT NULL,
                old_version BIGINT,
                new_version BIGINT NOT NULL,
                kind TEXT NOT NULL,
                reason TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX alias_history_by_alias ON alias_history (model_id, alias, id)",
        ]),
        // Workers that claim trials from the database (`forage worker --store`, `forage run --shared`).
        Migration(number: 2, name: "shared-trial-queue", statements: [
            "ALTER TABLE trials ADD COLUMN claim_token TEXT, ADD COLUMN lease_until DOUBLE PRECISION",
            "ALTER TABLE experiments ADD COLUMN shared BOOLEAN NOT NULL DEFAULT FALSE, ADD COLUMN claim_lease DOUBLE PRECISION",
            "CREATE INDEX trials_queued ON trials (experiment_id, number) WHERE state = 'queued'",
            "CREATE INDEX trials_running_lease ON trials (experiment_id, lease_until) WHERE state = 'running'",
        ]),
        // Numbered as the SQLite store's migration of the same change. Several objectives and constraints: the
        // experiment's goals (JSON; NULL for one unconstrained objective), each completed trial's value per objective
        // (JSON array; NULL for one objective) and its total constraint violation (0 = feasible; NULL without constraints).
        Migration(number: 8, name: "objective-values", statements: [
            "ALTER TABLE experiments ADD COLUMN goals TEXT",
            "ALTER TABLE trials ADD COLUMN objective_values TEXT",
            "ALTER TABLE trials ADD COLUMN violation DOUBLE PRECISION",
        ]),
        // When an external trial (`forage ask`) last renewed its lease with a `forage tell --step`. Numbered as
        // SQLite's migration of the same change.
        Migration(number: 9, name: "external-trials", statements: [
            "ALTER TABLE trials ADD COLUMN renewed_at DOUBLE PRECISION",
        ]),
        // Exact parameter sets queued to run before sampled trials (`forage enqueue`, a spec's `enqueue:`); `trial`
        // is set, in the transaction that starts that trial, when one takes it. Numbered as SQLite's migration.
        Migration(number: 10, name: "enqueued-params", statements: [
            """
            CREATE TABLE enqueued_params (
                id BIGSERIAL PRIMARY KEY,
                experiment_id BIGINT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
                params TEXT NOT NULL,
                trial BIGINT,
                created_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX enqueued_pending ON enqueued_params (experiment_id, id) WHERE trial IS NULL",
        ]),
        // The model files a trial left, kept in the database so any machine can promote the trial (its folder stays
        // on the machine that ran it); contents in `blobs`, by hash. PostgreSQL only: a SQLite folder's trial files
        // are read in place, so SQLite has no migration 13.
        Migration(number: 13, name: "trial-files", statements: [
            """
            CREATE TABLE trial_files (
                experiment_id BIGINT NOT NULL REFERENCES experiments(id) ON DELETE CASCADE,
                number INTEGER NOT NULL,
                name TEXT NOT NULL,
                sha256 TEXT NOT NULL REFERENCES blobs(sha256),
                size BIGINT NOT NULL,
                PRIMARY KEY (experiment_id, number, name)
            )
            """,
        ]),
    ]

    /// The numbers of the migrations applied to the database, or nil when it holds no Forage store.
    static func applied(_ database: PostgresDatabase) async throws -> [Int]? {
        let exists = try await database.rows("SELECT to_regclass('forage_migrations') IS NOT NULL AS present") { row in
            try row.get("present", as: Bool.self)
        }
        guard exists.first == true else { return nil }
        return try await database.rows("SELECT number FROM forage_migrations ORDER BY number") { row in try row.get("number", as: Int.self) }
    }

    /// Refuses a database that is not at this Forage's schema: one from a newer Forage, one that needs
    /// `forage store migrate`, one with no store at all.
    static func check(_ database: PostgresDatabase) async throws {
        let display = database.location.display
        guard let applied = try await applied(database) else { throw StoreError.noStore(path: display) }
        let known = migrations.map(\.number)
        if !Set(applied).isSubset(of: Set(known)) { throw StoreError.newerSchema(path: display) }
        if applied.count < known.count {
            throw StoreError.needsMigration(path: display, found: applied.count, current: known.count)
        }
    }

    /// Applies the migrations not yet applied, each in its own transaction, under an advisory lock so two
    /// processes migrating at once do not race. Returns the numbers it applied.
    @discardableResult
    static func migrate(_ database: PostgresDatabase) async throws -> [Int] {
        try await database.transaction { connection in
            // A transaction-scoped lock: released at commit.
            try await connection.run("SELECT pg_advisory_xact_lock(\(Self.migrationLock))")
            try await connection.run(
                "CREATE TABLE IF NOT EXISTS forage_migrations (number INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())")
            let applied = Set(try await connection.rows("SELECT number FROM forage_migrations") { row in try row.get("number", as: Int.self) })
            if let newest = applied.max(), newest > (migrations.map(\.number).max() ?? 0) {
                throw StoreError.newerSchema(path: database.location.display)
            }
            var done: [Int] = []
            for migration in migrations where !applied.contains(migration.number) {
                for statement in migration.statements { try await connection.run(PostgresQuery(unsafeSQL: statement)) }
                try await connection.run(
                    "INSERT INTO forage_migrations (number, name) VALUES (\(migration.number), \(migration.name))")
                done.append(migration.number)
            }
            return done
        }
    }

    /// The advisory lock key migrations hold (`forage` in ASCII).
    static let migrationLock: Int64 = 0x666f_7261_6765
}
