/// The search spaces `model: auto` uses when the spec gives no `search_space:`, embedded so that the binary needs
/// no file from the repository. They are the shipped `Search/tabular-auto.yaml` (classification) and
/// `Search/tabular-auto-regression.yaml` (regression), byte for byte (a test checks it).
public enum DefaultSpaces {
    /// The classification space: logistic regression, gbdt or an MLP.
    public static let classification = """
    # Search space for `trial: {model: auto}` on CLASSIFICATION data (ForageML built-in trainers); the built-in default.
    # `model` chooses the family, cheapest first (the cfo searcher starts each family in this order); every other
    # parameter applies only when its family is chosen (`when:`). cfo starts rounds, max_leaves, layers, hidden and
    # epochs at their low end and the others at the middle of their range, then grows them where that pays.
    # ridge is regression-only, so it is not offered here: use tabular-auto-regression.yaml for regression data.
    model:             {type: categorical, choices: [logistic, gbdt, mlp]}
    l2:                {type: float, low: 1.0e-6, high: 1.0e-1, log: true, when: {model: [logistic, gbdt, mlp]}}
    rounds:            {type: int, low: 4, high: 2000, log: true, when: {model: [gbdt]}}
    max_leaves:        {type: int, low: 4, high: 256, log: true, when: {model: [gbdt]}}
    learning_rate:     {type: float, low: 0.01, high: 1.0, log: true, when: {model: [gbdt]}}
    min_child_samples: {type: int, low: 2, high: 128, log: true, when: {model: [gbdt]}}
    colsample:         {type: float, low: 0.4, high: 1.0, when: {model: [gbdt]}}
    layers:            {type: int, low: 1, high: 3, when: {model: [mlp]}}
    hidden:            {type: int, low: 16, high: 256, log: true, when: {model: [mlp]}}
    activation:        {type: categorical, choices: [relu, tanh], when: {model: [mlp]}}
    lr:                {type: float, low: 1.0e-4, high: 3.0e-2, log: true, when: {model: [mlp]}}
    batch_size:        {type: categorical, choices: [64, 32, 128], when: {model: [mlp]}}
    epochs:            {type: int, low: 10, high: 60, when: {model: [mlp]}}
    """

    /// The regression space: ridge, gbdt or an MLP.
    public static let regression = """
    # Search space for `trial: {model: auto}` on REGRESSION data (ForageML built-in trainers); the built-in default.
    # `model` chooses the family, cheapest first (the cfo searcher starts each family in this order); every other
    # parameter applies only when its family is chosen (`when:`). cfo starts rounds, max_leaves, layers, hidden and
    # epochs at their low end and the others at the middle of their range, then grows them where that pays.
    # logistic is classification-only, so it is not offered here: use tabular-auto.yaml for classification data.
    model:             {type: categorical, choices: [ridge, gbdt, mlp]}
    alpha:             {type: float, low: 1.0e-4, high: 1.0e+2, log: true, when: {model: [ridge]}}
    l2:                {type: float, low: 1.0e-6, high: 1.0e-1, log: true, when: {model: [gbdt, mlp]}}
    rounds:            {type: int, low: 4, high: 2000, log: true, when: {model: [gbdt]}}
    max_leaves:        {type: int, low: 4, high: 256, log: true, when: {model: [gbdt]}}
    learning_rate:     {type: float, low: 0.01, high: 1.0, log: true, when: {model: [gbdt]}}
    min_child_samples: {type: int, low: 2, high: 128, log: true, when: {model: [gbdt]}}
    colsample:         {type: float, low: 0.4, high: 1.0, when: {model: [gbdt]}}
    layers:            {type: int, low: 1, high: 3, when: {model: [mlp]}}
    hidden:            {type: int, low: 16, high: 256, log: true, when: {model: [mlp]}}
    activation:        {type: categorical, choices: [relu, tanh], when: {model: [mlp]}}
    lr:                {type: float, low: 1.0e-4, high: 3.0e-2, log: true, when: {model: [mlp]}}
    batch_size:        {type: categorical, choices: [32, 16, 64], when: {model: [mlp]}}
    epochs:            {type: int, low: 20, high: 100, when: {model: [mlp]}}
    """

    /// The shipped space for a `trial: {model: auto}` spec without `search_space:`, chosen by `data.task`
    /// (classification when it is missing or not yet valid: the data section's own checks report that), or nil when
    /// the trial is not `model: auto`. `name` is the shipped file's name, for errors.
    static func forAutoModel(trial: SpecNode?, data: SpecNode?) -> (name: String, text: String)? {
        guard let trial, let fields = try? trial.mapping(), let model = fields["model"], (try? model.string()) == "auto" else { return nil }
        var task: String?
        if let data, let dataFields = try? data.mapping(), let node = dataFields["task"] { task = try? node.string() }
        return task == "regression"
            ? ("Search/tabular-auto-regression.yaml (built in)", regression)
            : ("Search/tabular-auto.yaml (built in)", classification)
    }
}
