/// `X · coef + intercept` for linear models, as one dgemm call (the intercepts are pre-filled into the output and
/// added with beta = 1).
package enum LinearScores {
    package static func compute(_ x: Matrix<Double>, coef: Matrix<Double>, intercept: [Double]) -> Matrix<Double> {
        var scores = Matrix<Double>(rows: x.rows, columns: coef.columns)
        scores.addRowVector(intercept)
        Matrix.multiply(x, coef, into: &scores, beta: 1)
        return scores
    }

    /// Class probabilities from linear scores: sigmoid for one output column (binary, giving two columns), softmax
    /// otherwise.
    static func probabilities(fromScores scores: Matrix<Double>) -> Matrix<Double> {
        if scores.columns == 1 {
            var result = Matrix<Double>(rows: scores.rows, columns: 2)
            for r in 0..<scores.rows {
                let p = Activations.sigmoid(scores[r, 0])
                result[r, 0] = 1 - p
                result[r, 1] = p
            }
            return result
        }
        var result = scores
        Activations.softmaxRows(&result)
        return result
    }
}
