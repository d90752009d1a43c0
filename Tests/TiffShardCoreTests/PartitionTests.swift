import Testing

@testable import TiffShardCore

@Test func partitionsAreContiguousRangesCoveringTheListOnceInOrder() throws {
    for total in [0, 1, 2, 3, 7, 16, 100, 257] {
        for count in [1, 2, 3, 4, 16, 300] {
            let ranges = try (0..<count).map { try Partition(index: $0, count: count).range(ofCount: total) }
            #expect(ranges.first?.lowerBound == 0)
            #expect(ranges.last?.upperBound == total)
            for (a, b) in zip(ranges, ranges.dropFirst()) { #expect(a.upperBound == b.lowerBound) }
            let sizes = ranges.map(\.count)
            #expect(sizes.max()! - sizes.min()! <= 1, "sizes differ by at most one: \(sizes)")
        }
    }
    #expect(try Partition(index: 3, count: 4).range(ofCount: 10) == 7..<10)
}

@Test func partitionsParseAndName() throws {
    let p = try Partition(parsing: "3/16")
    #expect(p.index == 3 && p.count == 16)
    #expect(p.description == "3/16")
    #expect(p.name == "part-0003-of-0016")
    #expect(Partition(name: "part-0003-of-0016") == p)
    #expect(try Partition(index: 12_345, count: 99_999).name == "part-12345-of-99999")
    #expect(try Partition(index: 7, count: 100_000).name == "part-000007-of-100000")
    #expect(Partition(name: "part-3-of-16") == nil, "only the padding `name` writes")
    #expect(Partition(name: "part-0016-of-0016") == nil)
    #expect(Partition(name: "part-0003-of-0016x") == nil)
}

@Test(arguments: [
    ("16/16", PartitionError.Kind.indexOutOfRange), ("17/16", .indexOutOfRange), ("0/0", .zeroPartitions),
    ("3", .malformed), ("3/", .malformed), ("/16", .malformed), ("-1/16", .malformed), ("3/16/2", .malformed),
    (" 3/16", .malformed), ("3/16 ", .malformed), ("+3/16", .malformed), ("a/b", .malformed), ("", .malformed),
    ("0/100001", .tooMany), ("1/9999999999", .malformed),
])
func badPartitionsAreRefusedWithTheirReason(_ text: String, _ kind: PartitionError.Kind) {
    #expect(throws: PartitionError.self) { try Partition(parsing: text) }
    do { _ = try Partition(parsing: text) } catch {
        #expect(error.kind == kind, "\(text): \(error)")
        #expect(error.description.contains("'\(text)'"))
    }
}

private func resolve(_ environment: [String: String]) throws(PartitionError) -> Partition? {
    try Partition.fromEnvironment(environment)?.partition
}

@Test func schedulersDescribeThePartitionOfTheirTask() throws {
    #expect(try resolve([:]) == nil)
    #expect(try resolve(["PATH": "/bin", "SLURM_JOB_ID": "12"]) == nil, "a Slurm job that is no array")
    // Kubernetes Indexed Job.
    #expect(try resolve(["JOB_COMPLETION_INDEX": "3", "TIFFSHARD_PARTITIONS": "16"]) == Partition(index: 3, count: 16))
    // Slurm arrays, 0- and 1-based.
    let slurm = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "3",
                 "SLURM_ARRAY_TASK_COUNT": "4", "SLURM_ARRAY_TASK_STEP": "1"]
    #expect(try resolve(slurm) == Partition(index: 2, count: 4))
    let oneBased = ["SLURM_ARRAY_TASK_ID": "16", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "16",
                    "SLURM_ARRAY_TASK_COUNT": "16"]
    #expect(try resolve(oneBased) == Partition(index: 15, count: 16))
    // With TIFFSHARD_PARTITIONS the array index is the partition: a resubmitted task (`--array=2`) finds its own.
    let resubmitted = ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "2",
                       "SLURM_ARRAY_TASK_COUNT": "1", "TIFFSHARD_PARTITIONS": "4"]
    #expect(try resolve(resubmitted) == Partition(index: 2, count: 4))
    let origin = try #require(try Partition.fromEnvironment(slurm)).origin
    #expect(origin.contains("SLURM_ARRAY_TASK_ID=2"))
}

@Test(arguments: [
    // Kubernetes without N, an index past N, garbage.
    ["JOB_COMPLETION_INDEX": "3"], ["JOB_COMPLETION_INDEX": "16", "TIFFSHARD_PARTITIONS": "16"],
    ["JOB_COMPLETION_INDEX": "x", "TIFFSHARD_PARTITIONS": "16"], ["JOB_COMPLETION_INDEX": "1", "TIFFSHARD_PARTITIONS": "0"],
    // N without an index.
    ["TIFFSHARD_PARTITIONS": "4"],
    // Slurm: a resubmitted single task without N, a stepped array, a list, missing variables, id below min.
    ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "2", "SLURM_ARRAY_TASK_MAX": "2", "SLURM_ARRAY_TASK_COUNT": "1"],
    ["SLURM_ARRAY_TASK_ID": "2", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_MAX": "6", "SLURM_ARRAY_TASK_COUNT": "4",
     "SLURM_ARRAY_TASK_STEP": "2"],
    ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_MAX": "5", "SLURM_ARRAY_TASK_COUNT": "3"],
    ["SLURM_ARRAY_TASK_ID": "2"], ["SLURM_ARRAY_TASK_ID": "0", "SLURM_ARRAY_TASK_MIN": "1", "SLURM_ARRAY_TASK_COUNT": "4"],
    ["SLURM_ARRAY_TASK_ID": "5", "SLURM_ARRAY_TASK_MIN": "0", "SLURM_ARRAY_TASK_COUNT": "4"],
    ["SLURM_ARRAY_TASK_ID": "4", "TIFFSHARD_PARTITIONS": "4"],
])
func inconsistentSchedulerVariablesAreRefusedNotIgnored(_ environment: [String: String]) {
    do {
        let found = try Partition.fromEnvironment(environment)
        Issue.record("accepted \(environment) as \(String(describing: found))")
    } catch {
        #expect(error.kind == .inconsistentEnvironment)
        #expect(error.description.contains("--partition"), "says what to do: \(error)")
    }
}

@Test func aPlanSelectsItsRangeAndFingerprintsTheWholeList() throws {
    let paths = (0..<10).map { SourcePath("f\($0).tif") }
    let plan = PartitionPlan(paths: paths, partition: try Partition(index: 1, count: 3))
    #expect(plan.range == 3..<6)
    #expect(plan.select(paths) == paths[3..<6])
    #expect(plan.total == 10)
    let other = PartitionPlan(paths: paths, partition: try Partition(index: 2, count: 3))
    #expect(plan.digest == other.digest, "every task computes the same fingerprint")
    #expect(PartitionPlan.digest(Array(paths.dropLast())) != plan.digest)
    #expect(PartitionPlan.digest([]) == "fnv1a64:cbf29ce484222325")
    #expect(plan.digest.count == 24)
}

@Test func tiffshardPartitionComesFirstAndItsVariablesAreNoUnknownKeys() throws {
    let both = ["TIFFSHARD_PARTITION": "1/2", "JOB_COMPLETION_INDEX": "3", "TIFFSHARD_PARTITIONS": "4"]
    #expect(try resolve(both) == Partition(index: 1, count: 2))
    #expect(throws: PartitionError.self) { try resolve(["TIFFSHARD_PARTITION": "2/2"]) }
    let loaded = try ConfigurationLoader.resolve(
        fileText: nil, fileOrigin: "", environment: ["TIFFSHARD_PARTITION": "1/2", "TIFFSHARD_PARTITIONS": "2"],
        overrides: [("width", "8"), ("height", "8")], cpuCount: 1, command: .convert)
    #expect(loaded.warnings.isEmpty, "\(loaded.warnings)")
}
