extension Schema {
    /// Migration 2: the model registry's tables (models, versions with lineage, aliases and every alias move).
    /// Blobs live as files under `blobs/<sha256>`; the database only names them.
    static let registrySQL = """
        CREATE TABLE models (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE,
            created_at REAL NOT NULL
        );
        CREATE TABLE model_versions (
            model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            version INTEGER NOT NULL,
            blob_sha256 TEXT NOT NULL,
            blob_size INTEGER NOT NULL,
            experiment TEXT,
            trial INTEGER,
            params TEXT NOT NULL,
            metrics TEXT NOT NULL,
            objective_metric TEXT,
            direction TEXT,
            spec_sha256 TEXT,
            data_sha256 TEXT,
            description TEXT,
            created_at REAL NOT NULL,
            PRIMARY KEY (model_id, version)
        ) WITHOUT ROWID;
        CREATE TABLE model_aliases (
            model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            version INTEGER NOT NULL,
            updated_at REAL NOT NULL,
            PRIMARY KEY (model_id, alias),
            FOREIGN KEY (model_id, version) REFERENCES model_versions(model_id, version)
        ) WITHOUT ROWID;
        CREATE TABLE alias_history (
            id INTEGER PRIMARY KEY,
            model_id INTEGER NOT NULL REFERENCES models(id) ON DELETE CASCADE,
            alias TEXT NOT NULL,
            old_version INTEGER,
            new_version INTEGER NOT NULL,
            kind TEXT NOT NULL,
            reason TEXT NOT NULL,
            created_at REAL NOT NULL
        );
        CREATE INDEX alias_history_by_alias ON alias_history(model_id, alias, id);
        PRAGMA user_version = 3;
        """
}
