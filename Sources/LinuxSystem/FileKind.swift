import Glibc

/// The type of a file system object, from `st_mode` or `d_type`.
public enum FileKind: Sendable {
    case regular, directory, symlink, fifo, socket, characterDevice, blockDevice, unknown

    /// The kind encoded in the `S_IFMT` bits of a `st_mode`.
    init(mode: UInt32) {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFREG): self = .regular
        case UInt32(S_IFDIR): self = .directory
        case UInt32(S_IFLNK): self = .symlink
        case UInt32(S_IFIFO): self = .fifo
        case UInt32(S_IFSOCK): self = .socket
        case UInt32(S_IFCHR): self = .characterDevice
        case UInt32(S_IFBLK): self = .blockDevice
        default: self = .unknown
        }
    }

    /// The kind encoded in a directory entry's `d_type` (`DT_UNKNOWN` gives ``unknown``).
    init(directoryEntryType type: UInt8) {
        switch Int(type) {
        case Int(DT_REG): self = .regular
        case Int(DT_DIR): self = .directory
        case Int(DT_LNK): self = .symlink
        case Int(DT_FIFO): self = .fifo
        case Int(DT_SOCK): self = .socket
        case Int(DT_CHR): self = .characterDevice
        case Int(DT_BLK): self = .blockDevice
        default: self = .unknown
        }
    }
}
