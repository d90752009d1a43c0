/// One event read from an ``Inotify`` instance.
public struct InotifyEvent: Sendable {
    /// The watch descriptor the event belongs to (-1 for ``InotifyMask/queueOverflow``).
    public let watch: Int32
    /// What happened, plus flags such as ``InotifyMask/isDirectory``.
    public let mask: InotifyMask
    /// Pairs an ``InotifyMask/movedFrom`` with its ``InotifyMask/movedTo``; 0 otherwise.
    public let cookie: UInt32
    /// The name of the file inside the watched directory, decoded as UTF-8 (invalid sequences replaced
    /// by U+FFFD); empty for events about the watched object itself.
    public let name: String
    /// Whether the raw name was valid UTF-8; if not, ``name`` cannot be used to reach the file.
    public let nameIsValidUTF8: Bool
    /// The raw bytes of the name, without the kernel's NUL padding.
    public let nameBytes: [UInt8]

    /// Creates an event from its fields and raw name bytes.
    public init(watch: Int32, mask: InotifyMask, cookie: UInt32, nameBytes: [UInt8]) {
        self.watch = watch
        self.mask = mask
        self.cookie = cookie
        self.nameBytes = nameBytes
        let decoded = String(validating: nameBytes, as: UTF8.self)
        self.name = decoded ?? String(decoding: nameBytes, as: UTF8.self)
        self.nameIsValidUTF8 = decoded != nil
    }
}
