import Synchronization

/// Reports of an attempt whose coordinator does not judge them: sent with the finish.
final class ReportBuffer: Sendable {
    private let reports = Mutex<[CoordinatorAPI.Report]>([])

    func append(_ report: CoordinatorAPI.Report) {
        reports.withLock { $0.append(report) }
    }

    func drain() -> [CoordinatorAPI.Report] {
        reports.withLock { reports in
            defer { reports.removeAll() }
            return reports
        }
    }
}
