import Glibc

/// A mutex and a condition variable used together, for handing work between a few dedicated
/// ``SystemThread``s (the reactor and the publisher). Not for Swift tasks: ``wait()`` blocks the thread.
///
/// The mutex is a plain (non-recursive) one; the condition waits on `CLOCK_REALTIME` and is only ever
/// waited on without a timeout, so the clock does not matter.
public final class ThreadCondition: @unchecked Sendable {
    // pthread objects must not move once initialised: heap-allocate them instead of storing them inline.
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    /// Creates the mutex and the condition variable.
    ///
    /// The corresponding C functions are `pthread_mutex_init` and `pthread_cond_init`.
    public init() throws {
        do {
            try SystemCall.returnedError("pthread_mutex_init") { pthread_mutex_init(mutex, nil) }
        } catch {
            mutex.deallocate()
            condition.deallocate()
            throw error
        }
        do {
            try SystemCall.returnedError("pthread_cond_init") { pthread_cond_init(condition, nil) }
        } catch {
            pthread_mutex_destroy(mutex)
            mutex.deallocate()
            condition.deallocate()
            throw error
        }
    }

    /// Destroys both; nobody may hold or wait on them any more.
    ///
    /// The corresponding C functions are `pthread_cond_destroy` and `pthread_mutex_destroy`.
    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Takes the mutex, waiting for it. Fails only on misuse (a bug), which stops the program.
    ///
    /// The corresponding C function is `pthread_mutex_lock`.
    public func lock() {
        let code = pthread_mutex_lock(mutex)
        precondition(code == 0, "pthread_mutex_lock failed with \(Errno(rawValue: code))")
    }

    /// Releases the mutex, which the calling thread must hold.
    ///
    /// The corresponding C function is `pthread_mutex_unlock`.
    public func unlock() {
        let code = pthread_mutex_unlock(mutex)
        precondition(code == 0, "pthread_mutex_unlock failed with \(Errno(rawValue: code))")
    }

    /// Runs `body` holding the mutex.
    public func withLock<Result>(_ body: () throws -> Result) rethrows -> Result {
        lock()
        defer { unlock() }
        return try body()
    }

    /// Releases the mutex (which the caller holds), sleeps until signalled, and takes it again before
    /// returning. Wake-ups can be spurious: call it in a loop that re-checks the awaited condition.
    ///
    /// The corresponding C function is `pthread_cond_wait`.
    public func wait() {
        let code = pthread_cond_wait(condition, mutex)
        precondition(code == 0, "pthread_cond_wait failed with \(Errno(rawValue: code))")
    }

    /// Wakes one waiting thread, if any. Usually called holding the mutex.
    ///
    /// The corresponding C function is `pthread_cond_signal`.
    public func signal() {
        pthread_cond_signal(condition)
    }

    /// Wakes every waiting thread.
    ///
    /// The corresponding C function is `pthread_cond_broadcast`.
    public func broadcast() {
        pthread_cond_broadcast(condition)
    }
}
