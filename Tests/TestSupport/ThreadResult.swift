import LinuxSystem

/// Runs `body` on a dedicated thread and hands back its result on ``value()``; blocking work that a
/// test runs alongside its own blocking calls must not sit on Swift's small cooperative pool.
public final class ThreadResult<Value: Sendable>: @unchecked Sendable {
    private var result: Result<Value, any Error>?
    private var thread: SystemThread?

    public init(_ body: @escaping @Sendable () throws -> Value) throws {
        thread = try SystemThread(name: "test-helper") {
            self.result = Result { try body() }
        }
    }

    /// Joins the thread and returns what `body` returned, or throws what it threw.
    public func value() throws -> Value {
        thread?.join()
        thread = nil
        return try result!.get()
    }
}
