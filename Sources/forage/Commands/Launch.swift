import ArgumentParser
import ForageBackends
import ForageCore
import Foundation

extension Forage {
    /// `forage launch slurm|kubernetes`: writes a job for an existing cluster scheduler that starts store workers.
    struct Launch: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a Slurm job array or a Kubernetes Indexed Job whose tasks run `forage worker` on a shared PostgreSQL store.",
            subcommands: [Slurm.self, Kubernetes.self])

        /// What both recipes take.
        struct Common: ParsableArguments {
            @Option(help: "Number of workers (array tasks or pods).")
            var workers: Int

            @Option(help: "Trials each worker runs at once.")
            var parallel: Int = 1

            @Option(help: "GPUs each worker asks for (Slurm --gres=gpu:G, Kubernetes nvidia.com/gpu).")
            var gpusPerWorker: Int?

            @Option(help: "Only this experiment (default: every shared experiment that runs).")
            var experiment: String?

            @Option(help: "The job's name.")
            var jobName = "forage-workers"

            @Option(help: "Write the result to this file instead of stdout.")
            var output: String?

            func validate() throws {
                guard (1...100_000).contains(workers) else { throw ValidationError("--workers must be between 1 and 100000, got \(workers)") }
                guard parallel >= 1 else { throw ValidationError("--parallel must be at least 1, got \(parallel)") }
                if let gpusPerWorker, gpusPerWorker < 1 { throw ValidationError("--gpus-per-worker must be at least 1, got \(gpusPerWorker)") }
                if let experiment, !ExperimentName.isValid(experiment) {
                    throw ValidationError("--experiment '\(experiment.prefix(40))' is not a valid experiment name (\(ExperimentName.rule))")
                }
                guard jobName.range(of: "^[a-z0-9]([-a-z0-9]{0,50}[a-z0-9])?$", options: .regularExpression) != nil else {
                    throw ValidationError("--job-name must be lower-case letters, digits and dashes (a DNS label), got '\(jobName.prefix(60))'")
                }
            }

            func emit(_ text: String, what: String) throws {
                guard let output else {
                    print(text, terminator: "")
                    return
                }
                try OutputFile.write(text, to: output)
                printNote("wrote \(what) to \(output)")
            }
        }

        struct Slurm: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write an sbatch job-array script whose tasks each run one `forage worker --store`.")

            @Option(help: "The shared store, postgres://USER@HOST:PORT/DB (a password in it is left out of the script).")
            var store: String

            @OptionGroup var common: Common

            @Option(help: "Wall-time limit of each task (sbatch --time, e.g. 2:00:00).")
            var time: String?

            @Option(help: "The Slurm partition.")
            var partition: String?

            @Option(help: "The forage binary on the cluster's nodes.")
            var forage = "forage"

            func validate() throws {
                guard StoreFactory.isServer(store) else {
                    throw ValidationError("--store must be a shared PostgreSQL store (postgres://USER@HOST:PORT/DB): a folder store is not shared between machines")
                }
                for (flag, value) in [("--time", time), ("--partition", partition)] {
                    if let value, value.isEmpty || value.contains(where: { $0.isWhitespace || $0 == "#" }) {
                        throw ValidationError("\(flag) must be one word without spaces, got '\(value.prefix(40))'")
                    }
                }
            }

            func run() async throws {
                try await reportingErrors {
                    let shown = try StoreFactory.displayName(store)
                    if URLComponents(string: store)?.password != nil {
                        printNote("the password in --store is not written into the script: set PGPASSWORD or ~/.pgpass on the cluster")
                    }
                    let recipe = SlurmRecipe(
                        store: shown, workers: common.workers, parallel: common.parallel, gpusPerWorker: common.gpusPerWorker, time: time,
                        partition: partition, experiment: common.experiment, jobName: common.jobName, forage: forage)
                    try common.emit(recipe.script, what: "the sbatch script (submit it with `sbatch \(common.output ?? "FILE")`)")
                }
            }
        }

        struct Kubernetes: AsyncParsableCommand {
            static let configuration = CommandConfiguration(
                abstract: "Write an Indexed Job manifest whose pods each run one `forage worker`, the store URL taken from a Secret.")

            @Option(help: "The Secret holding the store URL (never written inline).")
            var storeSecret: String

            @Option(help: "The key of the URL in that Secret.")
            var secretKey = "url"

            @Option(help: "The container image with forage (and what the trials need).")
            var image: String

            @Option(help: "The namespace of the Job.")
            var namespace: String?

            @Option(help: "Retries of a failed pod, per index.")
            var backoffLimitPerIndex = 3

            @OptionGroup var common: Common

            func validate() throws {
                guard storeSecret.range(of: "^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$", options: .regularExpression) != nil else {
                    throw ValidationError("--store-secret must name a Secret (lower-case letters, digits, '-' and '.'), got '\(storeSecret.prefix(60))'; the URL itself goes into the Secret, never into the manifest")
                }
                guard !image.isEmpty, !image.contains(where: \.isWhitespace) else { throw ValidationError("--image must be an image reference without spaces") }
                guard backoffLimitPerIndex >= 0 else { throw ValidationError("--backoff-limit-per-index must be 0 or more") }
                guard !secretKey.isEmpty else { throw ValidationError("--secret-key must not be empty") }
            }

            func run() async throws {
                try await reportingErrors {
                    let recipe = KubernetesRecipe(
                        secret: storeSecret, secretKey: secretKey, workers: common.workers, parallel: common.parallel, image: image,
                        gpusPerWorker: common.gpusPerWorker, experiment: common.experiment, jobName: common.jobName, namespace: namespace,
                        backoffLimitPerIndex: backoffLimitPerIndex)
                    try common.emit(recipe.manifest, what: "the Job manifest (apply it with `kubectl apply -f \(common.output ?? "FILE")`)")
                }
            }
        }
    }
}
