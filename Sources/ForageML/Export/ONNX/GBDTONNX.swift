/// Gradient-boosted trees in ONNX: one `ai.onnx.ml` `TreeEnsemble` node (opset 5, double splits and leaves, so the
/// paths and sums are Forage's in double) gives each output's sum of leaves; the starting scores are added, then a
/// sigmoid (two classes, as two columns) or a softmax (more classes) for classification. Each split is
/// `x <= threshold` on the standardised feature (a `BRANCH_LEQ` node whose true branch is Forage's left child), and
/// a missing value (NaN, with `data.missing: native`) follows the split's stored default direction
/// (`nodes_missing_value_tracks_true`). A tree that never split is one node whose both branches are its leaf.
enum GBDTONNX: ONNXFamilyExporter {
    static let families = [GBDTTrainer.family]

    /// The ensemble's nodes and leaves in `TreeEnsemble`'s flat layout: every tree's internal nodes one after
    /// another (`roots` the index of each tree's first), child ids global node or leaf indices.
    struct Layout {
        var roots: [Int] = []
        var features: [Int] = []
        var splits: [Double] = []
        var trueIDs: [Int] = []
        var trueLeaf: [Int] = []
        var falseIDs: [Int] = []
        var falseLeaf: [Int] = []
        var missingTrue: [Int] = []
        var leafTargets: [Int] = []
        var leafWeights: [Double] = []

        init(_ ensemble: TreeEnsemble) {
            let outputs = ensemble.outputs
            for (t, tree) in ensemble.trees.enumerated() {
                let nodeBase = features.count
                let leafBase = leafWeights.count
                roots.append(nodeBase)
                func child(_ index: Int) -> (id: Int, leaf: Int) { index < 0 ? (leafBase + ~index, 1) : (nodeBase + index, 0) }
                if tree.feature.isEmpty {
                    features.append(0)
                    splits.append(0)
                    trueIDs.append(leafBase)
                    trueLeaf.append(1)
                    falseIDs.append(leafBase)
                    falseLeaf.append(1)
                    missingTrue.append(0)
                } else {
                    for i in tree.feature.indices {
                        features.append(tree.feature[i])
                        splits.append(tree.threshold[i])
                        let (left, leftIsLeaf) = child(tree.left[i])
                        let (right, rightIsLeaf) = child(tree.right[i])
                        trueIDs.append(left)
                        trueLeaf.append(leftIsLeaf)
                        falseIDs.append(right)
                        falseLeaf.append(rightIsLeaf)
                        missingTrue.append(tree.defaultLeft[i] ? 1 : 0)
                    }
                }
                leafWeights += tree.leafValues
                leafTargets += Array(repeating: t % outputs, count: tree.leafValues.count)
            }
        }
    }

    static func head(of file: ModelFile, features: String, graph: inout ONNXGraph) throws(ONNXExportError) -> ONNXExport.Head {
        let header = file.header
        let classes = header.classLabels.count
        let outputs = header.task == .regression || classes == 2 ? 1 : classes
        let ensemble: TreeEnsemble
        do {
            ensemble = try TreeEnsemble(tensors: file, featureCount: header.encoder.featureCount, outputs: outputs)
        } catch {
            throw .malformed(error.reason)
        }
        guard !ensemble.trees.isEmpty else { throw .malformed("the ensemble has no trees") }
        let layout = Layout(ensemble)
        let sums = graph.node(
            "TreeEnsemble", [features], domain: ONNXGraph.mlDomain,
            [
                .int("n_targets", outputs), .int("aggregate_function", 1), .int("post_transform", 0),
                .ints("tree_roots", layout.roots), .ints("nodes_featureids", layout.features),
                .doubles("nodes_splits", layout.splits),
                .bytes("nodes_modes", Array(repeating: 0, count: layout.features.count)),
                .ints("nodes_truenodeids", layout.trueIDs), .ints("nodes_trueleafs", layout.trueLeaf),
                .ints("nodes_falsenodeids", layout.falseIDs), .ints("nodes_falseleafs", layout.falseLeaf),
                .ints("nodes_missing_value_tracks_true", layout.missingTrue),
                .ints("leaf_targetids", layout.leafTargets), .doubles("leaf_weights", layout.leafWeights),
            ])
        let start = graph.constant("init_score", doubles: ensemble.initialScores, shape: [1, outputs])
        let scores = graph.node("Add", [sums, start])
        if header.task == .regression { return .values(scores) }
        if outputs == 1 {
            let positive = graph.node("Sigmoid", [scores])
            let one = graph.constant("one", doubles: [1], shape: [1, 1])
            let negative = graph.node("Sub", [one, positive])
            return .probabilities(graph.node("Concat", [negative, positive], [.int("axis", 1)]))
        }
        return .probabilities(graph.node("Softmax", [scores], [.int("axis", 1)]))
    }
}
