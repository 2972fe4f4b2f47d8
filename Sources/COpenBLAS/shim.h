// OpenBLAS for ForageNumerics: CBLAS, the thread-count controls and the few LAPACK routines the trainers use.
// Debian's libopenblas carries LAPACK inside libopenblas.so, so declaring the Fortran symbols is enough.
#ifndef FORAGE_COPENBLAS_SHIM_H
#define FORAGE_COPENBLAS_SHIM_H

#include <cblas.h>

// Already declared by OpenBLAS's cblas.h; repeated here so the dependency is explicit.
void openblas_set_num_threads(int num_threads);
int openblas_get_num_threads(void);

// LAPACK (Fortran calling convention, 32-bit integers: this OpenBLAS is built without USE_64BITINT).
// Cholesky factorisation of a symmetric positive definite matrix.
void dpotrf_(const char *uplo, const int *n, double *a, const int *lda, int *info);
// Solve A X = B with the factor from dpotrf_.
void dpotrs_(const char *uplo, const int *n, const int *nrhs, const double *a, const int *lda,
             double *b, const int *ldb, int *info);
// The inverse of A from the factor of dpotrf_ (GP-BO's marginal-likelihood gradient).
void dpotri_(const char *uplo, const int *n, double *a, const int *lda, int *info);
// Eigenvalues and eigenvectors of a symmetric matrix (CMA-ES's covariance).
void dsyev_(const char *jobz, const char *uplo, const int *n, double *a, const int *lda, double *w,
            double *work, const int *lwork, int *info);

#endif
