import Foundation

/// A Kubernetes Indexed Job whose pods each run one long-lived `forage worker`, taking the store URL from a Secret
/// (`secretKeyRef`, never inline) through `$FORAGE_STORE`.
struct KubernetesRecipe {
    var secret: String
    var secretKey: String
    var workers: Int
    var parallel: Int
    var image: String
    var gpusPerWorker: Int?
    var experiment: String?
    var jobName: String
    var namespace: String?
    var backoffLimitPerIndex: Int

    var manifest: String {
        var arguments = ["worker", "--parallel", String(parallel), "--name", "$(POD_NAME)"]
        if let experiment { arguments += ["--experiment", experiment] }
        var lines = [
            "# Written by `forage launch kubernetes`: \(workers) long-lived workers on a shared PostgreSQL store.",
            "# The store URL comes from Secret '\(secret)' (key '\(secretKey)'), e.g.:",
            "#   kubectl create secret generic \(secret) --from-literal=\(secretKey)='postgres://USER:PASSWORD@HOST:5432/DB'",
            "apiVersion: batch/v1",
            "kind: Job",
            "metadata:",
            "  name: \(YAMLText.quote(jobName))",
        ]
        if let namespace { lines.append("  namespace: \(YAMLText.quote(namespace))") }
        lines += [
            "  labels:",
            "    app.kubernetes.io/name: forage-worker",
            "spec:",
            "  completionMode: Indexed",
            "  completions: \(workers)",
            "  parallelism: \(workers)",
            "  backoffLimitPerIndex: \(backoffLimitPerIndex)",
            "  template:",
            "    metadata:",
            "      labels:",
            "        app.kubernetes.io/name: forage-worker",
            "    spec:",
            "      restartPolicy: Never",
            "      containers:",
            "        - name: worker",
            "          image: \(YAMLText.quote(image))",
            "          command: [\"forage\"]",
            "          args: [\(arguments.map(YAMLText.quote).joined(separator: ", "))]",
            "          env:",
            "            - name: FORAGE_STORE",
            "              valueFrom:",
            "                secretKeyRef:",
            "                  name: \(YAMLText.quote(secret))",
            "                  key: \(YAMLText.quote(secretKey))",
            "            - name: POD_NAME",
            "              valueFrom:",
            "                fieldRef:",
            "                  fieldPath: metadata.name",
        ]
        if let gpusPerWorker {
            lines += ["          resources:", "            limits:", "              nvidia.com/gpu: \(gpusPerWorker)"]
        }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// Double-quoted YAML scalars.
enum YAMLText {
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 { out += String(format: "\\x%02x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
