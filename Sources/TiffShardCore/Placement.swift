/// Where a decoded page landed in its output row: output pixel (X, Y) is pixel (X - offsetX, Y - offsetY) of the
/// page resized to `resizedWidth` x `resizedHeight`.
///
/// `stretch`: the row's width x height at (0, 0); `fit`: offsets >= 0 (the rest is `pad-value`); `crop`:
/// offsets <= 0 (the centre window of a page that covers the row). The kernel's `tsk_placement`.
public struct Placement: Equatable, Hashable, Sendable {
    public var resizedWidth: UInt32
    public var resizedHeight: UInt32
    public var offsetX: Int32
    public var offsetY: Int32

    public init(resizedWidth: UInt32, resizedHeight: UInt32, offsetX: Int32 = 0, offsetY: Int32 = 0) {
        self.resizedWidth = resizedWidth
        self.resizedHeight = resizedHeight
        self.offsetX = offsetX
        self.offsetY = offsetY
    }
}
