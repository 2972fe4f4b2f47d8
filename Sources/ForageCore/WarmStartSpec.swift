/// `warm_start: {experiment: OTHER, store: PATH}`: the sampler also learns from another experiment's completed
/// trials (those whose parameters fit this space), as if they were earlier trials of this one.
public struct WarmStartSpec: Sendable, Equatable {
    /// The experiment to learn from.
    public var experiment: String
    /// The store that holds it (a folder or a `postgres://` URL), or nil for the experiment's own store.
    public var store: String?

    public init(experiment: String, store: String? = nil) {
        self.experiment = experiment
        self.store = store
    }
}
