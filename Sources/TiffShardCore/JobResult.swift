/// The outcome of one job.
public struct JobResult: Equatable, Sendable {
    public enum Outcome: Equatable, Sendable {
        case decoded(SourceInfo)
        /// The file was not decoded: why, as a category and a detail. `.changed` means it was modified while
        /// the worker read it (not a bad file: it is looked at again).
        case rejected(Rejection)
    }
    public var jobID: UInt64
    public var outcome: Outcome

    public init(jobID: UInt64, outcome: Outcome) {
        self.jobID = jobID
        self.outcome = outcome
    }
}
