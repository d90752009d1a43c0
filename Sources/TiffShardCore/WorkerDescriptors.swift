/// The file descriptor numbers a worker process inherits from the supervisor.
public enum WorkerDescriptors {
    /// The worker's end of the stream socketpair.
    public static let socket: Int32 = 3
    /// The first ring memfd; segment `i` is at `firstSlot + i`.
    public static let firstSlot: Int32 = 4
}
