import TiffShardCore

// TEMPORARY bridge until the engine and the wire protocol carry `Rejection` values.
extension Rejection {
    init(legacy reason: String) {
        let label = reason.split(separator: ":", maxSplits: 1).first.map(String.init) ?? reason
        let category = Category.allCases.first { $0.label == label } ?? .internal
        let detail = reason.dropFirst(label.count).drop { $0 == ":" || $0 == " " }
        self.init(category, String(detail))
    }
}
