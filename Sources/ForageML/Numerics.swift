// The trainers' matrices, BLAS products, Cholesky solves and L-BFGS live in ForageNumerics (shared with GP-BO);
// ForageML's public API (models, prepared data) is written in them, so it re-exports that module.
@_exported import ForageNumerics
