/// A trained boosted ensemble: the starting score of each output and the trees, round after round (`outputs`
/// trees per round, output `k`'s tree of round `r` at index `r · outputs + k`). Stored in the model file as three
/// float64 tensors: `init_score` [outputs], `tree_sizes` [trees, 2] (innerCount nodes, leaves), `nodes` [nodes, 6]
/// (feature, threshold, default-left as 0/1, left child, right child, 0) and `leaves` [leaves]; every value is a
/// Double stored bit for bit, so save → load → predict gives the same numbers.
struct TreeEnsemble: Sendable, Equatable {
    var initialScores: [Double]
    var trees: [RegressionTree]

    var outputs: Int { initialScores.count }

    /// Class-major raw scores (`scores[k · n + i]`) of rows of raw feature values.
    func scores(_ x: Matrix<Double>) -> [Double] {
        let n = x.rows
        let k = outputs
        var scores = [Double](repeating: 0, count: n * k)
        x.storage.withUnsafeBufferPointer { values in
            guard let base = values.baseAddress else { return }
            for i in 0..<n {
                let row = base + i * x.columns
                for c in 0..<k {
                    var s = initialScores[c]
                    var t = c
                    while t < trees.count {
                        s += trees[t].leafValues[trees[t].leaf(raw: row)]
                        t += k
                    }
                    scores[c * n + i] = s
                }
            }
        }
        return scores
    }

    /// The ensemble as model-file tensors.
    var tensors: [Tensor] {
        var sizes: [Double] = []
        var nodes: [Double] = []
        var leaves: [Double] = []
        for tree in trees {
            sizes.append(Double(tree.feature.count))
            sizes.append(Double(tree.leafValues.count))
            for i in 0..<tree.feature.count {
                nodes += [
                    Double(tree.feature[i]), tree.threshold[i], tree.defaultLeft[i] ? 1 : 0, Double(tree.left[i]),
                    Double(tree.right[i]), 0,
                ]
            }
            leaves += tree.leafValues
        }
        return [
            Tensor(name: "init_score", shape: [initialScores.count], values: .float64(initialScores)),
            Tensor(name: "tree_sizes", shape: [trees.count, 2], values: .float64(sizes)),
            Tensor(name: "nodes", shape: [nodes.count / 6, 6], values: .float64(nodes)),
            Tensor(name: "leaves", shape: [leaves.count], values: .float64(leaves)),
        ]
    }

    /// Rebuilds an ensemble from model-file tensors, checking every index against `featureCount`; the error text
    /// says what is wrong.
    init(tensors file: ModelFile, featureCount: Int, outputs: Int) throws(TreeEnsembleError) {
        guard case .float64(let initial)? = file.tensor("init_score")?.values, initial.count == outputs else {
            throw TreeEnsembleError(reason: "init_score is missing or has the wrong length")
        }
        guard case .float64(let sizes)? = file.tensor("tree_sizes")?.values, sizes.count % 2 == 0,
            case .float64(let nodes)? = file.tensor("nodes")?.values, nodes.count % 6 == 0,
            case .float64(let leaves)? = file.tensor("leaves")?.values
        else { throw TreeEnsembleError(reason: "the tree tensors are missing or misshapen") }
        guard (sizes.count / 2) % outputs == 0 else { throw TreeEnsembleError(reason: "the tree count is not a multiple of the outputs") }
        var trees: [RegressionTree] = []
        var nodeAt = 0
        var leafAt = 0
        func integer(_ x: Double) -> Int? { x.isFinite && x == x.rounded() && abs(x) < 1e9 ? Int(x) : nil }
        for t in 0..<(sizes.count / 2) {
            guard let innerCount = integer(sizes[2 * t]), let leafCount = integer(sizes[2 * t + 1]), innerCount >= 0,
                leafCount == innerCount + 1, nodeAt + innerCount * 6 <= nodes.count, leafAt + leafCount <= leaves.count
            else { throw TreeEnsembleError(reason: "tree \(t) has invalid sizes") }
            var tree = RegressionTree()
            for i in 0..<innerCount {
                let base = nodeAt + i * 6
                guard let feature = integer(nodes[base]), feature >= 0, feature < featureCount, !nodes[base + 1].isNaN,
                    let left = integer(nodes[base + 3]), let right = integer(nodes[base + 4]),
                    Self.validChild(left, after: i, innerCount: innerCount, leaves: leafCount),
                    Self.validChild(right, after: i, innerCount: innerCount, leaves: leafCount)
                else { throw TreeEnsembleError(reason: "tree \(t) node \(i) is invalid") }
                tree.feature.append(feature)
                tree.threshold.append(nodes[base + 1])
                tree.bin.append(0)
                tree.defaultLeft.append(nodes[base + 2] != 0)
                tree.left.append(left)
                tree.right.append(right)
            }
            tree.leafValues = Array(leaves[leafAt..<(leafAt + leafCount)])
            guard tree.leafValues.allSatisfy(\.isFinite) else { throw TreeEnsembleError(reason: "tree \(t) has a non-finite leaf") }
            nodeAt += innerCount * 6
            leafAt += leafCount
            trees.append(tree)
        }
        guard nodeAt == nodes.count, leafAt == leaves.count else { throw TreeEnsembleError(reason: "unused tree data") }
        self.initialScores = initial
        self.trees = trees
    }

    init(initialScores: [Double], trees: [RegressionTree]) {
        self.initialScores = initialScores
        self.trees = trees
    }

    /// A child index is a leaf in range, or an innerCount node after its parent (so traversal always ends).
    private static func validChild(_ child: Int, after node: Int, innerCount: Int, leaves: Int) -> Bool {
        child < 0 ? ~child < leaves : child > node && child < innerCount
    }
}

/// A model file whose tree tensors cannot be a valid ensemble.
struct TreeEnsembleError: Error {
    let reason: String
}
