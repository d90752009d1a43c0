/// What one shard row is made of, beyond its geometry: sample type, channels, pages and resize mode.
///
/// Every value here is part of the public contract (config keys `dtype`, `color`, `pages`, `resize`,
/// `pad-value`; manifest members; NPY `descr` and shape). One shard never mixes formats.
public struct OutputFormat: Equatable, Hashable, Sendable {
    /// Output sample type (`dtype`).
    public enum SampleType: String, CaseIterable, Sendable {
        case uint8, uint16, float32

        /// Bytes per sample.
        public var size: Int {
            switch self {
            case .uint8: 1
            case .uint16: 2
            case .float32: 4
            }
        }

        /// The NumPy `descr` of the shard's `.npy` header.
        public var npyDescriptor: String {
            switch self {
            case .uint8: "|u1"
            case .uint16: "<u2"
            case .float32: "<f4"
            }
        }

        /// The code the image kernel and the wire protocol use (`tsk_dtype`).
        public var code: UInt8 {
            switch self {
            case .uint8: 0
            case .uint16: 1
            case .float32: 2
            }
        }

        public init?(code: UInt8) {
            guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
            self = match
        }
    }

    /// Output channels (`color`).
    public enum Color: String, CaseIterable, Sendable {
        case gray, rgb

        /// Samples per pixel: 1, or 3 in R, G, B order.
        public var channels: Int { self == .gray ? 1 : 3 }
        /// The code the image kernel and the wire protocol use (`tsk_color`).
        public var code: UInt8 { self == .gray ? 0 : 1 }

        public init?(code: UInt8) {
            guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
            self = match
        }
    }

    /// Which pages of a multi-page file become rows (`pages`).
    public enum Pages: String, CaseIterable, Sendable {
        /// Page 0 only.
        case first
        /// Every page of the main IFD chain that is not a reduced-resolution image, each its own row.
        case all

        /// The code of the wire protocol.
        public var code: UInt8 { self == .first ? 0 : 1 }

        public init?(code: UInt8) {
            guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
            self = match
        }
    }

    /// How a w x h page becomes W x H (`resize`).
    public enum Resize: String, CaseIterable, Sendable {
        case stretch, fit, crop

        /// The code the image kernel and the wire protocol use (`tsk_resize`).
        public var code: UInt8 {
            switch self {
            case .stretch: 0
            case .fit: 1
            case .crop: 2
            }
        }

        public init?(code: UInt8) {
            guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
            self = match
        }
    }

    public var dtype: SampleType
    public var color: Color
    public var pages: Pages
    public var resize: Resize
    /// Canvas value outside the image with `fit`, in the output dtype.
    public var padValue: Double

    public init(
        dtype: SampleType = .uint8, color: Color = .gray, pages: Pages = .first, resize: Resize = .stretch,
        padValue: Double = 0
    ) {
        self.dtype = dtype
        self.color = color
        self.pages = pages
        self.resize = resize
        self.padValue = padValue
    }

    /// Today's behaviour: 8-bit gray, page 0, stretched.
    public static let `default` = OutputFormat()

    /// Bytes of one pixel (all channels).
    public var pixelBytes: Int { dtype.size * color.channels }
}

extension OutputFormat {
    /// The options as people read them in logs: `uint8 gray`, `float32 rgb, all pages, fit on 0.5`.
    public var summary: String {
        var text = "\(dtype.rawValue) \(color.rawValue)"
        if pages == .all { text += ", all pages" }
        switch resize {
        case .stretch: break
        case .fit: text += ", fit on \(padValue == padValue.rounded() && abs(padValue) < 1e15 ? String(Int64(padValue)) : "\(padValue)")"
        case .crop: text += ", crop"
        }
        return text
    }
}
