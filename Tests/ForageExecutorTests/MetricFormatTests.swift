import ForageCore
import Testing

@testable import ForageExecutor

/// `trial.metrics` formats and the command line built from parameters (`trial.args`, inactive parameters).
@Suite struct MetricFormatTests {
    @Test func syneTuneLinesAreJSONLinesWithAPrefixAndTheirEpochIsTheStep() throws {
        let reader = MetricReader(format: .json)
        let report = try #require(reader.parse(#"[tune-metric]: {"epoch": 3, "loss": 0.2}"#))
        #expect(report.step == 3)
        #expect(report.values == ["loss": 0.2])
        #expect(reader.parse(#"[tune-metric]: {"loss": 0.2}"#) == MetricReport(step: nil, values: ["loss": 0.2]))
        #expect(reader.parse("accuracy=0.91") == nil)
    }

    @Test func keyValueReadsKatibPairsAndStillReadsJSON() {
        let reader = MetricReader(format: .keyValue)
        #expect(reader.parse("accuracy=0.91") == MetricReport(step: nil, values: ["accuracy": 0.91]))
        #expect(reader.parse("epoch 3: step=3 loss = 1.5e-2 acc=-0.5") == MetricReport(step: 3, values: ["loss": 0.015, "acc": -0.5]))
        #expect(reader.parse("loss=nan")?.values["loss"]?.isNaN == true)
        #expect(reader.parse(#"{"loss": 2}"#) == MetricReport(step: nil, values: ["loss": 2]))
        #expect(reader.parse("no pairs here; x=abc") == nil)
        #expect(reader.parse("path=/a/b=3") == nil)
    }

    @Test func aRegexWithNameAndValueGroupsReadsEveryMatch() {
        let reader = MetricReader(format: .regex(#"(?P<name>[a-z_]+): (?P<value>[-+.0-9eE]+)"#))
        #expect(reader.parse("val_acc: 0.5 train_loss: 1e-3") == MetricReport(step: nil, values: ["val_acc": 0.5, "train_loss": 0.001]))
        #expect(reader.parse("nothing") == nil)
    }

    @Test func aRegexWithAGroupPerMetricAndAStepGroup() {
        let reader = MetricReader(format: .regex(#"Epoch (?<step>\d+).*acc=(?<accuracy>[.0-9]+)"#))
        #expect(reader.parse("Epoch 4 ... acc=0.75") == MetricReport(step: 4, values: ["accuracy": 0.75]))
    }

    @Test func flagsAppendEveryActiveParameterInSpaceOrder() {
        let params = ParameterSet(["lr": .double(0.01), "layers": .int(2), "act": .string("relu")])
        let argv = CommandLineTemplate.expand(["python3", "t.py"], params: params, declared: ["lr", "layers", "act"], flags: true)
        #expect(argv == ["python3", "t.py", "--lr=0.01", "--layers=2", "--act=relu"])
        let shell = CommandLineTemplate.expand(
            ["/bin/sh", "-c", "python3 t.py"], params: ParameterSet(["act": .string("it's")]), declared: ["act"], shell: true, flags: true)
        #expect(shell == ["/bin/sh", "-c", #"python3 t.py --act='it'\''s'"#])
    }

    @Test func anInactiveParameterIsNeverPassed() {
        let params = ParameterSet(["model": .string("ridge")])
        let declared = ["model", "beta"]
        #expect(
            CommandLineTemplate.expand(["run", "--model", "{model}", "--beta", "{beta}", "--x"], params: params, declared: declared)
                == ["run", "--model", "ridge", "--x"])
        #expect(CommandLineTemplate.expand(["run", "--beta={beta}"], params: params, declared: declared) == ["run"])
        #expect(
            CommandLineTemplate.expand(["/bin/sh", "-c", "run --model {model} --beta '{beta}' && echo \"b={beta}\" done"], params: params, declared: declared, shell: true)
                == ["/bin/sh", "-c", "run --model 'ridge'   && echo  done"])
        #expect(CommandLineTemplate.expand(["run"], params: params, declared: declared, flags: true) == ["run", "--model=ridge"])
    }
}
