import Testing

@testable import TiffShardCore

@Test func namesAreZeroPaddedToEightDigits() {
    let naming = ShardNaming()
    #expect(naming.stem(0) == "shard-00000000")
    #expect(naming.arrayName(42) == "shard-00000042.npy")
    #expect(naming.manifestName(42) == "shard-00000042.jsonl")
    #expect(naming.arrayName(99_999_999) == "shard-99999999.npy")
    #expect(naming.arrayName(123_456_789) == "shard-123456789.npy", "past eight digits the name just grows")
    #expect(ShardNaming.temporaryName("shard-00000001.npy") == ".shard-00000001.npy.tmp")
}

@Test func prefixedNames() {
    let naming = ShardNaming(prefix: "host-a")
    #expect(naming.arrayName(7) == "host-a-shard-00000007.npy")
    #expect(naming.sequence(of: "host-a-shard-00000007.npy") == 7)
    #expect(naming.sequence(of: "shard-00000007.npy") == nil, "another instance's shards are not ours")
    #expect(ShardNaming().sequence(of: "host-a-shard-00000007.npy") == nil)
    #expect(ShardNaming(prefix: "host").sequence(of: "host-a-shard-00000007.npy") == nil)
    #expect(naming.isTemporary(".host-a-shard-00000007.jsonl.tmp"))
    #expect(!ShardNaming().isTemporary(".host-a-shard-00000007.jsonl.tmp"))
}

@Test(arguments: [0, 1, 9, 10, 12_345_678, 99_999_999, 100_000_000, Int(Int32.max)])
func sequenceRoundTrips(_ sequence: Int) {
    for naming in [ShardNaming(), ShardNaming(prefix: "x"), ShardNaming(prefix: "日本")] {
        #expect(naming.sequence(of: naming.arrayName(sequence)) == sequence)
        #expect(naming.sequence(of: naming.manifestName(sequence)) == sequence)
        #expect(naming.isTemporary(ShardNaming.temporaryName(naming.arrayName(sequence))))
        #expect(naming.sequence(of: ShardNaming.temporaryName(naming.arrayName(sequence))) == nil)
    }
}

@Test(arguments: [
    "shard-0000001.npy", "shard-00000001.npz", "shard-00000001", "shard-0000000a.npy", "shard--0000001.npy",
    "shard-+0000001.npy", "shard-00000001.npy.tmp", "xshard-00000001.npy", "shard-０００００００１.npy",
    "shard-99999999999999999999999.npy", "",
])
func foreignNamesHaveNoSequence(_ name: String) {
    #expect(ShardNaming().sequence(of: name) == nil)
}

@Test func temporaryNamesAreRecognizedOnlyWhenTheyAreOurs() {
    let naming = ShardNaming()
    #expect(naming.isTemporary(".shard-00000003.npy.tmp"))
    #expect(naming.isTemporary(".shard-00000003.jsonl.tmp"))
    #expect(!naming.isTemporary("shard-00000003.npy"))
    #expect(!naming.isTemporary(".other.tmp"))
    #expect(!naming.isTemporary(".shard-00000003.npy"))
}
