// Compiled only into debug builds (SwiftPM defines DEBUG there): the release binary carries neither the
// hooks nor the `TIFFSHARD_FAULT_INJECT` name, so no environment variable can crash a production worker.
#if DEBUG
import LinuxSystem

/// Deterministic faults for the fault-injection suite, set through `TIFFSHARD_FAULT_INJECT` in the
/// supervisor's environment (workers inherit it): `crash:TEXT` raises SIGSEGV and `hang:TEXT` blocks
/// forever when a job's path contains TEXT; `abort:TEXT` calls abort(). Several rules separated by `;`.
/// Debug builds only; costs one string search per image when set.
struct FaultInjection {
    enum Fault: String {
        case crash, hang, abort
    }

    let rules: [(Fault, String)]

    init(specification: String?) {
        rules = (specification ?? "").split(separator: ";").compactMap { rule in
            let parts = rule.split(separator: ":", maxSplits: 1)
            guard parts.count == 2, let fault = Fault(rawValue: String(parts[0])) else { return nil }
            return (fault, String(parts[1]))
        }
    }

    /// Carries out the first rule matching `path`, if any.
    func apply(to path: String) {
        for (fault, text) in rules where path.contains(text) {
            switch fault {
            case .crash: ProcessControl.raise(Signal.segmentationFault)
            case .abort: ProcessControl.raise(Signal.abort)
            case .hang: while true { ProcessControl.pause() }
            }
        }
    }
}
#endif
