import Foundation

/// A small SVG writer: appends elements to one string, escaping every attribute value and text. The result is an
/// inline `<svg>` element (no XML namespace needed inside HTML, so the page names no outside address).
public struct SVGDocument {
    /// The width and height of the picture in CSS pixels.
    public let width: Double
    public let height: Double
    /// The element's `id`, so a page (and a test) can find each plot.
    public let id: String
    private var body = ""

    public init(id: String, width: Double, height: Double) {
        self.id = id
        self.width = width
        self.height = height
        body.reserveCapacity(64 * 1024)
    }

    /// Appends `<name attributes…/>`, or with `title`, `<name attributes…><title>…</title></name>` (a hover tooltip).
    public mutating func element(_ name: String, _ attributes: KeyValuePairs<String, String>, title: String? = nil) {
        body += "<" + name
        for (key, value) in attributes { body += " \(key)=\"\(Self.escape(value))\"" }
        if let title {
            body += "><title>" + Self.escape(title) + "</title></" + name + ">"
        } else {
            body += "/>"
        }
    }

    /// Appends a text label.
    public mutating func text(
        _ string: String, x: Double, y: Double, anchor: String = "middle", className: String = "lbl", rotate: Double? = nil
    ) {
        var transform = ""
        if let rotate { transform = " transform=\"rotate(\(Self.n(rotate)) \(Self.n(x)) \(Self.n(y)))\"" }
        body +=
            "<text x=\"\(Self.n(x))\" y=\"\(Self.n(y))\" text-anchor=\"\(anchor)\" class=\"\(className)\"\(transform)>\(Self.escape(string))</text>"
    }

    /// Appends a polyline through `points` (in pixels).
    public mutating func polyline(_ points: [(Double, Double)], className: String, stroke: String? = nil, title: String? = nil) {
        guard points.count > 1 else { return }
        let list = points.map { "\(Self.n($0.0)),\(Self.n($0.1))" }.joined(separator: " ")
        if let stroke {
            element("polyline", ["points": list, "class": className, "stroke": stroke], title: title)
        } else {
            element("polyline", ["points": list, "class": className], title: title)
        }
    }

    /// Opens a group (`<g class=…>`); close it with `close()`.
    public mutating func group(className: String) {
        body += "<g class=\"\(Self.escape(className))\">"
    }

    /// Closes the last group.
    public mutating func close() {
        body += "</g>"
    }

    /// The finished `<svg>` element.
    public var markup: String {
        "<svg id=\"\(Self.escape(id))\" class=\"plot\" viewBox=\"0 0 \(Self.n(width)) \(Self.n(height))\" width=\"\(Self.n(width))\" height=\"\(Self.n(height))\" role=\"img\">"
            + body + "</svg>"
    }

    /// A pixel coordinate with at most one decimal, to keep large plots small.
    public static func n(_ value: Double) -> String {
        guard value.isFinite else { return "0" }
        let rounded = (value * 10).rounded() / 10
        if rounded == rounded.rounded() { return String(Int(rounded)) }
        return String(rounded)
    }

    /// Escapes text for an attribute value or element content.
    public static func escape(_ text: String) -> String {
        guard text.contains(where: { $0 == "&" || $0 == "<" || $0 == ">" || $0 == "\"" || $0 == "'" }) else { return text }
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
