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

    /// Walks the pages in order, reading the next page while the caller works through the current one (so a listing
    /// writes one page while the store decodes the next: at most two pages are held).
    public struct Iterator: AsyncIteratorProtocol {
        let readPage: PageReader
        var remaining: Int?
        var page: [TrialRecord] = []
        var index = 0
        var upcoming: Task<[TrialRecord], any Error>?
        var started = false
        var ended = false

        init(readPage: @escaping PageReader, remaining: Int?) {
            self.readPage = readPage
            self.remaining = remaining
        }

        public mutating func next() async throws -> TrialRecord? {
            if ended || remaining == 0 { return nil }
            if index == page.count {
                if let upcoming {
                    self.upcoming = nil
                    page = try await upcoming.value
                } else if !started {
                    page = try await readPage(nil)
                } else {
                    page = []
                }
                started = true
                index = 0
                if page.isEmpty {
                    ended = true
                    return nil
                }
                if let last = page.last, remaining.map({ $0 > page.count }) ?? true {
                    let readPage = self.readPage
                    upcoming = Task { try await readPage(last) }
                }
            }
            let trial = page[index]
            index += 1
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
