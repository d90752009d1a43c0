import Foundation

/// Runs a command with a fresh tmpfs mounted over a directory, in a private mount namespace
/// (`unshare -m`), so tests get a read-only or tiny file system without touching the host's mounts.
///
/// Running as root makes permission bits useless for "cannot write" tests; a read-only or full
/// file system fails for everyone. The mount disappears with the namespace when the command ends.
public enum PrivateMount {
    /// Whether this machine lets us do it (root, or CAP_SYS_ADMIN, and util-linux's unshare).
    public static let isAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare"),
            let probe = try? TemporaryDirectory("mountprobe"),
            let result = try? run(tmpfs: probe.path, options: "size=4k", then: ["/bin/true"])
        else { return false }
        return result.status == 0
    }()

    /// Mounts tmpfs with `options` (e.g. `ro,size=64k`) over `directory`, runs `command`, then copies the
    /// tmpfs's contents (hidden files too) to `copyTo` if given. Returns the command's result; status 125
    /// means the mount itself failed.
    public static func run(tmpfs directory: String, options: String, then command: [String], copyTo: String? = nil,
                           timeout: Double = 60) throws -> CommandResult {
        let script = """
            options=$1; directory=$2; copy=$3; shift 3
            mount -t tmpfs -o "$options" tmpfs "$directory" || exit 125
            "$@"; status=$?
            if [ -n "$copy" ]; then cp -a "$directory/." "$copy/" || exit 125; fi
            exit $status
            """
        return try CommandRunner.run(
            "/usr/bin/unshare", ["-m", "--propagation", "private", "/bin/sh", "-c", script, "sh", options, directory,
                                 copyTo ?? ""] + command,
            timeout: timeout)
    }
}
