import Glibc

/// Facts about the machine.
public enum SystemInfo {
    /// The number of processors currently online (at least 1).
    ///
    /// The corresponding C function is `sysconf(_SC_NPROCESSORS_ONLN)`.
    public static var onlineProcessorCount: Int {
        max(sysconf(Int32(_SC_NPROCESSORS_ONLN)), 1)
    }

    /// The size of a memory page in bytes.
    ///
    /// The corresponding C function is `sysconf(_SC_PAGESIZE)`.
    public static var pageSize: Int {
        sysconf(Int32(_SC_PAGESIZE))
    }
}
