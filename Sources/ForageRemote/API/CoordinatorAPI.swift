import ForageCore
import Foundation

/// The coordinator's HTTP/JSON API (DESIGN §8), version 1: the messages a `forage worker` and a coordinator
/// (`forage run --listen`) exchange. Every request carries `Authorization: Bearer <token>`.
///
/// | call | body | answer |
/// |---|---|---|
/// | `POST /v1/leases` | `LeaseRequest` | `LeaseResponse` |
/// | `POST /v1/leases/{lease}/renew` | none | `ActionResponse`, or 409 when the lease is not held |
/// | `POST /v1/leases/{lease}/reports` | `Report` | `ActionResponse` (the scheduler's decision), or 409 |
/// | `POST /v1/leases/{lease}/finish` | `FinishRequest` | `FinishResponse` (idempotent; may carry the next leases), or 409 |
/// | `PUT /v1/leases/{lease}/artifacts/{name}` | the file's bytes | 204; `name` must be `model…` (the model file `promote` copies) |
/// | `POST /v1/finish` | `BatchFinishRequest` | `BatchFinishResponse`: several finishes in one call (fast trials) |
/// | `GET /v1/spec` | none | `SpecDocument` |
/// | `GET /v1/status` | none | `StatusResponse` |
///
/// Errors are `ErrorResponse` bodies: 400 (a malformed request), 401 (a missing or wrong token), 409 (a lease that
/// expired, was superseded or belongs to an earlier coordinator).
public enum CoordinatorAPI {
    /// The path prefix of this version.
    public static let prefix = "/v1"

    /// Whether `name` may be uploaded as an artifact: a plain file name starting with `model` (what `promote` reads).
    public static func isArtifactName(_ name: String) -> Bool {
        name.hasPrefix("model") && name.count <= 200 && name != "." && !name.contains("/") && !name.contains("..")
            && name.unicodeScalars.allSatisfy { $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "._-".unicodeScalars.contains($0)) }
    }

    /// A worker asks for up to `max` attempts.
    public struct LeaseRequest: Codable, Sendable {
        public var worker: String
        public var max: Int

        public init(worker: String, max: Int) {
            self.worker = worker
            self.max = max
        }
    }

    /// `granted` with leases, `wait` (ask again after `retry_after` seconds) or `finished` (nothing more will come).
    public struct LeaseResponse: Codable, Sendable {
        /// The answer's kind.
        public enum Status: String, Codable, Sendable {
            case granted, wait, finished
        }

        public var status: Status
        public var leases: [Grant]
        public var retryAfter: Double?
        public var message: String?

        public init(status: Status, leases: [Grant] = [], retryAfter: Double? = nil, message: String? = nil) {
            self.status = status
            self.leases = leases
            self.retryAfter = retryAfter
            self.message = message
        }

        enum CodingKeys: String, CodingKey {
            case status, leases, message
            case retryAfter = "retry_after"
        }
    }

    /// One leased attempt: the trial to run and the lease to name in every later call about it.
    public struct Grant: Codable, Sendable {
        public var lease: String
        public var experiment: String
        /// The spec's SHA-256; the worker fetches `GET /v1/spec` when it has not seen it.
        public var specSHA256: String
        public var trial: Int
        public var attempt: Int
        public var params: ParameterSet
        /// Seconds within which the worker must renew, report or finish.
        public var leaseTimeout: Double
        /// Whether each report waits for a scheduler decision; when false, reports may travel with the finish.
        public var judgesReports: Bool

        public init(
            lease: String, experiment: String, specSHA256: String, trial: Int, attempt: Int, params: ParameterSet, leaseTimeout: Double,
            judgesReports: Bool
        ) {
            self.lease = lease
            self.experiment = experiment
            self.specSHA256 = specSHA256
            self.trial = trial
            self.attempt = attempt
            self.params = params
            self.leaseTimeout = leaseTimeout
            self.judgesReports = judgesReports
        }

        enum CodingKeys: String, CodingKey {
            case lease, experiment, trial, attempt, params
            case specSHA256 = "spec_sha256"
            case leaseTimeout = "lease_timeout"
            case judgesReports = "judges_reports"
        }
    }

    /// An intermediate report of a leased attempt.
    public struct Report: Codable, Sendable, Equatable {
        public var step: Int
        public var values: [String: Double]

        public init(step: Int, values: [String: Double]) {
            self.step = step
            self.values = values
        }
    }

    /// `continue` or `stop` (the scheduler's decision, or the coordinator stopping).
    public struct ActionResponse: Codable, Sendable {
        public var action: SchedulerDecision.Action

        public init(action: SchedulerDecision.Action) {
            self.action = action
        }
    }

    /// How a leased attempt ended, with any reports not sent yet. `next` asks for the worker's next attempts in
    /// the same round trip (answered in `FinishResponse.next`).
    public struct FinishRequest: Codable, Sendable {
        public var state: TrialState
        public var metrics: [String: Double]
        public var reason: FailureReason?
        public var message: String?
        public var reports: [Report]
        public var next: LeaseRequest?

        public init(outcome: TrialOutcome, reports: [Report] = [], next: LeaseRequest? = nil) {
            self.reports = reports
            self.next = next
            metrics = outcome.metrics
            switch outcome {
            case .completed: state = .completed
            case .pruned: state = .pruned
            case .failed(let reason, let message, _):
                state = .failed
                self.reason = reason
                self.message = message
            }
        }

        /// The outcome it describes, or nil when `state` is not a final state.
        public var outcome: TrialOutcome? {
            switch state {
            case .completed: return .completed(metrics: metrics)
            case .pruned: return .pruned(metrics: metrics)
            case .failed: return .failed(reason: reason ?? .error, message: message ?? "failed on a remote worker", metrics: metrics)
            case .queued, .running: return nil
            }
        }
    }

    /// Whether a finish was committed now or had been already (a retry after a lost reply), and the answer to its
    /// `next` lease request.
    public struct FinishResponse: Codable, Sendable {
        public var recorded: Bool
        public var duplicate: Bool
        public var next: LeaseResponse?

        public init(recorded: Bool, duplicate: Bool, next: LeaseResponse? = nil) {
            self.recorded = recorded
            self.duplicate = duplicate
            self.next = next
        }
    }

    /// Several finished attempts in one call, and optionally the request for the next leases. Each result is
    /// answered on its own: one refused lease does not refuse the others.
    public struct BatchFinishRequest: Codable, Sendable {
        /// One finished attempt, named by its lease.
        public struct Item: Codable, Sendable {
            public var lease: String
            public var result: FinishRequest

            public init(lease: String, result: FinishRequest) {
                self.lease = lease
                self.result = result
            }
        }

        public var results: [Item]
        public var next: LeaseRequest?

        public init(results: [Item], next: LeaseRequest?) {
            self.results = results
            self.next = next
        }
    }

    /// The answer to each result of a batch (`recorded`, `duplicate` or `refused` with the reason), and to `next`.
    public struct BatchFinishResponse: Codable, Sendable {
        /// The answer to one result of the batch.
        public struct Item: Codable, Sendable {
            /// Whether that result was recorded, had been recorded before, or was refused.
            public enum Status: String, Codable, Sendable {
                case recorded, duplicate, refused
            }

            public var lease: String
            public var status: Status
            public var error: String?

            public init(lease: String, status: Status, error: String? = nil) {
                self.lease = lease
                self.status = status
                self.error = error
            }
        }

        public var results: [Item]
        public var next: LeaseResponse?

        public init(results: [Item], next: LeaseResponse?) {
            self.results = results
            self.next = next
        }
    }

    /// The experiment's spec as the coordinator loaded it, for workers to run its trials.
    public struct SpecDocument: Codable, Sendable {
        public var experiment: String
        /// The spec's text as given.
        public var spec: String
        public var specSHA256: String
        /// The spec's file name, for error messages.
        public var specFile: String
        /// The spec's folder relative to the coordinator's working folder (or absolute when outside it): relative
        /// paths in the spec (data files, scripts) resolve against the same folder under the worker's `--directory`.
        public var specDirectory: String

        public init(experiment: String, spec: String, specSHA256: String, specFile: String, specDirectory: String) {
            self.experiment = experiment
            self.spec = spec
            self.specSHA256 = specSHA256
            self.specFile = specFile
            self.specDirectory = specDirectory
        }

        enum CodingKeys: String, CodingKey {
            case experiment, spec
            case specSHA256 = "spec_sha256"
            case specFile = "spec_file"
            case specDirectory = "spec_directory"
        }
    }

    /// The run as the coordinator sees it.
    public struct StatusResponse: Codable, Sendable {
        public var experiment: String
        public var done: Int
        public var total: Int
        public var running: Int
        public var leases: Int
        public var over: String?

        public init(experiment: String, done: Int, total: Int, running: Int, leases: Int, over: String?) {
            self.experiment = experiment
            self.done = done
            self.total = total
            self.running = running
            self.leases = leases
            self.over = over
        }
    }

    /// The body of every error answer.
    public struct ErrorResponse: Codable, Sendable {
        public var error: String

        public init(error: String) {
            self.error = error
        }
    }
}

/// JSON as the API writes it: NaN and infinities travel as strings, so a NaN metric is not a transport error.
public enum WireJSON {
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }

    public static func decoder() -> JSONDecoder {
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return decoder
    }
}
