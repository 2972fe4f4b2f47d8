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
    }

    /// Answers a whole `/invocations` body (synchronous, so the fast lane can call it on the event loop). `query`
    /// is the request's query string; a `text/csv` `contentType` means a CSV body, anything else JSON.
    func answer(_ body: ByteBuffer, query: Substring?, contentType: String?) -> Answer {
        let proba: Bool
        do {
            proba = try Self.probabilities(in: query)
        } catch {
            return .refused(.badRequest, code: "BAD_REQUEST", error.message)
        }
        let snapshot = served.snapshot
        let model = snapshot.model
        if proba, model.file.header.task == .regression {
            return .refused(
                .badRequest, code: "BAD_REQUEST",
                "proba=true needs a classification model; \(snapshot.version.model):\(snapshot.version.version) is a regression model (it predicts values, not class probabilities)"
            )
        }
        let predictions: Predictions
        var dropped = 0
        let csv = contentType.map(InvocationCSV.isCSV) ?? false
        // The common case (`{"inputs": [[numbers]]}` for a model with numeric inputs) skips the JSON tree.
        let fast = csv ? nil : body.withUnsafeReadableBytes { bytes in
            JSONParser.numericInputs(bytes, width: model.inputColumns.count).flatMap { model.predict(numericRows: $0) }
        }
        if let fast {
            predictions = fast
        } else {
            do {
                let decoded = try body.withUnsafeReadableBytes { bytes in
                    if csv { return try InvocationCSV.decode(bytes, columns: model.inputColumns) }
                    return try InvocationDecoder.decode(try JSONParser.parse(bytes), columns: model.inputColumns)
                }
                dropped = decoded.droppedColumns.count
                switch decoded.batch {
                case .rows(let rows): predictions = try model.predict(rows: rows)
                case .records(let records): predictions = try model.predict(records: records)
                }
            } catch let error as JSONParseError {
                // A key given twice is valid JSON, but an ambiguous request.
                return .refused(.badRequest, code: error.duplicateKey == nil ? "MALFORMED_REQUEST" : "BAD_REQUEST", error.description)
            } catch let error as BadRequest {
                return .refused(.badRequest, code: "BAD_REQUEST", error.message)
            } catch let error as PredictionError {
                return .refused(.badRequest, code: "BAD_REQUEST", error.description)
            } catch {
                return .refused(.internalServerError, code: "INTERNAL_ERROR", "the prediction failed unexpectedly")
            }
        }
        metrics.predicted(rows: predictions.count)
        if dropped > 0 { metrics.droppedColumns(dropped) }
        if !predictions.unseenCategories.isEmpty { metrics.unseenCategories(predictions.unseenCategories.count) }
        return Answer(
            status: .ok, body: PredictionJSON.encode(predictions, probabilities: proba, labels: snapshot.labelsJSON),
            version: snapshot.versionText, droppedColumns: dropped, unseenCategories: predictions.unseenCategories.count)
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
