import ForageCore
import Foundation

/// A small random forest of CART regression trees (bootstrap samples, variance-reduction splits), seeded so that
/// the same data always give the same forest. Used as the surrogate model behind parameter importance.
struct RegressionForest {
    /// One node of a tree: a split (`feature`, `threshold`, children) or a leaf (`value`).
    struct Node {
        var feature = -1
        var threshold = 0.0
        var left = -1
        var right = -1
        var value = 0.0
    }

    /// One tree and the rows it did not see (its out-of-bag rows).
    struct Tree {
        var nodes: [Node] = []
        var outOfBag: [Int] = []

        func predict(_ row: [Double]) -> Double {
            var index = 0
            while nodes[index].feature >= 0 {
                let node = nodes[index]
                index = row[node.feature] <= node.threshold ? node.left : node.right
            }
            return nodes[index].value
        }
    }

    var trees: [Tree] = []
    let maxDepth: Int
    let minLeaf: Int

    /// Fits `treeCount` trees to rows `x` and targets `y`.
    init(x: [[Double]], y: [Double], treeCount: Int = 32, maxDepth: Int = 10, minLeaf: Int = 3, rng: inout SplitMix64) {
        self.maxDepth = maxDepth
        self.minLeaf = minLeaf
        let n = y.count
        for _ in 0..<treeCount {
            var inBag = [Bool](repeating: false, count: n)
            var sample: [Int] = []
            sample.reserveCapacity(n)
            for _ in 0..<n {
                let i = Int(rng.next() % UInt64(n))
                sample.append(i)
                inBag[i] = true
            }
            var tree = Tree()
            tree.outOfBag = (0..<n).filter { !inBag[$0] }
            grow(&tree, rows: sample, depth: 0, x: x, y: y)
            trees.append(tree)
        }
    }

    /// Adds the node for `rows` (and its subtree) to `tree`; returns its index.
    @discardableResult
    private func grow(_ tree: inout Tree, rows: [Int], depth: Int, x: [[Double]], y: [Double]) -> Int {
        let mean = rows.reduce(0) { $0 + y[$1] } / Double(rows.count)
        let index = tree.nodes.count
        tree.nodes.append(Node(value: mean))
        guard depth < maxDepth, rows.count >= 2 * minLeaf, let split = bestSplit(rows: rows, x: x, y: y) else { return index }
        let left = rows.filter { x[$0][split.feature] <= split.threshold }
        let right = rows.filter { x[$0][split.feature] > split.threshold }
        guard !left.isEmpty, !right.isEmpty else { return index }
        let l = grow(&tree, rows: left, depth: depth + 1, x: x, y: y)
        let r = grow(&tree, rows: right, depth: depth + 1, x: x, y: y)
        tree.nodes[index].feature = split.feature
        tree.nodes[index].threshold = split.threshold
        tree.nodes[index].left = l
        tree.nodes[index].right = r
        return index
    }

    /// The split of `rows` that most reduces the sum of squared errors, over every feature and threshold.
    private func bestSplit(rows: [Int], x: [[Double]], y: [Double]) -> (feature: Int, threshold: Double)? {
        guard let features = rows.first.map({ x[$0].count }) else { return nil }
        let total = rows.reduce(0) { $0 + y[$1] }
        let totalSquares = rows.reduce(0) { $0 + y[$1] * y[$1] }
        let n = Double(rows.count)
        var best: (feature: Int, threshold: Double)?
        var bestError = totalSquares - total * total / n - 1e-12
        for feature in 0..<features {
            let sorted = rows.sorted { x[$0][feature] < x[$1][feature] }
            var sum = 0.0, squares = 0.0
            for (k, row) in sorted.enumerated().dropLast() {
                sum += y[row]
                squares += y[row] * y[row]
                let count = Double(k + 1)
                guard k + 1 >= minLeaf, sorted.count - k - 1 >= minLeaf else { continue }
                let here = x[row][feature], next = x[sorted[k + 1]][feature]
                guard here < next else { continue }
                let rightSum = total - sum, rightSquares = totalSquares - squares
                let error = (squares - sum * sum / count) + (rightSquares - rightSum * rightSum / (n - count))
                if error < bestError {
                    bestError = error
                    best = (feature, (here + next) / 2)
                }
            }
        }
        return best
    }
}
