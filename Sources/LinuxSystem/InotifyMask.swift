import Glibc

/// Inotify event bits (in a watch mask and in reported events).
public struct InotifyMask: OptionSet, Sendable, Hashable {
    /// The raw C bits.
    public let rawValue: UInt32

    /// Wraps raw C bits.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// A file opened for writing was closed (`IN_CLOSE_WRITE`): a writer finished.
    public static let closeWrite = InotifyMask(rawValue: UInt32(IN_CLOSE_WRITE))
    /// A file was moved into the watched directory (`IN_MOVED_TO`).
    public static let movedTo = InotifyMask(rawValue: UInt32(IN_MOVED_TO))
    /// A file was moved out of the watched directory (`IN_MOVED_FROM`).
    public static let movedFrom = InotifyMask(rawValue: UInt32(IN_MOVED_FROM))
    /// A file or directory was created in the watched directory (`IN_CREATE`).
    public static let create = InotifyMask(rawValue: UInt32(IN_CREATE))
    /// A file or directory was deleted from the watched directory (`IN_DELETE`).
    public static let delete = InotifyMask(rawValue: UInt32(IN_DELETE))
    /// The watched object itself was deleted (`IN_DELETE_SELF`).
    public static let deleteSelf = InotifyMask(rawValue: UInt32(IN_DELETE_SELF))
    /// The watched object itself was moved (`IN_MOVE_SELF`).
    public static let moveSelf = InotifyMask(rawValue: UInt32(IN_MOVE_SELF))
    /// Metadata changed: permissions, timestamps, link count (`IN_ATTRIB`).
    public static let attrib = InotifyMask(rawValue: UInt32(IN_ATTRIB))
    /// A file was modified (`IN_MODIFY`).
    public static let modify = InotifyMask(rawValue: UInt32(IN_MODIFY))
    /// Reported: the file system holding the watched object was unmounted (`IN_UNMOUNT`).
    public static let unmount = InotifyMask(rawValue: UInt32(IN_UNMOUNT))
    /// Reported: the event queue overflowed and events were lost (`IN_Q_OVERFLOW`); rescan.
    public static let queueOverflow = InotifyMask(rawValue: UInt32(IN_Q_OVERFLOW))
    /// Reported: the watch was removed, explicitly or because its object is gone (`IN_IGNORED`).
    public static let ignored = InotifyMask(rawValue: UInt32(IN_IGNORED))
    /// Reported: the event's subject is a directory (`IN_ISDIR`).
    public static let isDirectory = InotifyMask(rawValue: UInt32(IN_ISDIR))
    /// Watch option: fail with `ENOTDIR` unless the path is a directory (`IN_ONLYDIR`).
    public static let onlyDirectory = InotifyMask(rawValue: UInt32(IN_ONLYDIR))
    /// Watch option: do not follow a final symbolic link (`IN_DONT_FOLLOW`).
    public static let dontFollow = InotifyMask(rawValue: UInt32(IN_DONT_FOLLOW))
    /// Watch option: no events for children after they were unlinked (`IN_EXCL_UNLINK`).
    public static let excludeUnlinked = InotifyMask(rawValue: UInt32(IN_EXCL_UNLINK))
}
