/// Trials read page by page from a store: an `AsyncSequence` that holds one page at a time, so listing and
/// exporting an experiment of any size runs in constant memory.
public struct TrialStream: AsyncSequence, Sendable {
    public typealias Element = TrialRecord
    /// Reads the page after the given trial (the first page when nil); an empty page ends the stream.
    public typealias PageReader = @Sendable (_ after: TrialRecord?) async throws -> [TrialRecord]

    let readPage: PageReader
    let limit: Int?

    public init(limit: Int? = nil, readPage: @escaping PageReader) {
        self.limit = limit
        self.readPage = readPage
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(readPage: readPage, remaining: limit)
    }

    /// Walks the pages in order.
    public struct Iterator: AsyncIteratorProtocol {
        let readPage: PageReader
        var remaining: Int?
        var page: [TrialRecord] = []
        var index = 0
        var last: TrialRecord?
        var ended = false

        public mutating func next() async throws -> TrialRecord? {
            if ended || remaining == 0 { return nil }
            if index == page.count {
                page = try await readPage(last)
                index = 0
                if page.isEmpty {
                    ended = true
                    return nil
                }
            }
            let trial = page[index]
            index += 1
            last = trial
            if let count = remaining { remaining = count - 1 }
            return trial
        }
    }
}

extension TrialStream {
    /// Every trial of the stream in one array: for small experiments and tests only (memory grows with the count).
    public func collect() async throws -> [TrialRecord] {
        var trials: [TrialRecord] = []
        for try await trial in self { trials.append(trial) }
        return trials
    }
}
