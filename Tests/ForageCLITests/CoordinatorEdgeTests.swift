import ForageRemote
import ForageTesting
import Foundation
import Testing

/// End-to-end: the coordinator (`forage run --listen`) at its edges. A worker's "completed" with a NaN, infinite or
/// missing objective is stored as the local rule has it (failed), a body over the limit gets 413, a request that
/// does not arrive in time is cut, and a busy port is reported in Forage's words.
@Suite(.serialized) struct CoordinatorEdgeTests {
    let remote = RemoteWorkerTests()
    let auth = [("Authorization", "Bearer \(RemoteWorkerTests.token)")]

    func json(_ response: HTTPConnection.Response) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: response.body) as? [String: Any]) ?? [:]
    }

    @Test func remoteFinishesAreJudgedLikeLocalOnesAndSlowOrLargeRequestsAreCut() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("token", RemoteWorkerTests.token + "\n")
        // A budget of 4 with 3 leased here: the coordinator keeps serving after those 3 finish, however long the
        // checks below take on a loaded machine (with a budget of 3 it would end the run and close the port).
        try directory.write("s.yaml", RemoteWorkerTests.sleepSpec(trials: 4))
        let (server, port) = try await remote.coordinator(
            ["run", "s.yaml", "--listen", "127.0.0.1:0", "--request-timeout", "0.5"], in: directory)
        defer { server.kill() }
        let http = HTTPConnection(host: "127.0.0.1", port: port)

        let granted = try http.send(method: "POST", path: "/v1/leases", headers: auth, body: Data(#"{"worker": "probe", "max": 3}"#.utf8))
        let leases = (json(granted)["leases"] as? [[String: Any]] ?? []).compactMap { $0["lease"] as? String }
        try #require(leases.count == 3, "\(granted.text)")
        let nan = try http.send(
            method: "POST", path: "/v1/leases/\(leases[0])/finish", headers: auth,
            body: Data(#"{"state": "completed", "metrics": {"value": "NaN"}, "reports": []}"#.utf8))
        #expect(nan.status == 200 && json(nan)["recorded"] as? Bool == true, "\(nan.text)")
        let missing = try http.send(
            method: "POST", path: "/v1/leases/\(leases[1])/finish", headers: auth,
            body: Data(#"{"state": "completed", "metrics": {"other": 1}, "reports": []}"#.utf8))
        #expect(missing.status == 200, "\(missing.text)")
        let batch = try http.send(
            method: "POST", path: "/v1/finish", headers: auth,
            body: Data(#"{"results": [{"lease": "\#(leases[2])", "result": {"state": "completed", "metrics": {"value": "Infinity"}, "reports": []}}]}"#.utf8))
        #expect(batch.status == 200 && batch.text.contains(#""status":"recorded""#), "\(batch.text)")

        let ended = try await remote.waitForTrials("s", in: directory) { trials in
            trials.count >= 3 && trials.prefix(3).allSatisfy { $0["state"] as? String != "running" }
        }
        #expect(ended)
        let first = try remote.trials("s", in: directory).sorted { ($0["number"] as? Int ?? 0) < ($1["number"] as? Int ?? 0) }.prefix(3)
        #expect(first.map { $0["state"] as? String } == ["failed", "failed", "failed"], "\(first)")
        #expect(first.map { $0["reason"] as? String } == ["nan", "error", "nan"], "\(first)")
        #expect((first.first?["message"] as? String)?.contains("the objective 'value' was nan") == true, "\(first)")

        // A body over the 4 MB limit: 413, not 400.
        let big = try HTTPConnection(host: "127.0.0.1", port: port).send(
            method: "POST", path: "/v1/leases", headers: auth, body: Data(repeating: UInt8(ascii: " "), count: 5 << 20))
        #expect(big.status == 413 && big.text.contains("larger than the limit"), "\(big.status): \(big.text)")
        let malformed = try http.send(method: "POST", path: "/v1/leases", headers: auth, body: Data(#"{"worker": 3}"#.utf8))
        #expect(malformed.status == 400 && malformed.text.contains("field 'worker' is not a string"), "\(malformed.text)")

        // Half-sent requests do not stay open: an authenticated one gets 408, an unauthenticated one its 401 and
        // then the connection is closed; others are answered meanwhile.
        let start = Date()
        let slow = HTTPConnection(host: "127.0.0.1", port: port)
        try slow.write(Array("POST /v1/leases HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(RemoteWorkerTests.token)\r\nContent-Length: 100\r\n\r\n{\"wor".utf8))
        let stranger = HTTPConnection(host: "127.0.0.1", port: port)
        try stranger.write(Array("POST /v1/leases HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"wor".utf8))
        #expect(try http.send(method: "GET", path: "/v1/status", headers: auth).status == 200)
        let cut = try slow.readResponse()
        #expect(cut.status == 408 && cut.text.contains("did not arrive within 0.5 s"), "\(cut.status): \(cut.text)")
        #expect(try stranger.readResponse().status == 401)
        #expect(throws: HTTPTransportError.self) { try stranger.readResponse() }
        #expect(Date().timeIntervalSince(start) < 4)

        // Another coordinator on the same port: Forage's words, with the address.
        let busy = try ForageProcess.run(
            ["run", "s.yaml", "--name", "other", "--listen", "127.0.0.1:\(port)", "--token-file", "token"], in: directory.url)
        #expect(busy.status != 0)
        #expect(busy.stderr.contains("error: cannot listen on 127.0.0.1:\(port): the address is already in use"), "\(busy.stderr)")
        #expect(!busy.stderr.contains("errno"), "\(busy.stderr)")
    }
}
