import ForageRegistry
import ForageStore
import Foundation
import Logging

/// Follows a model reference (`M@alias` or `M`): polls the registry (one indexed read) and, when the version
/// changes, loads and checks the new one, then swaps it in. A registry that announces alias moves
/// (`RegistryChangeFeed`) wakes the follower at once; polling stays as the fallback. A version that fails to load is logged once and skipped;
/// the server keeps answering with the version it has.
struct ModelFollower: Sendable {
    let reference: ModelReference
    let loader: ModelLoader
    let served: ServedModel
    let interval: Duration
    let metrics: ServerMetrics
    let logger: Logger
    /// The part it plays in a rollout (named in its log lines).
    var role: RolloutRole = .primary

    func run() async {
        var refused: Int?
        let wakeup = Wakeup()
        let feed = (loader.registry as? any RegistryChangeFeed).map { feed in
            Task { [reference, logger] in
                do {
                    try await feed.followAliasMoves { model in if model == reference.model { wakeup.signal() } }
                } catch {
                    if !Task.isCancelled { logger.warning("alias notifications stopped (\(error)); polling every \(interval)") }
                }
            }
        }
        defer { feed?.cancel() }
        while !Task.isCancelled {
            await wakeup.wait(upTo: interval)
            if Task.isCancelled { return }
            let number: Int
            do {
                number = try await loader.registry.resolveNumber(reference)
            } catch {
                logger.warning("cannot resolve \(reference): \(error)")
                continue
            }
            let current = served.snapshot.version.version
            guard number != current, number != refused else { continue }
            do {
                let version = try await loader.registry.resolve(ModelReference(model: reference.model, selector: .version(number)))
                let snapshot = try await loader.load(version)
                served.swap(to: snapshot)
                refused = nil
                metrics.modelSwapped(to: number, role: role)
                logger.notice("now serving \(reference.model):\(number)", metadata: ["previous": "\(current)", "role": "\(role.rawValue)"])
            } catch {
                refused = number
                metrics.loadFailed()
                logger.error("refused \(reference.model):\(number), still serving version \(current) as \(role.rawValue): \(error)")
            }
        }
    }
}
