import ForageML
import HTTPTypes
import NIOCore

extension PredictionEndpoints {
    /// A prediction request's answer: the status, the JSON body and, for a 200, the model version that answered,
    /// how many request columns were dropped and how many categorical values training never saw.
    struct Answer {
        var status: HTTPResponse.Status
        var body: ByteBuffer
        var version: String?
        var droppedColumns = 0
        var unseenCategories = 0
        /// A 200's predictions (for the rollout's comparisons and drift monitoring; not sent).
        var predictions: Predictions?
        /// A 200's decoded rows, when drift monitoring wants them.
        var input: PredictionEndpoints.RawInput?

        /// The headers every path adds to a prediction's response (besides the content type and length).
        func addHeaders(to fields: inout HTTPFields) {
            if let version, let name = Names.version { fields[name] = version }
            if droppedColumns > 0, let name = Names.dropped { fields[name] = String(droppedColumns) }
            if unseenCategories > 0, let name = Names.unseen { fields[name] = String(unseenCategories) }
        }

        static func refused(_ status: HTTPResponse.Status, code: String, _ message: String) -> Answer {
            Answer(status: status, body: PredictionEndpoints.errorBody(code: code, message))
        }
    }

    /// The response headers of predictions.
    enum Names {
        /// Which model version answered.
        static let version = HTTPField.Name("X-Forage-Model-Version")
        /// How many columns of the request the model does not use (dropped; only when there are any).
        static let dropped = HTTPField.Name("X-Forage-Dropped-Columns")
        /// How many categorical values were never seen in training (only when there are any).
        static let unseen = HTTPField.Name("X-Forage-Unseen-Categories")
        /// The client's request id: keeps it on the same side of a canary rollout.
        static let requestID = HTTPField.Name("X-Request-Id")
    }

    /// Answers a whole `/invocations` body (synchronous, so the fast lane can call it on the event loop). `query`
    /// is the request's query string; a `text/csv` `contentType` means a CSV body, anything else JSON;
    /// `requestID` (the `X-Request-Id` header) keeps a client on the same side of a canary rollout.
    func answer(_ body: ByteBuffer, query: Substring?, contentType: String?, requestID: String? = nil) -> Answer {
        let started = ContinuousClock.now
        let (role, snapshot) = rollout.choose(requestID: requestID)
        let csv = contentType.map(InvocationCSV.isCSV) ?? false
        let watched = role == .primary ? drift : nil
        let answer = answer(body, query: query, csv: csv, snapshot: snapshot, keepInput: watched != nil)
        let rows = answer.predictions?.count ?? 0
        rollout.stats(role, snapshot).request(ok: answer.status == .ok, rows: rows, nanoseconds: Rollout.nanoseconds(since: started))
        if let predictions = answer.predictions {
            rollout.compare(body: body, csv: csv, answeredBy: role, snapshot: snapshot, predictions: predictions)
            if let watched, let input = answer.input { watched.observe(input, predictions: predictions, snapshot: snapshot) }
        }
        return answer
    }

    /// The answer of one version.
    private func answer(_ body: ByteBuffer, query: Substring?, csv: Bool, snapshot: ServedModel.Snapshot, keepInput: Bool) -> Answer {
        let proba: Bool
        do {
            proba = try Self.probabilities(in: query)
        } catch {
            return .refused(.badRequest, code: "BAD_REQUEST", error.message)
        }
        let model = snapshot.model
        if proba, model.file.header.task == .regression {
            return .refused(
                .badRequest, code: "BAD_REQUEST",
                "proba=true needs a classification model; \(snapshot.version.model):\(snapshot.version.version) is a regression model (it predicts values, not class probabilities)"
            )
        }
        let predictions: Predictions
        let dropped: Int
        let input: RawInput?
        do {
            (predictions, dropped, input) = try Self.predict(body, csv: csv, model: model, keepInput: keepInput)
        } catch {
            return error.answer
        }
        metrics.predicted(rows: predictions.count)
        if dropped > 0 { metrics.droppedColumns(dropped) }
        if !predictions.unseenCategories.isEmpty { metrics.unseenCategories(predictions.unseenCategories.count) }
        var answer = Answer(
            status: .ok, body: PredictionJSON.encode(predictions, probabilities: proba, labels: snapshot.labelsJSON),
            version: snapshot.versionText, droppedColumns: dropped, unseenCategories: predictions.unseenCategories.count)
        answer.predictions = predictions
        answer.input = input
        return answer
    }

    /// A request body that could not be predicted, with the answer that says why.
    struct Refusal: Error {
        let answer: Answer
    }

    /// A request's rows as decoded, kept for drift monitoring.
    enum RawInput {
        /// Numbers only, row after row in input-column order.
        case numbers([Double])
        case rows([[InputValue]])
        case records([[String: InputValue]])
    }

    /// Decodes a body for `model` and predicts it: the predictions, how many request columns were dropped and,
    /// when `keepInput`, the decoded rows.
    static func predict(_ body: ByteBuffer, csv: Bool, model: Model, keepInput: Bool = false) throws(Refusal)
        -> (predictions: Predictions, dropped: Int, input: RawInput?)
    {
        // The common case (`{"inputs": [[numbers]]}` for a model with numeric inputs) skips the JSON tree.
        var kept: [Double]?
        let fast = csv ? nil : body.withUnsafeReadableBytes { bytes in
            JSONParser.numericInputs(bytes, width: model.inputColumns.count).flatMap { values in
                if keepInput { kept = values }
                return model.predict(numericRows: values)
            }
        }
        if let fast { return (fast, 0, kept.map(RawInput.numbers)) }
        do {
            let decoded = try body.withUnsafeReadableBytes { bytes in
                if csv { return try InvocationCSV.decode(bytes, columns: model.inputColumns) }
                return try InvocationDecoder.decode(try JSONParser.parse(bytes), columns: model.inputColumns)
            }
            switch decoded.batch {
            case .rows(let rows):
                return (try model.predict(rows: rows), decoded.droppedColumns.count, keepInput ? .rows(rows) : nil)
            case .records(let records):
                return (try model.predict(records: records), decoded.droppedColumns.count, keepInput ? .records(records) : nil)
            }
        } catch let error as JSONParseError {
            // A key given twice is valid JSON, but an ambiguous request.
            throw Refusal(answer: .refused(.badRequest, code: error.duplicateKey == nil ? "MALFORMED_REQUEST" : "BAD_REQUEST", error.description))
        } catch let error as BadRequest {
            throw Refusal(answer: .refused(.badRequest, code: "BAD_REQUEST", error.message))
        } catch let error as PredictionError {
            throw Refusal(answer: .refused(.badRequest, code: "BAD_REQUEST", error.description))
        } catch {
            throw Refusal(answer: .refused(.internalServerError, code: "INTERNAL_ERROR", "the prediction failed unexpectedly"))
        }
    }

    /// `proba=true` (or `1`, or a bare `proba`) in a query string; `false`/`0` or no `proba` is false; any other
    /// value is refused.
    static func probabilities(in query: Substring?) throws(BadRequest) -> Bool {
        guard let query else { return false }
        var wanted = false
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard parts.first == "proba" else { continue }
            let value = parts.count > 1 ? parts[1].lowercased() : "true"
            switch value {
            case "true", "1": wanted = true
            case "false", "0": wanted = false
            default: throw BadRequest("proba must be true or false, got '\(parts[1])'")
            }
        }
        return wanted
    }
}
