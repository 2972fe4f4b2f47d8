import Crypto
import Foundation

/// SHA-256 digests as lowercase hex: spec and dataset fingerprints, content addresses of model blobs.
public enum SHA256Hex {
    public static func of(_ text: String) -> String {
        of(Data(text.utf8))
    }

    public static func of(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }
}
