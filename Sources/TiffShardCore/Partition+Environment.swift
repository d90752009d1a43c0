/// Where a task's partition comes from when `--partition` does not say: `TIFFSHARD_PARTITION=I/N`, else the
/// variables the schedulers set for each task of an array.
///
/// The partition is no configuration key: a configuration file is shared by every task, a partition is
/// one task's.
///
/// - Kubernetes Indexed Job: `JOB_COMPLETION_INDEX` of `TIFFSHARD_PARTITIONS` (the Job's `completions`, which
///   the pod does not see: the manifest sets it, next to `completions`).
/// - Slurm job array: `SLURM_ARRAY_TASK_ID` − `SLURM_ARRAY_TASK_MIN` of `SLURM_ARRAY_TASK_COUNT`, for an
///   array that is one contiguous range (`--array=0-15`, `--array=1-16%4`). With `TIFFSHARD_PARTITIONS` set,
///   the array index itself is the partition (`--array=0-15` with N = 16, and resubmitting one task with
///   `--array=3` addresses partition 3 again).
///
/// `JOB_COMPLETION_INDEX` is looked at first. Anything that does not describe exactly one partition is an
/// error naming the variables, never a silent single-machine run: a one-task Slurm array (what resubmitting
/// one index looks like) without `TIFFSHARD_PARTITIONS`, a stepped or listed array, `TIFFSHARD_PARTITIONS`
/// without an index to go with it.
extension Partition {
    /// The variables read.
    public enum Variable {
        /// `I/N`, as `--partition` takes it: the task's own partition.
        public static let partition = "TIFFSHARD_PARTITION"
        public static let partitions = "TIFFSHARD_PARTITIONS"
        /// Ours, though no configuration key (a partition belongs to one task, not to a file all tasks share).
        public static let tiffshardNames: Set<String> = [partition, partitions]
        public static let completionIndex = "JOB_COMPLETION_INDEX"
        public static let slurmTaskID = "SLURM_ARRAY_TASK_ID"
        public static let slurmTaskMin = "SLURM_ARRAY_TASK_MIN"
        public static let slurmTaskMax = "SLURM_ARRAY_TASK_MAX"
        public static let slurmTaskCount = "SLURM_ARRAY_TASK_COUNT"
        public static let slurmTaskStep = "SLURM_ARRAY_TASK_STEP"
    }

    /// The partition the scheduler's variables describe, and how it was found (for logs and `check-config`);
    /// nil when no variable of a partitioned task is set.
    public static func fromEnvironment(_ environment: [String: String]) throws(PartitionError)
        -> (partition: Partition, origin: String)?
    {
        func value(_ name: String) -> String? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            return text
        }
        if let text = value(Variable.partition) {
            do { return (try Partition(parsing: text), "\(Variable.partition)=\(text)") } catch {
                throw PartitionError(.inconsistentEnvironment, detail: "\(Variable.partition): \(error)")
            }
        }
        func number(_ name: String) throws(PartitionError) -> Int? {
            guard let text = value(name) else { return nil }
            guard let n = decimal(text) else {
                throw PartitionError(.inconsistentEnvironment, detail: "\(name)=\(text) is not a non-negative integer; pass --partition I/N to say which partition")
            }
            return n
        }
        func make(_ index: Int, _ count: Int, _ origin: String) throws(PartitionError) -> (Partition, String) {
            do { return (try Partition(index: index, count: count), origin) } catch {
                throw PartitionError(.inconsistentEnvironment, detail: "\(origin) is no partition (\(error)); pass --partition I/N to say which")
            }
        }
        let partitions = try number(Variable.partitions)
        let partitionsText = partitions.map { "\(Variable.partitions)=\($0)" }
        if let index = try number(Variable.completionIndex) {
            guard let partitions, let partitionsText else {
                throw PartitionError(
                    .inconsistentEnvironment,
                    detail: "\(Variable.completionIndex)=\(index) is set but \(Variable.partitions) is not: set it to the "
                        + "Indexed Job's completions, or pass --partition I/N")
            }
            return try make(index, partitions, "\(Variable.completionIndex)=\(index) of \(partitionsText)")
        }
        guard let id = try number(Variable.slurmTaskID) else {
            if let partitionsText {
                throw PartitionError(
                    .inconsistentEnvironment,
                    detail: "\(partitionsText) is set but neither \(Variable.completionIndex) nor "
                        + "\(Variable.slurmTaskID) says which partition this task is: pass --partition I/N")
            }
            return nil
        }
        if let partitions, let partitionsText {
            return try make(id, partitions, "\(Variable.slurmTaskID)=\(id) of \(partitionsText)")
        }
        let min = try number(Variable.slurmTaskMin)
        let count = try number(Variable.slurmTaskCount)
        let max = try number(Variable.slurmTaskMax)
        let step = try number(Variable.slurmTaskStep)
        let seen = [
            "\(Variable.slurmTaskID)=\(id)", min.map { "\(Variable.slurmTaskMin)=\($0)" },
            max.map { "\(Variable.slurmTaskMax)=\($0)" }, count.map { "\(Variable.slurmTaskCount)=\($0)" },
            step.map { "\(Variable.slurmTaskStep)=\($0)" },
        ].compactMap { $0 }.joined(separator: ", ")
        func refuse(_ why: String) -> PartitionError {
            PartitionError(
                .inconsistentEnvironment,
                detail: "Slurm array (\(seen)): \(why); set \(Variable.partitions)=N (array indices are then "
                    + "partition numbers) or pass --partition I/N")
        }
        guard let min, let count else { throw refuse("\(Variable.slurmTaskMin) and \(Variable.slurmTaskCount) are needed") }
        guard step == nil || step == 1 else { throw refuse("a stepped array is not a contiguous range of partitions") }
        guard max == nil || max == min + count - 1 else { throw refuse("the array is not one contiguous range") }
        guard count > 1 else {
            throw refuse("a one-task array (as when one task is resubmitted) does not say how many partitions there are")
        }
        guard id >= min else { throw refuse("the task id is below the array's minimum") }
        return try make(id - min, count, "\(Variable.slurmTaskID)=\(id) - \(Variable.slurmTaskMin)=\(min) of \(Variable.slurmTaskCount)=\(count)")
    }
}
