import Glibc

/// Per-process resource limits, inherited by children.
public enum ResourceLimit {
    /// Limits the process's virtual address space to `bytes`, so that a runaway allocation fails
    /// (`ENOMEM`, `mmap` errors) instead of exhausting the machine. Sets the soft limit and, when
    /// it is higher, lowers the hard limit to match, so the limit cannot be raised again.
    ///
    /// The corresponding C function is `setrlimit(RLIMIT_AS)`.
    public static func setAddressSpace(bytes: UInt64) throws {
        try set(__rlimit_resource_t(RLIMIT_AS.rawValue), "setrlimit(RLIMIT_AS)", bytes)
    }

    /// Limits core dumps to `bytes` (0 disables them). Sets the soft limit and lowers the hard limit
    /// to match when it is higher.
    ///
    /// The corresponding C function is `setrlimit(RLIMIT_CORE)`.
    public static func setCoreDumpSize(bytes: UInt64) throws {
        try set(__rlimit_resource_t(RLIMIT_CORE.rawValue), "setrlimit(RLIMIT_CORE)", bytes)
    }

    /// The current soft address-space limit, `nil` if unlimited.
    ///
    /// The corresponding C function is `getrlimit(RLIMIT_AS)`.
    public static func addressSpace() throws -> UInt64? {
        let limit = try get(__rlimit_resource_t(RLIMIT_AS.rawValue), "getrlimit(RLIMIT_AS)")
        return limit.rlim_cur == rlim_t.max ? nil : UInt64(limit.rlim_cur)
    }

    private static func get(_ resource: __rlimit_resource_t, _ call: String) throws -> rlimit {
        var limit = rlimit()
        _ = try SystemCall.value(call) { getrlimit(resource, &limit) }
        return limit
    }

    private static func set(_ resource: __rlimit_resource_t, _ call: String, _ bytes: UInt64) throws {
        var limit = try get(resource, call)
        limit.rlim_cur = rlim_t(bytes)
        if limit.rlim_max == rlim_t.max || limit.rlim_max > limit.rlim_cur {
            limit.rlim_max = limit.rlim_cur
        }
        _ = try SystemCall.value(call) { setrlimit(resource, &limit) }
    }
}
