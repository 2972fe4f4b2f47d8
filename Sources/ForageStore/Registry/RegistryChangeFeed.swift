/// A registry that announces alias moves as they commit (PostgreSQL's `LISTEN/NOTIFY`), so a server following an
/// alias learns of a move at once instead of at its next poll.
///
/// An implementation must guarantee: `onChange` is called with the model's name for every alias move committed
/// after the call started (spurious calls are allowed: the follower re-reads the alias); the call returns only when
/// the task is cancelled, and throws when the feed breaks (the follower then falls back to polling).
public protocol RegistryChangeFeed: Sendable {
    func followAliasMoves(_ onChange: @escaping @Sendable (String) -> Void) async throws
}
