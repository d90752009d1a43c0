/// Resize interpolation, named as on the command line.
public enum Interpolation: String, CaseIterable, Sendable {
    case linear, area, nearest, cubic, lanczos

    /// The code the image kernel and the wire protocol use (`tsk_interpolation`).
    public var code: UInt8 {
        switch self {
        case .linear: 0
        case .area: 1
        case .nearest: 2
        case .cubic: 3
        case .lanczos: 4
        }
    }

    public init?(code: UInt8) {
        guard let match = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = match
    }
}
