import ForageCore
import ForageSpec
import ForageTesting
import Foundation
import Testing

/// Spec rules for command placeholders, `data.delimiter`, tab indentation and `model: auto`'s built-in space.
@Suite struct SpecEdgeTests {
    func parse(_ text: String, baseDirectory: String = "/tmp") throws -> ExperimentSpec {
        try SpecLoader.parse(text, file: "spec.yaml", baseDirectory: baseDirectory)
    }

    func commandSpec(_ command: String) -> String {
        """
        objective: {metric: loss, direction: minimize}
        trial: {command: \(command)}
        search_space:
          word: {type: categorical, choices: [a, b]}
          lr: {type: float, low: 0.1, high: 1}
        """
    }

    @Test(arguments: [
        (#""echo {wrod}""#, "trial.command", "placeholder '{wrod}' names no parameter of the search space (did you mean '{word}'?)"),
        (#"[python3, t.py, "--lr={rl}"]"#, "trial.command[2]", "placeholder '{rl}' names no parameter of the search space (did you mean '{lr}'?)"),
        (#""run {zzzzzz}""#, "trial.command", "'{zzzzzz}' names no parameter of the search space; parameters: word, lr"),
    ])
    func anUnknownPlaceholderIsASpecError(command: String, keyPath: String, fragment: String) throws {
        let error = #expect(throws: SpecError.self) { try parse(commandSpec(command)) }
        #expect(error?.keyPath == keyPath, "\(String(describing: error))")
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }

    @Test(arguments: [
        #"'echo ''{"loss": 1}'' {word} ${HOME} {} {1..3} {a,b}'"#,
        #"[sh, -c, 'echo "{\"loss\": {lr}}" > out; find . -exec true {} \;']"#,
        #""awk 'BEGIN { print 1 }' {lr}""#,
    ])
    func otherBracesAreNotPlaceholders(command: String) throws {
        let spec = try parse(commandSpec(command))
        guard case .command = spec.trial.kind else {
            Issue.record("not a command trial")
            return
        }
    }

    @Test func shellStringsAreMarkedForQuotingAndArraysAreNot() throws {
        #expect(try parse(commandSpec(#""echo {word}""#)).trial.isShellString)
        #expect(try !parse(commandSpec("[echo, '{word}']")).trial.isShellString)
    }

    @Test func placeholderScanningFindsOnlyIdentifierLikeTokens() {
        let text = #"x {a} {"b": 1} ${c} {d.e-f} {} {1..2} {g,h} {_i}"#
        #expect(CommandTemplate.placeholders(in: text).map(\.name) == ["a", "c", "d.e-f", "_i"])
        #expect(CommandTemplate.unknownPlaceholders(in: text, declared: ["a"]) == ["d.e-f", "_i"])
    }

    @Test func shellValuesAreQuotedWhereTheyStand() {
        let params = ParameterSet(["w": .string("it's a;b")])
        let script = CommandTemplate.expand(#"echo {w} "{w}" 'x{w}y'"#, params: params, declared: ["w"], shell: true)
        #expect(script == #"echo 'it'\''s a;b' "it's a;b" 'xit'\''s a;by'"#)
        #expect(CommandTemplate.expand("echo {w}", params: params, declared: ["w"], shell: false) == "echo it's a;b")
        let dollars = ParameterSet(["w": .string(#"$HOME "q" `x` \"#)])
        #expect(CommandTemplate.expand(#""{w}""#, params: dollars, declared: ["w"], shell: true) == #""\$HOME \"q\" \`x\` \\""#)
    }

    @Test(arguments: [(#"";""#, UInt8(ascii: ";")), (#""\t""#, UInt8(ascii: "\t")), ("tab", UInt8(ascii: "\t")), ("'|'", UInt8(ascii: "|")), ("','", UInt8(ascii: ","))])
    func theDelimiterIsOneAllowedCharacter(written: String, byte: UInt8) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("d.csv", "a,y\n1,2\n")
        let spec = try parse(modelSpec("delimiter: \(written)"), baseDirectory: directory.url.path)
        #expect(spec.data?.delimiter == byte)
    }

    @Test func aBadDelimiterNamesTheAllowedOnes() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("d.csv", "a,y\n1,2\n")
        let error = #expect(throws: SpecError.self) { try parse(modelSpec(#"delimiter: ";;""#), baseDirectory: directory.url.path) }
        #expect(error?.keyPath == "data.delimiter")
        #expect(error?.description.contains("';;' is not a CSV delimiter; allowed: ',', ';', a tab") == true, "\(String(describing: error))")
        let typo = #expect(throws: SpecError.self) { try parse(modelSpec(#"delimeter: ";""#), baseDirectory: directory.url.path) }
        #expect(typo?.description.contains("did you mean 'delimiter'") == true, "\(String(describing: typo))")
        #expect(try parse(modelSpec(""), baseDirectory: directory.url.path).data?.delimiter == UInt8(ascii: ","))
    }

    func modelSpec(_ extra: String) -> String {
        """
        objective: {metric: val_rmse, direction: minimize}
        trial: {model: ridge}
        data: {path: d.csv, target: y, task: regression\(extra.isEmpty ? "" : ", " + extra)}
        search_space: {alpha: {type: float, low: 0.1, high: 1}}
        """
    }

    @Test func tabIndentationIsNamedWithItsLine() throws {
        let text = "objective:\n  metric: value\n  direction: minimize\ntrial:\n\tfunction: noop\nsearch_space: {x: {type: float, low: 0, high: 1}}\n"
        let error = #expect(throws: SpecError.self) { try parse(text) }
        #expect(error?.line == 5, "\(String(describing: error))")
        #expect(error?.description.hasPrefix("spec.yaml:5: ") == true, "\(String(describing: error))")
        #expect(error?.description.contains("tabs are not allowed in YAML indentation") == true, "\(String(describing: error))")
        // Tab-indented JSON is valid; its other mistakes are not blamed on the tabs.
        let json = "{\n\t\"objective\": {\"metric\": \"value\", \"direction\": \"minimize\"},\n\t\"trial\": {\"function\": \"noop\"},\n"
            + "\t\"search_space\": {\"a\": {\"type\": \"int\", \"low\": 0, \"high\": 3}}\n}\n"
        #expect(try parse(json).searchSpace.names == ["a"])
        let broken = #expect(throws: SpecError.self) { try parse(json.replacingOccurrences(of: "3}}", with: "3}")) }
        #expect(broken?.description.contains("tab") == false, "\(String(describing: broken))")
    }

    @Test func modelAutoWithoutASearchSpaceSearchesTheShippedOneForItsTask() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try directory.write("d.csv", "a,y\n1,2\n")
        for (task, families) in [("classification", ["logistic", "gbdt", "mlp"]), ("regression", ["ridge", "gbdt", "mlp"])] {
            let spec = try parse(
                """
                objective: {metric: val_loss, direction: minimize}
                trial: {model: auto}
                data: {path: d.csv, target: y, task: \(task)}
                """, baseDirectory: directory.url.path)
            #expect(spec.searchSpace["model"]?.distribution == .categorical(choices: families.map { .string($0) }), "\(task)")
            #expect(spec.searchSpace["lr"] != nil && spec.searchSpace["rounds"] != nil)
            // Without `searcher:`, auto searches cost-frugally.
            #expect(spec.searcher.algorithm == "cfo")
        }
        // Without model: auto, search_space is still required.
        let error = #expect(throws: SpecError.self) {
            try parse("objective: {metric: value, direction: minimize}\ntrial: {function: noop}\n")
        }
        #expect(error?.keyPath == "search_space")
    }

    @Test func theBuiltInSpacesAreTheShippedFiles() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        for (file, text) in [("tabular-auto.yaml", DefaultSpaces.classification), ("tabular-auto-regression.yaml", DefaultSpaces.regression)] {
            let shipped = try String(contentsOf: root.appendingPathComponent("Search/\(file)"), encoding: .utf8)
            #expect(shipped.trimmingCharacters(in: .newlines) == text.trimmingCharacters(in: .newlines), "\(file)")
        }
    }
}

/// `trial.metrics` and `trial.args`.
@Suite struct TrialFormatSpecTests {
    func parse(_ trial: String) throws -> ExperimentSpec {
        try SpecLoader.parse(
            """
            objective: {metric: accuracy, direction: maximize}
            trial: \(trial)
            search_space: {lr: {type: float, low: 0.1, high: 1}}
            """, file: "spec.yaml", baseDirectory: "/tmp")
    }

    @Test func formatsAndArgsAreRead() throws {
        #expect(try parse("{command: [python3, t.py]}").trial.metricFormat == .json)
        #expect(try parse("{command: [python3, t.py], metrics: key-value, args: flags}").trial.metricFormat == .keyValue)
        #expect(try parse("{command: [python3, t.py], args: flags}").trial.argumentStyle == .flags)
        let regex = try parse(#"{command: [python3, t.py], metrics: {regex: '(?P<name>[a-z_]+)=(?P<value>[-+.0-9eE]+)'}}"#)
        #expect(regex.trial.metricFormat == .regex("(?P<name>[a-z_]+)=(?P<value>[-+.0-9eE]+)"))
    }

    @Test(arguments: [
        ("{command: [a], metrics: xml}", "trial.metrics", "'xml' is not a metric format; allowed: json, key-value, {regex: PATTERN}"),
        ("{command: [a], metrics: {regex: '(unclosed'}}", "trial.metrics.regex", "is not a valid regular expression"),
        ("{command: [a], metrics: {regex: 'acc=([0-9.]+)'}}", "trial.metrics.regex", "needs named groups"),
        ("{command: [a], metrics: {regex: '(?P<name>[a-z]+)'}}", "trial.metrics.regex", "has a group `name` without `value`"),
        ("{command: [a], args: argv}", "trial.args", "'argv' is not an argument style; allowed: placeholders, flags"),
        ("{function: noop, args: flags}", "trial.args", "is only for command trials"),
    ])
    func badFormatsAreNamed(trial: String, keyPath: String, fragment: String) throws {
        let error = #expect(throws: SpecError.self) { try parse(trial) }
        #expect(error?.keyPath == keyPath, "\(String(describing: error))")
        #expect(error?.description.contains(fragment) == true, "\(String(describing: error))")
    }
}
