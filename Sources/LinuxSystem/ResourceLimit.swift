import CLinuxShim
import Glibc

/// Per-process resource limits, inherited by children.
public enum ResourceLimit {
    /// Limits the process's virtual address space to `bytes`, so that a runaway allocation fails
    /// (`ENOMEM`, `mmap` errors) instead of exhausting the machine. Sets the soft limit and, when
    /// it is higher, lowers the hard limit to match, so the limit cannot be raised again.
    ///
    /// The corresponding C function is `setrlimit(RLIMIT_AS)` (through `prlimit`).
    public static func setAddressSpace(bytes: UInt64) throws {
        try set(RLIMIT_AS.rawValue, "setrlimit(RLIMIT_AS)", bytes, process: nil)
    }

    /// Limits core dumps to `bytes` (0 disables them). Sets the soft limit and lowers the hard limit
    /// to match when it is higher.
    ///
    /// The corresponding C function is `setrlimit(RLIMIT_CORE)` (through `prlimit`).
    public static func setCoreDumpSize(bytes: UInt64) throws {
        try set(RLIMIT_CORE.rawValue, "setrlimit(RLIMIT_CORE)", bytes, process: nil)
    }

    /// The current soft address-space limit, `nil` if unlimited.
    ///
    /// The corresponding C function is `getrlimit(RLIMIT_AS)` (through `prlimit`).
    public static func addressSpace() throws -> UInt64? {
        let limit = try get(RLIMIT_AS.rawValue, "getrlimit(RLIMIT_AS)", process: nil)
        return limit.rlim_cur == rlim_t.max ? nil : UInt64(limit.rlim_cur)
    }

    /// `RLIMIT_AS`, for the internal functions.
    static let addressSpaceResource = RLIMIT_AS.rawValue

    /// The limit of `resource` for `process` (this one if `nil`).
    static func get(_ resource: UInt32, _ call: String, process: ProcessID?) throws -> rlimit {
        var limit = rlimit()
        _ = try SystemCall.value(call) { tsl_prlimit(process?.rawValue ?? 0, Int32(resource), nil, &limit) }
        return limit
    }

    /// Sets the soft limit of `resource` for `process` (this one if `nil`) to `bytes` and caps the
    /// hard limit there. RLIM_INFINITY is `rlim_t.max` (Swift imports the macro wrongly).
    static func set(_ resource: UInt32, _ call: String, _ bytes: UInt64, process: ProcessID?) throws {
        var limit = try get(resource, call, process: process)
        limit.rlim_cur = rlim_t(bytes)
        if limit.rlim_max > limit.rlim_cur {
            limit.rlim_max = limit.rlim_cur
        }
        _ = try SystemCall.value(call) { tsl_prlimit(process?.rawValue ?? 0, Int32(resource), &limit, nil) }
    }
}
