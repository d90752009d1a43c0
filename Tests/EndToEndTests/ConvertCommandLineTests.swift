import Foundation
import Glibc
import Testing
import TestSupport
import TiffShardCore

/// `tiffshard convert` as a command: its summary line, its progress bar, and its exit statuses.
@Suite(.serialized)
struct ConvertCommandLineTests {
    @Test func summaryLineCountsImagesRejectionsByReasonShardsAndRateWithoutAProgressBarOffATerminal() throws {
        let h = try ConvertHarness("summary")
        try h.writeGood((0..<5).map { "g\($0).tif" })
        try Data().write(to: URL(fileURLWithPath: h.source + "/empty.tif"))
        try Data("random bytes, no signature".utf8).write(to: URL(fileURLWithPath: h.source + "/junk.tif"))
        try FileManager.default.createDirectory(atPath: h.source + "/folder.tif", withIntermediateDirectories: false)
        let run = try h.convert(["--shard-size", "3"])
        #expect(run.status == 0)
        let summary = ConvertHarness.lastLine(run.standardError)
        let pattern = try Regex(#"^converted (\d+) images into (\d+) shards in \d+\.\d s \(\d+\.\d img/s\); rejected (\d+) \((.*)\)$"#)
        let match = try #require(summary.wholeMatch(of: pattern), "summary: \(summary)")
        #expect(match.output[1].substring == "5")
        #expect(match.output[2].substring == "2")
        #expect(match.output[3].substring == "3")
        #expect(match.output[4].substring == "empty: 1, not-regular: 1, not-tiff: 1", "counted by category name")
        // stderr is a file here: no carriage returns, no escape sequences, no bar.
        #expect(!run.standardError.contains("\r"))
        #expect(!run.standardError.contains("\u{1B}["))
        #expect(!run.standardError.contains("ETA"))
        #expect(run.standardOutput.isEmpty)
    }

    @Test func progressBarIsDrawnOnATerminal() throws {
        let h = try ConvertHarness("progress")
        try h.writeGood((0..<8).map { "g\($0).tif" })
        // A decode that hangs until the 1 s timeout keeps the run alive across several redraws.
        try h.writeGood(["g4-HANG.tif"])
        let command = (h.arguments(into: h.output(), ["--decode-timeout", "1"]).map(shellQuoted))
            .joined(separator: " ")
        // script(1) runs the command on a pseudo-terminal and copies everything it prints to our stdout.
        let run = try CommandRunner.run(
            "/usr/bin/script", ["-qec", shellQuoted(TiffshardBinary.path) + " " + command, "/dev/null"],
            environment: ConvertHarness.environment(["TIFFSHARD_FAULT_INJECT": "hang:HANG"]), timeout: 60)
        #expect(run.status == 0, "\(run.standardOutput)")
        let screen = run.standardOutput
        #expect(screen.contains("img/s  ETA"))
        #expect(screen.contains("\r["))
        #expect(screen.contains("/9  "))  // eight good files and the hanging one
        let last = ConvertHarness.lastLine(screen.replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\u{1B}[K", with: ""))
        #expect(last.hasPrefix("converted 8 images into 1 shards in "))
        #expect(last.hasSuffix("; rejected 1 (timeout: 1)"))
    }

    @Test func usageErrorsExit64() throws {
        let h = try ConvertHarness("usage")
        try h.writeGood(["a.tif"])
        let cases: [(arguments: [String], mentions: String)] = [
            (["convert", h.source, h.output(), "--height", "8"], "--width"),
            (["convert", h.source, h.output(), "--width", "0", "--height", "8"], "--width"),
            (["convert", h.source, h.output(), "--width", "8", "--height", "-3"], "--height"),
            (["convert", h.source, h.output(), "--width", "8", "--height", "8", "--interpolation", "bilinear"], "--interpolation"),
            (["convert", h.source, h.output(), "--width", "8", "--height", "8", "--shard-size", "0"], "--shard-size"),
            (["convert", h.source, h.output(), "--width", "8", "--height", "8", "--workers", "0"], "--workers"),
            (["convert", h.source, h.output(), "--width", "8", "--height", "8", "--decode-timeout", "0"], "--decode-timeout"),
            (["convert", h.source, h.output(), "--width", "8", "--height", "8", "--colour", "red"], "--colour"),
            (["convert", h.source, "--width", "8", "--height", "8"], "output"),
        ]
        for (arguments, mentions) in cases {
            let run = try CommandRunner.run(TiffshardBinary.path, arguments, timeout: 30)
            #expect(run.status == 64, "\(arguments): \(run.standardError)")
            #expect(run.standardError.contains(mentions), "\(arguments): \(run.standardError)")
        }
        #expect(!FileManager.default.fileExists(atPath: h.output()))
    }

    @Test func missingOrNonDirectorySourceExits66() throws {
        let h = try ConvertHarness("nosource")
        try h.writeGood(["a.tif"])
        for source in [h.root("does-not-exist"), h.source + "/a.tif"] {
            let run = try CommandRunner.run(
                TiffshardBinary.path, ["convert", source, h.output(), "--width", "8", "--height", "8"], timeout: 30)
            #expect(run.status == 66, "\(source): \(run.standardError)")
            #expect(run.standardError.contains(source))
        }
        #expect(h.listing().filter { $0.hasPrefix("shard-") } == [])
    }

    @Test func unwritableOutputExits74() throws {
        let h = try ConvertHarness("unwritable")
        try h.writeGood(["a.tif"])
        let file = h.root("plain-file")
        try Data("x".utf8).write(to: URL(fileURLWithPath: file))
        // Running as root makes permission bits useless; a path through a regular file fails for anyone.
        for output in [file, file + "/out"] {
            let run = try h.convert(into: output)
            #expect(run.status == 74, "\(output): \(run.standardError)")
            #expect(run.standardError.contains(output))
        }
    }

    @Test(.enabled(if: PrivateMount.isAvailable, "needs unshare(1) and permission to mount tmpfs"))
    func readOnlyOutputExits74() throws {
        let h = try ConvertHarness("readonly")
        try h.writeGood(["a.tif"])
        let out = try h.root.directory("ro")
        let run = try PrivateMount.run(tmpfs: out, options: "ro,size=64k", then: [TiffshardBinary.path] + h.arguments(into: out))
        #expect(run.status == 74, "\(run.standardError)")
        #expect(run.standardError.contains("Read-only file system"))
    }

    @Test(.enabled(if: PrivateMount.isAvailable, "needs unshare(1) and permission to mount tmpfs"))
    func fullDiskExits74AndLeavesOnlyCompleteShards() throws {
        let h = try ConvertHarness("full", width: 64, height: 64)
        let names = (0..<24).map { "g\($0 < 10 ? "0" : "")\($0).tif" }
        try h.writeGood(names)
        let out = try h.root.directory("tiny")
        let copy = try h.root.directory("copy")
        // 64 KiB holds one 8 x 64 x 64 shard (32 KiB + header) but not two.
        let run = try PrivateMount.run(
            tmpfs: out, options: "size=64k", then: [TiffshardBinary.path] + h.arguments(into: out, ["--shard-size", "8"]),
            copyTo: copy)
        #expect(run.status == 74, "\(run.standardError)")
        #expect(run.standardError.contains("No space left on device"))
        let report = try h.check(copy)
        #expect(report.structure == [])
        #expect(report.pixels == [])
        #expect(report.shards.count >= 1 && report.shards.count < 3)
        #expect(report.sources == Array(names.prefix(8 * report.shards.count)))
        #expect(h.listing(copy).allSatisfy { $0.hasPrefix("shard-") })  // no temporary files left
    }

    @Test func everyConfigurationKeyHasAFlagOfTheSameNameWithTheTablesHelpAndViceVersa() throws {
        let commands: [(arguments: [String], command: ConfigurationCommand, extra: Set<String>)] = [
            (["run", "--help"], .run, ["--config"]),
            (["check-config", "--help"], .run, ["--config"]),
            // --partition: one task's, no configuration key (a configuration file is shared by every task).
            (["convert", "--help"], .convert, ["--config", "--no-progress", "--partition", "--json"]),
        ]
        let flag = try Regex(#"^  (--[a-z][a-z-]*)"#)
        for (arguments, command, extra) in commands {
            let run = try CommandRunner.run(TiffshardBinary.path, arguments, environment: ["COLUMNS": "200"], timeout: 30)
            #expect(run.status == 0, "\(arguments)")
            let flags = Set(run.standardOutput.split(separator: "\n").compactMap { line in
                line.firstMatch(of: flag).map { String($0.output[1].substring ?? "") }
            })
            let keys = Configuration.keys(for: command)
            #expect(flags == Set(keys.map(\.flagName)).union(extra), "\(arguments)")
            // Help lines wrap at spaces; compare with blanks collapsed.
            let collapsed = run.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for key in keys {
                let help = key.name == "recursive" && command == .convert ? key.switchHelp(for: command) : key.help(for: command)
                #expect(collapsed.contains(help.split(whereSeparator: \.isWhitespace).joined(separator: " ")),
                        "\(arguments): \(key.name)")
            }
        }
    }

    @Test func environmentAndConfigFileApplyToConvertBelowFlags() throws {
        let h = try ConvertHarness("layers")
        try h.writeGood((0..<5).map { "g\($0).tif" })
        let fromEnvironment = try h.convert(into: h.output("env"), environment: ["TIFFSHARD_SHARD_SIZE": "2"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.standardError)")
        #expect(h.listing(h.output("env")) == ConvertHarness.files(shards: 0..<3, rejected: false))
        let flagWins = try h.convert(into: h.output("flag"), ["--shard-size", "4"], environment: ["TIFFSHARD_SHARD_SIZE": "2"])
        #expect(flagWins.status == 0)
        #expect(h.listing(h.output("flag")) == ConvertHarness.files(shards: 0..<2, rejected: false))
        // A daemon's file serves convert too: its directory keys are checked, then ignored.
        let file = h.root("tiffshard.yaml")
        try Data("ingest: ./somewhere\nshard-size: 5\nidle-flush: 1s\n".utf8).write(to: URL(fileURLWithPath: file))
        let fromFile = try h.convert(into: h.output("file"), ["--config", file])
        #expect(fromFile.status == 0, "\(fromFile.standardError)")
        #expect(h.listing(h.output("file")) == ConvertHarness.files(shards: 0..<1, rejected: false))
        #expect(try h.check(h.output("file")).structure == [])
    }

    @Test func invalidEnvironmentOrFileValueExits78WithTheDaemonsMessage() throws {
        let h = try ConvertHarness("badenv")
        try h.writeGood(["a.tif"])
        let badEnvironment = try h.convert(environment: ["TIFFSHARD_RING_SIZE": "1"])
        #expect(badEnvironment.status == 78)
        #expect(badEnvironment.standardError.contains(
            "invalid value '1' for ring-size (from environment TIFFSHARD_RING_SIZE): expected an integer from 2 to 16"))
        let file = h.root("bad.yaml")
        try Data("widht: 3\n".utf8).write(to: URL(fileURLWithPath: file))
        let badFile = try h.convert(["--config", file])
        #expect(badFile.status == 78)
        #expect(badFile.standardError.contains("unknown key 'widht' in \(file):1 (did you mean 'width'?)"))
        #expect(!FileManager.default.fileExists(atPath: h.output()))
    }

    private func shellQuoted(_ word: String) -> String { "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'" }
}
