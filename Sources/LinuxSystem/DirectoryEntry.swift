/// One entry of a directory listing (never `.` or `..`).
public struct DirectoryEntry: Sendable {
    /// The entry's name, decoded as UTF-8 (invalid sequences replaced by U+FFFD; see ``nameIsValidUTF8``).
    public let name: String
    /// The entry's type from `d_type`; where the file system reports `DT_UNKNOWN`, from `lstat`
    /// (so a symbolic link is ``FileKind/symlink``, never its target's kind).
    public let kind: FileKind
    /// Whether the raw name was valid UTF-8; if not, ``name`` cannot be used to reach the file.
    public let nameIsValidUTF8: Bool
    /// The raw bytes of the name, as the kernel reported them.
    public let nameBytes: [UInt8]

    /// Creates an entry from the raw name bytes and its kind.
    public init(nameBytes: [UInt8], kind: FileKind) {
        self.nameBytes = nameBytes
        self.kind = kind
        let decoded = String(validating: nameBytes, as: UTF8.self)
        self.name = decoded ?? String(decoding: nameBytes, as: UTF8.self)
        self.nameIsValidUTF8 = decoded != nil
    }
}
