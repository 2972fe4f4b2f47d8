import ForageTesting
import Foundation
import Testing

/// Placeholder values in shell-string commands are quoted for the shell; argv arrays get them as they are.
@Suite struct ShellQuotingTests {
    static let words = ["two words", "semi;colon", "it's", #"dq"uote"#, "$HOME", "a`b`c", #"back\slash"#, "*"]

    func choices() -> String {
        "[" + Self.words.map { "\"" + $0.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\"" }
            .joined(separator: ", ") + "]"
    }

    /// Runs a grid over `words` and returns, per word, the trial's state and what it wrote to `got`.
    func run(command: String, in directory: TemporaryDirectory) throws -> [String: (state: String, got: String?)] {
        try directory.write("q.yaml", """
            objective: {metric: loss, direction: minimize}
            trial:
              command: \(command)
            search_space:
              word: {type: categorical, choices: \(choices())}
            searcher: {algorithm: grid}
            budget: {trials: \(Self.words.count), parallel: 2}
            """)
        let run = try ForageProcess.run(["run", "q.yaml"], in: directory.url)
        #expect(run.status == 0, "\(run.stderr)")
        let json = try ForageProcess.run(["trials", "q", "--format", "json"], in: directory.url)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        var result: [String: (String, String?)] = [:]
        for trial in try #require(object["trials"] as? [[String: Any]]) {
            let word = try #require((trial["params"] as? [String: Any])?["word"] as? String)
            let number = try #require(trial["number"] as? Int)
            let file = directory.url.appendingPathComponent(".forage/trials/q/\(number)/got")
            result[word] = (trial["state"] as? String ?? "", try? String(contentsOf: file, encoding: .utf8))
        }
        return result
    }

    @Test func shellStringValuesArriveIntactWhereverTheyStand() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Unquoted, in double quotes and in single quotes; JSON braces and ${HOME} stay as written.
        let script = #"printf '%s|%s|%s\n' {word} "{word}" 'x{word}y' > "${FORAGE_TRIAL_DIR}/got"; echo '{"loss": 1}'"#
        let results = try run(command: "'" + script.replacingOccurrences(of: "'", with: "''") + "'", in: directory)
        #expect(results.count == Self.words.count)
        for word in Self.words {
            #expect(results[word]?.state == "completed", "\(word): \(String(describing: results[word]))")
            #expect(results[word]?.got == "\(word)|\(word)|x\(word)y\n", "\(word): \(String(describing: results[word]?.got))")
        }
        // Nothing ran a command named after part of a value.
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent("colon").path))
    }

    @Test func argvValuesAreSubstitutedAsTheyAre() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let command = #"[/bin/sh, -c, 'printf "%s" "$1" > "$FORAGE_TRIAL_DIR/got"; echo "{\"loss\": 1}"', sh, "{word}"]"#
        let results = try run(command: command, in: directory)
        for word in Self.words {
            #expect(results[word]?.state == "completed", "\(word)")
            #expect(results[word]?.got == word, "\(word): \(String(describing: results[word]?.got))")
        }
    }

    @Test func aPlaceholderThatNamesNoParameterIsRefusedBeforeAnyTrial() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("typo.yaml", """
            objective: {metric: loss, direction: minimize}
            trial: {command: "python3 train.py --lr {lrr}"}
            search_space: {lr: {type: float, low: 0.001, high: 0.1, log: true}}
            """)
        let run = try ForageProcess.run(["run", "typo.yaml"], in: directory.url)
        #expect(run.status != 0)
        #expect(run.stderr.hasPrefix("error: typo.yaml:2: trial.command: placeholder '{lrr}' names no parameter"), "\(run.stderr)")
        #expect(run.stderr.contains("(did you mean '{lr}'?)"), "\(run.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory.url.appendingPathComponent(".forage/trials/typo").path))
    }
}
