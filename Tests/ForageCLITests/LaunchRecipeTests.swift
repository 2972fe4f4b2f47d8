import ForageTesting
import Foundation
import Testing
import Yams

/// `forage launch`: the Slurm script, run by a stand-in `sbatch` that starts the array's tasks as local processes,
/// starts workers that finish an experiment; the Kubernetes manifest is a valid Indexed Job that takes the store
/// URL from a Secret and never inline.
@Suite struct LaunchRecipeTests {
    /// `sbatch` for one machine: reads `#SBATCH --array=0-K` and runs the script once per task, with the task's
    /// Slurm variables, then waits for all of them.
    static let standInSbatch = """
        #!/bin/sh
        script="$1"
        last=$(sed -n 's/^#SBATCH --array=0-\\([0-9]*\\)$/\\1/p' "$script")
        i=0
        while [ "$i" -le "$last" ]; do
          SLURM_JOB_ID=4242 SLURM_ARRAY_JOB_ID=4242 SLURM_ARRAY_TASK_ID=$i bash "$script" > "task-$i.out" 2>&1 &
          i=$((i + 1))
        done
        wait
        echo "Submitted batch job 4242"
        """

    @Test func theSlurmScriptRunByAStandInSbatchStartsWorkersThatFinishAnExperiment() throws {
        guard case .success(let server) = PostgresTestServer.shared else { return }
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        try SharedWorkerTests.prepare(directory, name: "slurm", trials: 30, parallel: 0)
        try directory.write("sbatch", Self.standInSbatch)
        _ = try ForageProcess.runShell("chmod +x sbatch", in: directory.url)
        let url = try server.createDatabase("slurm")
        _ = try ForageProcess.run(["store", "migrate", url], in: directory.url)

        let launch = try ForageProcess.run(
            ["launch", "slurm", "--store", url, "--workers", "3", "--parallel", "2", "--gpus-per-worker", "1", "--time", "1:00:00",
             "--partition", "short", "--experiment", "slurm", "--forage", ForageProcess.binary.path, "--output", "job.sbatch"], in: directory.url)
        #expect(launch.status == 0, "\(launch.stderr)")
        let script = try String(contentsOf: directory.url.appendingPathComponent("job.sbatch"), encoding: .utf8)
        for line in ["#SBATCH --array=0-2", "#SBATCH --gres=gpu:1", "#SBATCH --time=1:00:00", "#SBATCH --partition=short", "--parallel 2"] {
            #expect(script.contains(line), "\(line) missing from:\n\(script)")
        }
        // The driver has no slots of its own: every trial runs on the array's workers.
        let driver = try ForageProcess.start(["run", "slurm.yaml", "--store", url, "--shared", "--lease-timeout", "2"], in: directory.url)
        let submitted = try ForageProcess.runShell("./sbatch job.sbatch", in: directory.url)
        #expect(submitted.contains("Submitted batch job"))
        driver.process.waitUntilExit()
        let out = String(decoding: driver.standardOutputPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(driver.process.terminationStatus == 0 && out.contains("finished: 30/30 trials"), "\(out)")
        let workers = try SharedWorkerTests.checkFinished("slurm", budget: 30, url: url, in: directory.url)
        #expect(Set(workers.keys).isSubset(of: ["slurm-4242-0", "slurm-4242-1", "slurm-4242-2"]) && workers.count >= 2, "\(workers)")
        for task in 0..<3 {
            let log = try String(contentsOf: directory.url.appendingPathComponent("task-\(task).out"), encoding: .utf8)
            #expect(log.contains("worker slurm-4242-\(task) stopped:"), "\(log)")
        }
    }

    @Test func theKubernetesManifestIsAnIndexedJobWithTheStoreFromASecret() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let launch = try ForageProcess.run(
            ["launch", "kubernetes", "--store-secret", "forage-store", "--workers", "4", "--parallel", "2", "--image", "registry.example/forage:1",
             "--gpus-per-worker", "1", "--experiment", "digits"], in: directory.url)
        #expect(launch.status == 0, "\(launch.stderr)")
        let manifest = try #require(try Yams.load(yaml: launch.stdout) as? [String: Any], "\(launch.stdout)")
        #expect(manifest["apiVersion"] as? String == "batch/v1" && manifest["kind"] as? String == "Job")
        let spec = try #require(manifest["spec"] as? [String: Any])
        #expect(spec["completionMode"] as? String == "Indexed")
        #expect(spec["completions"] as? Int == 4 && spec["parallelism"] as? Int == 4)
        #expect(spec["backoffLimitPerIndex"] as? Int == 3)
        let pod = try #require((spec["template"] as? [String: Any])?["spec"] as? [String: Any])
        #expect(pod["restartPolicy"] as? String == "Never")
        let container = try #require((pod["containers"] as? [[String: Any]])?.first)
        #expect(container["image"] as? String == "registry.example/forage:1")
        let arguments = try #require(container["args"] as? [String])
        #expect(arguments.starts(with: ["worker", "--parallel", "2"]) && arguments.contains("digits"), "\(arguments)")
        let environment = try #require(container["env"] as? [[String: Any]])
        let store = try #require(environment.first { $0["name"] as? String == "FORAGE_STORE" })
        #expect(store["value"] == nil, "the store URL must not be inline")
        let reference = (store["valueFrom"] as? [String: Any])?["secretKeyRef"] as? [String: Any]
        #expect(reference?["name"] as? String == "forage-store" && reference?["key"] as? String == "url")
        let limits = (container["resources"] as? [String: Any])?["limits"] as? [String: Any]
        #expect(limits?["nvidia.com/gpu"] as? Int == 1)
        #expect(!launch.stdout.contains("postgres://USER@") && !launch.stdout.contains("value: \"postgres"))

        let bad = try ForageProcess.run(["launch", "kubernetes", "--store-secret", "postgres://x@y/z", "--workers", "2", "--image", "i"], in: directory.url)
        #expect(bad.status != 0 && bad.stderr.contains("--store-secret must name a Secret"), "\(bad.stderr)")
        let folder = try ForageProcess.run(["launch", "slurm", "--store", "local", "--workers", "2"], in: directory.url)
        #expect(folder.status != 0 && folder.stderr.contains("must be a shared PostgreSQL store"), "\(folder.stderr)")
    }
}
