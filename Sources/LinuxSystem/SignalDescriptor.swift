import CLinuxShim
import Glibc

/// A signalfd: blocked signals become readable records, so the reactor handles them like any other
/// input instead of in an async-signal handler.
public final class SignalDescriptor: @unchecked Sendable {
    /// The non-blocking, close-on-exec descriptor to poll for readability. Closed by `deinit`.
    public let fileDescriptor: FileDescriptor

    /// Creates a signalfd for `signals`, which the caller has already blocked (see
    /// ``Signal/blockInProcess(_:)``); otherwise they keep their normal effect.
    ///
    /// The corresponding C function is `signalfd` (`SFD_NONBLOCK | SFD_CLOEXEC`).
    public init(signals: [Int32]) throws {
        let fd = try SystemCall.value("signalfd") { tsl_signalfd_create(signals, Int32(signals.count)) }
        fileDescriptor = FileDescriptor(rawValue: fd)
    }

    /// Reads every pending signal, in arrival order; `[]` if none. Standard signals of the same number
    /// that arrived while one was pending are merged into one by the kernel.
    ///
    /// The corresponding C function is `read`.
    public func readSignals() throws -> [Int32] {
        let recordSize = Int(TSL_SIGNALFD_SIGINFO_SIZE)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: recordSize * 16, alignment: 8)
        defer { buffer.deallocate() }
        var signals = [Int32]()
        while let count = try fileDescriptor.readIfAvailable(into: buffer), count > 0 {
            for offset in stride(from: 0, to: count - recordSize + 1, by: recordSize) {
                let number = buffer.load(fromByteOffset: offset + Int(TSL_SIGNALFD_SIGNO_OFFSET), as: UInt32.self)
                signals.append(Int32(bitPattern: number))
            }
        }
        return signals
    }

    /// Closes the descriptor.
    deinit {
        fileDescriptor.close()
    }
}
