/// One page of a multi-page source (`pages: all`): its 0-based index among the file's `count` pages.
///
/// Pages count as the image kernel's `tsk_info.pages` does: images of the main IFD chain that are not
/// reduced-resolution (overviews, pyramid levels and thumbnails are not pages).
public struct SourcePage: Hashable, Sendable, CustomStringConvertible {
    public var index: Int
    public var count: Int

    public init(index: Int, count: Int) {
        self.index = index
        self.count = count
    }

    /// `page 2 of 5`, the words rejection reasons start with.
    public var description: String { "page \(index) of \(count)" }
}
