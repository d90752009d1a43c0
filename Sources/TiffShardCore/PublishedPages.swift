/// How much of a source earlier runs published: its pages `0..<count` of `total` (`pages: all`).
public struct PublishedPages: Hashable, Sendable {
    /// Pages published, from page 0 on without a gap.
    public var count: Int
    /// The source's page count K, as the manifests recorded it.
    public var total: Int

    public init(count: Int, total: Int) {
        self.count = count
        self.total = total
    }

    /// Whether every page is published.
    public var isComplete: Bool { count >= total }
}
