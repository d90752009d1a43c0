/// Name rules for candidate files. Content checks (signature, pixel limit) happen in the worker.
public enum Admission {
    /// Whether a directory entry name can be a TIFF we ingest: `*.tif`/`*.tiff` in any case, not hidden,
    /// and not a temporary name of a copy in progress (`*.part`, `*.partial`, `*.tmp`, rsync's `.name.XXXXXX`,
    /// which is hidden anyway).
    public static func isCandidateName(_ name: String) -> Bool { isCandidateName(Array(name.utf8)) }

    /// ``isCandidateName(_:)`` on a name's raw bytes (which need not be valid UTF-8).
    public static func isCandidateName(_ name: [UInt8]) -> Bool {
        guard let first = name.first, first != UInt8(ascii: ".") else { return false }
        // ASCII-only lowercasing: the suffixes are ASCII, and other bytes must not be touched.
        let lower = name.map { (0x41...0x5A).contains($0) ? $0 + 0x20 : $0 }
        func hasSuffix(_ suffix: String) -> Bool { lower.reversed().starts(with: suffix.utf8.reversed()) }
        for suffix in [".part", ".partial", ".tmp", ".swp", "~"] where hasSuffix(suffix) { return false }
        return hasSuffix(".tif") || hasSuffix(".tiff")
    }

    /// Whether a file's first bytes carry a TIFF signature: `II*\0`, `MM\0*`, BigTIFF `II+\0`, `MM\0+`.
    public static func hasTIFFSignature(_ bytes: some Collection<UInt8>) -> Bool {
        guard bytes.count >= 4 else { return false }
        let b = Array(bytes.prefix(4))
        return b == [0x49, 0x49, 0x2A, 0x00] || b == [0x4D, 0x4D, 0x00, 0x2A]
            || b == [0x49, 0x49, 0x2B, 0x00] || b == [0x4D, 0x4D, 0x00, 0x2B]
    }
}
