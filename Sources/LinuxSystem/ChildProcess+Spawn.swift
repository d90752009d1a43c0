import CLinuxShim
import Glibc

extension ChildProcess {
    /// Starts `executable` with `arguments` (including `argv[0]`) and `environment` (`"KEY=value"`).
    ///
    /// The child gets a clean slate:
    /// - each `source` descriptor at its `target` number, without close-on-exec;
    /// - descriptors 0, 1 and 2 inherited unless mapped; every other descriptor closed, whatever its
    ///   close-on-exec flag;
    /// - an empty signal mask and the default disposition for every signal (a parent that blocks or
    ///   ignores signals for itself must not pass that on).
    ///
    /// Failures to start (`ENOENT`, `EACCES`, `ENOEXEC`) are reported here, not by the child.
    ///
    /// The corresponding C function is `posix_spawn`, with `POSIX_SPAWN_SETSIGMASK`,
    /// `POSIX_SPAWN_SETSIGDEF`, `posix_spawn_file_actions_adddup2` and
    /// `posix_spawn_file_actions_addclosefrom_np`.
    public static func spawn(
        executable: String,
        arguments: [String],
        environment: [String],
        fileDescriptors: [(source: FileDescriptor, target: Int32)]
    ) throws -> ProcessID {
        var actions = posix_spawn_file_actions_t()
        try SystemCall.returnedError("posix_spawn_file_actions_init") { posix_spawn_file_actions_init(&actions) }
        defer { posix_spawn_file_actions_destroy(&actions) }
        try addFileActions(&actions, fileDescriptors)

        var attributes = posix_spawnattr_t()
        try SystemCall.returnedError("posix_spawnattr_init") { posix_spawnattr_init(&attributes) }
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        // Every signal 1...64, including glibc's internal 32 and 33 that sigfillset leaves out:
        // otherwise posix_spawn sets those to SIG_IGN in the child (they have handlers here), and an
        // ignored disposition survives exec.
        var allSignals = sigset_t()
        _ = withUnsafeMutableBytes(of: &allSignals) { $0.initializeMemory(as: UInt8.self, repeating: 0xFF) }
        try SystemCall.returnedError("posix_spawnattr_setsigmask") {
            posix_spawnattr_setsigmask(&attributes, &emptyMask)
        }
        try SystemCall.returnedError("posix_spawnattr_setsigdefault") {
            posix_spawnattr_setsigdefault(&attributes, &allSignals)
        }
        let flags = Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF)
        try SystemCall.returnedError("posix_spawnattr_setflags") { posix_spawnattr_setflags(&attributes, flags) }

        let argv = CStringArray(arguments)
        defer { argv.free() }
        let envp = CStringArray(environment)
        defer { envp.free() }
        var pid: pid_t = 0
        try SystemCall.returnedError("posix_spawn", path: executable) {
            posix_spawn(&pid, executable, &actions, &attributes, argv.pointers, envp.pointers)
        }
        return ProcessID(rawValue: pid)
    }

    /// Adds the `dup2`s and closes that give the child exactly the mapped descriptors.
    ///
    /// Every source is first duplicated to a scratch number above all sources and targets, then from
    /// there to its target. That handles a source that is another mapping's target, and a source equal
    /// to its own target, where a direct `dup2(fd, fd)` would do nothing and leave close-on-exec set
    /// (glibc before 2.38). Gaps below the highest target are closed one by one, the rest with
    /// `closefrom`, which also closes the scratch numbers.
    private static func addFileActions(
        _ actions: inout posix_spawn_file_actions_t,
        _ mappings: [(source: FileDescriptor, target: Int32)]
    ) throws {
        let targets = Set(mappings.map(\.target))
        precondition(targets.count == mappings.count, "two descriptors mapped to the same target number")
        precondition(targets.allSatisfy { $0 >= 0 }, "negative target descriptor number")
        let highest = (mappings.map(\.source.rawValue) + mappings.map(\.target) + [2]).max()!
        // glibc refuses (EBADF) descriptor numbers at or above the soft RLIMIT_NOFILE; say so
        // plainly instead of tripping the EBADF precondition.
        guard Int(highest) + mappings.count < sysconf(Int32(_SC_OPEN_MAX)) else {
            throw SystemCallError(
                call: "posix_spawn_file_actions_adddup2", path: "fd \(highest + Int32(mappings.count))",
                errno: .tooManyOpenFiles)
        }
        for (index, mapping) in mappings.enumerated() {
            let scratch = highest + 1 + Int32(index)
            try SystemCall.returnedError("posix_spawn_file_actions_adddup2") {
                posix_spawn_file_actions_adddup2(&actions, mapping.source.rawValue, scratch)
            }
        }
        for (index, mapping) in mappings.enumerated() {
            let scratch = highest + 1 + Int32(index)
            try SystemCall.returnedError("posix_spawn_file_actions_adddup2") {
                posix_spawn_file_actions_adddup2(&actions, scratch, mapping.target)
            }
        }
        let highestTarget = targets.max() ?? 2
        if highestTarget > 3 {
            // glibc ignores EBADF from a close action, so closing numbers that are not open is fine.
            for fd in 3..<highestTarget where !targets.contains(fd) {
                try SystemCall.returnedError("posix_spawn_file_actions_addclose") {
                    posix_spawn_file_actions_addclose(&actions, fd)
                }
            }
        }
        try SystemCall.returnedError("posix_spawn_file_actions_addclosefrom_np") {
            tsl_spawn_file_actions_addclosefrom(&actions, max(highestTarget + 1, 3))
        }
    }
}
