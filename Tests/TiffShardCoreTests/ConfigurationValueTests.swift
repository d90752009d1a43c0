import Testing

@testable import TiffShardCore

/// Every key's accepted and rejected values, as a user would type them.
@Suite struct ConfigurationValueTests {
    @Test func everyKeyIsParsedIntoItsField() throws {
        let flags: [(key: String, value: String)] = [
            ("ingest", "/srv/in"), ("output", "/srv/out"), ("processed-dir", "/srv/done"),
            ("failed-dir", "/srv/bad"), ("on-success", "delete"), ("width", "640"), ("height", "480"),
            ("interpolation", "lanczos"), ("dtype", "uint16"), ("color", "rgb"), ("pages", "all"),
            ("resize", "fit"), ("pad-value", "65535"), ("max-pixels", "1099511627776"), ("shard-size", "10"),
            ("ring-size", "16"), ("workers", "256"), ("batch-size", "4096"), ("idle-flush", "500ms"),
            ("max-shard-age", "5m"), ("decode-timeout", "1h"), ("worker-memory-limit", "64"), ("read-ahead", "4096"),
            ("recursive", "yes"), ("follow-symlinks", "on"), ("rescan-interval", "0.25"),
            ("instance", "node-7_a.b"), ("log-level", "critical"),
        ]
        #expect(Set(flags.map(\.key)) == Set(Configuration.keys.map(\.name)))
        var expected = Configuration(cpuCount: 1)
        expected.ingest = "/srv/in"
        expected.output = "/srv/out"
        expected.processedDir = "/srv/done"
        expected.failedDir = "/srv/bad"
        expected.onSuccess = .delete
        expected.width = 640
        expected.height = 480
        expected.interpolation = .lanczos
        expected.dtype = .uint16
        expected.color = .rgb
        expected.pages = .all
        expected.resize = .fit
        expected.padValue = 65535
        expected.maxPixels = 1 << 40
        expected.shardSize = 10
        expected.ringSize = 16
        expected.workers = 256
        expected.batchSize = 4096
        expected.idleFlush = .milliseconds(500)
        expected.maxShardAge = .seconds(300)
        expected.decodeTimeout = .seconds(3600)
        expected.readAhead = 4096
        expected.workerMemoryLimit = 64
        expected.recursive = true
        expected.followSymlinks = true
        expected.rescanInterval = .milliseconds(250)
        expected.instance = "node-7_a.b"
        expected.logLevel = "critical"
        let c = try ConfigurationLoader.load(
            fileText: nil, fileOrigin: "", environment: [:], overrides: flags, cpuCount: 1
        )
        #expect(c == expected)
    }

    @Test(arguments: [
        ("2", Duration.seconds(2)), ("0.5", .milliseconds(500)), ("500ms", .milliseconds(500)),
        ("2s", .seconds(2)), ("5m", .seconds(300)), ("1h", .seconds(3600)), ("1.5h", .seconds(5400)),
        ("0.001", .milliseconds(1)), ("0.000000001", .nanoseconds(1)), ("8760h", .seconds(8760 * 3600)),
        ("007", .seconds(7)),
    ])
    func durationsAcceptSecondsAndUnits(text: String, expected: Duration) {
        #expect(ConfigurationValue.duration(text) == expected)
        #expect(ConfigurationValue.duration(ConfigurationValue.render(expected)) == expected)
    }

    @Test(arguments: [
        "", "s", "ms", "-1", "+1", "1.", ".5", "1e3", "2 s", "2S", "2sec", "1d", "0x10", "1.2.3", "8761h",
        "99999999999", "0.0000000001", "1,5", " 2",
    ])
    func durationsRejectEverythingElse(text: String) {
        #expect(ConfigurationValue.duration(text) == nil)
    }

    @Test func durationsRenderAsSeconds() {
        #expect(ConfigurationValue.render(Duration.seconds(30)) == "30s")
        #expect(ConfigurationValue.render(Duration.milliseconds(1500)) == "1.5s")
        #expect(ConfigurationValue.render(Duration.nanoseconds(1)) == "0.000000001s")
        #expect(ConfigurationValue.render(nil as Duration?) == "0")
    }

    @Test func rescanIntervalZeroMeansOff() throws {
        for text in ["0", "0s", "0ms", "0.0"] {
            let c = try ConfigurationLoader.load(
                fileText: "rescan-interval: 10s\n", fileOrigin: "f", environment: [:],
                overrides: [("rescan-interval", text)], cpuCount: 1
            )
            #expect(c.rescanInterval == nil, "\(text)")
        }
    }

    @Test(arguments: [
        ("true", true), ("yes", true), ("on", true), ("1", true),
        ("false", false), ("no", false), ("off", false), ("0", false),
    ])
    func booleansAcceptTheUsualWords(text: String, expected: Bool) {
        #expect(ConfigurationValue.boolean(text) == expected)
    }

    @Test(arguments: [
        // Integers: range ends, signs, separators, overflow.
        ("width", "0"), ("width", "65536"), ("width", "abc"), ("width", "-1"), ("width", "+5"), ("width", "1_000"),
        ("width", "12.0"), ("width", " 12"), ("width", ""), ("height", "0"), ("height", "99999999999999999999999"),
        ("workers", "0"), ("workers", "257"), ("shard-size", "0"), ("shard-size", "1000001"), ("ring-size", "1"),
        ("ring-size", "17"), ("batch-size", "0"), ("batch-size", "4097"), ("max-pixels", "0"),
        ("max-pixels", "1099511627777"), ("worker-memory-limit", "63"), ("worker-memory-limit", "1048577"),
        // Durations: zero is not allowed where something must happen.
        ("idle-flush", "0"), ("idle-flush", "soon"), ("max-shard-age", "0s"), ("max-shard-age", "-5"),
        ("decode-timeout", "0ms"), ("decode-timeout", "1d"), ("rescan-interval", "-1"), ("rescan-interval", "off"),
        // Booleans and enumerations are exact.
        ("recursive", "True"), ("recursive", "maybe"), ("follow-symlinks", "y"), ("on-success", "Move"),
        ("on-success", "archive"), ("interpolation", "bilinear"), ("interpolation", "LINEAR"),
        ("log-level", "warn"), ("log-level", "INFO"),
        ("dtype", "u8"), ("dtype", "UINT8"), ("dtype", "float64"), ("dtype", "|u1"), ("color", "grey"),
        ("color", "RGB"), ("color", "rgba"), ("pages", "0"), ("pages", "All"), ("pages", "last"),
        ("resize", "pad"), ("resize", "Fit"), ("resize", "cover"),
        // Numbers: decimal only, finite.
        ("pad-value", ""), ("pad-value", "nan"), ("pad-value", "inf"), ("pad-value", "-inf"), ("pad-value", "0x10"),
        ("pad-value", "1e999"), ("pad-value", " 1"), ("pad-value", "1."), ("pad-value", ".5"), ("pad-value", "+1"),
        ("pad-value", "1,5"), ("pad-value", "ten"),
        // Names and paths.
        ("instance", "a b"), ("instance", ".hidden"), ("instance", "x/y"),
        ("instance", String(repeating: "a", count: 65)),
        ("ingest", ""), ("output", ""), ("processed-dir", ""), ("failed-dir", "a\u{0}b"),
    ])
    func invalidValuesNameKeyValueAllowedAndOrigin(name: String, text: String) throws {
        let key = try #require(Configuration.key(named: name))
        let error = configurationLoadError(flags: [(name, text)])
        #expect(
            error
                == ConfigurationError(
                    kind: .invalidValue, key: name, value: text, allowed: key.allowed, origin: "--\(name)")
        )
        #expect(error?.description == "invalid value '\(text)' for \(name) (from --\(name)): expected \(key.allowed)")
    }

    @Test func errorMessagesReadWell() {
        #expect(
            configurationLoadError(flags: [("width", "abc")])?.description
                == "invalid value 'abc' for width (from --width): expected an integer from 1 to 65535"
        )
        #expect(
            configurationLoadError(environment: ["TIFFSHARD_ON_SUCCESS": "archive"])?.description
                == "invalid value 'archive' for on-success (from environment TIFFSHARD_ON_SUCCESS): "
                + "expected move, delete or keep"
        )
        #expect(
            configurationLoadError("\n\nidle-flush: 0\n")?.description
                == "invalid value '0' for idle-flush (from /etc/x.yaml:3): expected a duration greater than 0 "
                + "and up to 8760h: seconds (2, 0.5) or with a unit (500ms, 2s, 5m, 1h)"
        )
        #expect(
            configurationLoadError(flags: [("log-level", "warn")])?.description
                == "invalid value 'warn' for log-level (from --log-level): "
                + "expected trace, debug, info, notice, warning, error or critical"
        )
    }

    @Test func instanceMayBeEmptyOrAPlainName() throws {
        for text in ["", "a", "A-z_0.9", String(repeating: "x", count: 64)] {
            let c = try ConfigurationLoader.load(
                fileText: nil, fileOrigin: "", environment: [:], overrides: [("instance", text)], cpuCount: 1
            )
            #expect(c.instance == text)
        }
    }

    @Test func bytesAreShownInBinaryUnits() {
        #expect(ConfigurationValue.bytes(512) == "512 B")
        #expect(ConfigurationValue.bytes(16 << 20) == "16 MiB")
        #expect(ConfigurationValue.bytes(3 << 29) == "1.5 GiB")
    }
}
