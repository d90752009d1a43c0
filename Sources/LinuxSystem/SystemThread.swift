import Glibc

/// A dedicated OS thread for blocking work (the flusher's `fsync`s, a test's pipe reader), outside
/// Swift's cooperative pool, which has one thread per core and deadlocks when they all block.
///
/// The thread inherits the creating thread's signal mask: create it after
/// ``Signal/blockInProcess(_:)`` so that it does not receive the signals the reactor reads.
public final class SystemThread: @unchecked Sendable {
    private var handle = pthread_t()
    private var joined = false

    /// Starts a thread running `body`, named `name` (15 bytes shown by `ps -L` and in core dumps).
    ///
    /// The corresponding C function is `pthread_create`.
    public init(name: String? = nil, _ body: @escaping @Sendable () -> Void) throws {
        let work = Unmanaged.passRetained(Work(name: name, body: body))
        let code = pthread_create(
            &handle, nil,
            { context in
                let work = Unmanaged<Work>.fromOpaque(context!).takeRetainedValue()
                if let name = work.name {
                    ProcessControl.setName(name)
                }
                work.body()
                return nil
            }, work.toOpaque())
        if code != 0 {
            work.release()
            throw SystemCallError(call: "pthread_create", path: name, errno: Errno(rawValue: code))
        }
    }

    /// Waits for the thread to finish. Call exactly once.
    ///
    /// The corresponding C function is `pthread_join`.
    public func join() {
        precondition(!joined, "SystemThread joined twice")
        joined = true
        let code = pthread_join(handle, nil)
        precondition(code == 0, "pthread_join failed with \(Errno(rawValue: code))")
    }

    /// Detaches a thread that was never joined, so its resources are freed when it ends.
    ///
    /// The corresponding C function is `pthread_detach`.
    deinit {
        if !joined {
            pthread_detach(handle)
        }
    }

    /// What the new thread runs, handed over through `pthread_create`'s context pointer.
    private final class Work {
        let name: String?
        let body: @Sendable () -> Void

        init(name: String?, body: @escaping @Sendable () -> Void) {
            self.name = name
            self.body = body
        }
    }
}
