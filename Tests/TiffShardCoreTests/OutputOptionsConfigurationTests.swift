import Testing

@testable import TiffShardCore

/// The output options `dtype`, `color`, `pages`, `resize` and `pad-value`: every layer sets them, their values
/// are checked alone and together (pad value against dtype, ring memory with bytes per pixel), and they reach
/// `EngineSettings.output`.
@Suite struct OutputOptionsConfigurationTests {
    private func resolve(
        _ yaml: String? = nil, environment: [String: String] = [:], flags: [(key: String, value: String)] = [],
        command: ConfigurationCommand = .run
    ) throws(ConfigurationError) -> LoadedConfiguration {
        try ConfigurationLoader.resolve(
            fileText: yaml, fileOrigin: "/etc/x.yaml", environment: environment, overrides: flags, cpuCount: 2,
            command: command)
    }

    private func error(
        _ yaml: String? = nil, environment: [String: String] = [:], flags: [(key: String, value: String)] = [],
        command: ConfigurationCommand = .run
    ) -> ConfigurationError? {
        do {
            _ = try resolve(yaml, environment: environment, flags: command == .convert ? geometry + flags : flags,
                            command: command)
            return nil
        } catch { return error }
    }

    private let geometry: [(key: String, value: String)] = [("width", "8"), ("height", "4")]

    @Test func defaultsAreTodaysOutput() {
        let c = Configuration(cpuCount: 1)
        #expect(c.outputFormat == .default)
        #expect(c.engineSettings.output == .default)
        #expect(c.engineSettings.imageBytes == 128 * 128)
        #expect(Configuration(defaultsFor: .convert, cpuCount: 1).outputFormat == .default)
    }

    @Test func environmentVariablesAreDerivedFromTheNames() {
        let names = ["dtype", "color", "pages", "resize", "pad-value"].map {
            Configuration.key(named: $0)?.environmentName
        }
        #expect(names == ["TIFFSHARD_DTYPE", "TIFFSHARD_COLOR", "TIFFSHARD_PAGES", "TIFFSHARD_RESIZE", "TIFFSHARD_PAD_VALUE"])
        for name in ["dtype", "color", "pages", "resize", "pad-value"] {
            let key = Configuration.key(named: name)
            #expect(key?.applies(to: .run) == true && key?.applies(to: .convert) == true, "\(name)")
        }
    }

    @Test(arguments: [ConfigurationCommand.run, .convert])
    func everyLayerSetsTheOutputOptions(command: ConfigurationCommand) throws {
        let extra = command == .convert ? geometry : []
        let file = try resolve("dtype: uint16\ncolor: rgb\npages: all\nresize: fit\npad-value: 7\n", flags: extra,
                               command: command)
        #expect(file.configuration.outputFormat
            == OutputFormat(dtype: .uint16, color: .rgb, pages: .all, resize: .fit, padValue: 7))
        #expect(file.origins["pad-value"] == "/etc/x.yaml:5")
        let environment = try resolve(
            "dtype: uint16\n",
            environment: [
                "TIFFSHARD_DTYPE": "float32", "TIFFSHARD_COLOR": "rgb", "TIFFSHARD_PAGES": "all",
                "TIFFSHARD_RESIZE": "crop", "TIFFSHARD_PAD_VALUE": "-2.5",
            ], flags: extra, command: command)
        #expect(environment.configuration.engineSettings.output
            == OutputFormat(dtype: .float32, color: .rgb, pages: .all, resize: .crop, padValue: -2.5))
        #expect(environment.origins["dtype"] == "environment TIFFSHARD_DTYPE")
        #expect(environment.warnings.isEmpty)
        let flags = try resolve(
            environment: ["TIFFSHARD_DTYPE": "float32", "TIFFSHARD_RESIZE": "crop"],
            flags: extra + [("dtype", "uint8"), ("resize", "stretch"), ("color", "gray"), ("pages", "first"),
                            ("pad-value", "255")], command: command)
        #expect(flags.configuration.outputFormat == OutputFormat(padValue: 255))
        #expect(flags.origins["dtype"] == "--dtype" && flags.origins["pad-value"] == "--pad-value")
        // An empty variable restores the default.
        let reset = try resolve("color: rgb\n", environment: ["TIFFSHARD_COLOR": ""], flags: extra, command: command)
        #expect(reset.configuration.color == .gray)
    }

    @Test(arguments: [
        ("0", 0.0), ("255", 255), ("65535", 65535), ("-1", -1), ("0.5", 0.5), ("-0", 0), ("1e3", 1000),
        ("1E-3", 0.001), ("2.5e+2", 250), ("007", 7), ("3.4e38", 3.4e38),
    ])
    func padValuesAreDecimalNumbers(text: String, expected: Double) {
        #expect(ConfigurationValue.number(text) == expected)
        #expect(ConfigurationValue.number(ConfigurationValue.render(expected)) == expected)
    }

    @Test func padValuesRenderShortestExactly() {
        #expect(ConfigurationValue.render(0.0) == "0")
        #expect(ConfigurationValue.render(255.0) == "255")
        #expect(ConfigurationValue.render(-1.0) == "-1")
        #expect(ConfigurationValue.render(0.1) == "0.1")
        #expect(ConfigurationValue.render(1e20) == "1e+20")
        #expect(ConfigurationValue.number("-0").map { $0.sign } == .plus)
    }

    @Test(arguments: [
        (OutputFormat.SampleType.uint8, ["0", "1", "254", "255", "2.55e2"], ["-1", "256", "0.5", "1e9", "-0.5"]),
        (.uint16, ["0", "255", "256", "65535"], ["-1", "65536", "1.5", "1e9"]),
        (.float32, ["0", "-1", "0.5", "65536", "-3.4e38", "1e-50"], ["1e39", "-3.5e38", "1e300"]),
    ])
    func padValueMustBeRepresentableInTheDtype(dtype: OutputFormat.SampleType, good: [String], bad: [String]) throws {
        for text in good {
            let c = try resolve(flags: [("dtype", dtype.rawValue), ("pad-value", text)]).configuration
            #expect(c.padValue == ConfigurationValue.number(text), "\(dtype) \(text)")
        }
        for text in bad {
            let e = error(flags: [("dtype", dtype.rawValue), ("pad-value", text)])
            #expect(e?.key == "pad-value" && e?.origin == "--pad-value", "\(dtype) \(text)")
            #expect(e?.allowed.contains("dtype \(dtype.rawValue) (from --dtype)") == true, "\(dtype) \(text)")
        }
    }

    @Test func padValueErrorsNameTheDtypeAndWhereEachWasSet() {
        #expect(
            error("pad-value: 300\n", environment: ["TIFFSHARD_DTYPE": "uint8"])?.description
                == "invalid value '300' for pad-value (from /etc/x.yaml:1): expected an integer from 0 to 255 "
                + "for dtype uint8 (from environment TIFFSHARD_DTYPE)")
        #expect(
            error(flags: [("pad-value", "0.5")])?.description
                == "invalid value '0.5' for pad-value (from --pad-value): expected an integer from 0 to 255 for "
                + "dtype uint8 (from default)")
        #expect(
            error("dtype: uint16\n", flags: [("pad-value", "70000")])?.description
                == "invalid value '70000' for pad-value (from --pad-value): expected an integer from 0 to 65535 "
                + "for dtype uint16 (from /etc/x.yaml:1)")
        #expect(
            error("dtype: float32\npad-value: 1e39\n")?.description
                == "invalid value '1e+39' for pad-value (from /etc/x.yaml:2): expected a finite number within "
                + "float32's range (about ±3.4e38) for dtype float32 (from /etc/x.yaml:1)")
        // Checked whatever the resize mode (a later reload may switch to fit), for convert too.
        #expect(error(flags: [("resize", "crop"), ("pad-value", "256")])?.key == "pad-value")
        #expect(error(flags: [("pad-value", "-1")], command: .convert)?.key == "pad-value")
        // A text that is no number at all fails on its own key first.
        let notANumber = error(flags: [("pad-value", "nan")])
        #expect(notANumber?.allowed == "a number: " + Configuration.padValueAllowed)
    }

    @Test func ringMemoryCountsBytesPerPixel() throws {
        // 1024 x 1024 x 1024 x 4 (float32) x 4 (ring) = 16 GiB exactly: allowed; one more row is not.
        let fits: [(key: String, value: String)] = [
            ("width", "1024"), ("height", "1024"), ("shard-size", "1024"), ("ring-size", "4"), ("dtype", "float32"),
        ]
        #expect(try resolve(flags: fits).configuration.ringBytes == 16 << 30)
        let over = error(flags: fits + [("shard-size", "1025")])
        #expect(
            over?.description
                == "invalid value '1025' for shard-size (from --shard-size): expected at most 1024 for 1024x1024 "
                + "float32 gray images (4 bytes per pixel) and ring-size 4, so that the shard ring "
                + "(ring-size x shard-size x width x height x bytes per pixel) fits in 16 GiB")
        // The same geometry in uint8 takes a quarter; in float32 rgb, 12 bytes a pixel, 341 rows fit.
        #expect(try resolve(flags: fits + [("dtype", "uint8"), ("shard-size", "4096")]).configuration.ringBytes == 16 << 30)
        let rgb = error(flags: fits + [("color", "rgb")])
        #expect(rgb?.allowed.hasPrefix("at most 341 for 1024x1024 float32 rgb images (12 bytes per pixel)") == true)
        let huge = error(flags: [("width", "65535"), ("height", "65535"), ("ring-size", "2"), ("dtype", "float32"),
                                 ("color", "rgb"), ("shard-size", "1")])
        #expect(huge?.allowed.hasPrefix("a smaller width, height, dtype, color or ring-size: one row of 65535x65535 "
            + "float32 rgb images (12 bytes per pixel)") == true)
    }

    @Test func checkConfigShowsTheOptionsAndTheirMemory() throws {
        let loaded = try resolve(
            "dtype: uint16\n", environment: ["TIFFSHARD_COLOR": "rgb"],
            flags: [("resize", "fit"), ("pad-value", "1000"), ("width", "64"), ("height", "32")])
        let lines = ConfigurationLoader.explain(loaded).split(separator: "\n").map(String.init)
        func row(_ name: String) -> [Substring]? {
            lines.first { $0.hasPrefix(name + " ") }.map { $0.split(separator: " ", omittingEmptySubsequences: true) }
        }
        #expect(row("dtype") == ["dtype", "uint16", "/etc/x.yaml:1"])
        #expect(row("color") == ["color", "rgb", "environment", "TIFFSHARD_COLOR"])
        #expect(row("pages") == ["pages", "first", "default"])
        #expect(row("resize") == ["resize", "fit", "--resize"])
        #expect(row("pad-value") == ["pad-value", "1000", "--pad-value"])
        // 1024 x 64 x 32 x 2 bytes x 3 channels = 12 MiB.
        #expect(lines.contains("shard: 1024 images of 64x32 uint16 rgb = 12 MiB per .npy file"))
        #expect(lines.contains("ring: 3 shards = 36 MiB of shared memory; 2 workers, each limited to 2048 MiB more"))
    }

    @Test func logsNameTheFormatShortly() {
        #expect(OutputFormat.default.summary == "uint8 gray")
        #expect(OutputFormat(dtype: .uint16, color: .rgb, resize: .crop).summary == "uint16 rgb, crop")
        #expect(OutputFormat(dtype: .float32, pages: .all, resize: .fit, padValue: 0.5).summary == "float32 gray, all pages, fit on 0.5")
        #expect(OutputFormat(resize: .fit, padValue: 255).summary == "uint8 gray, fit on 255")
    }

    @Test func anOutputChangeNeedsANewRingAndEveryOptionCounts() {
        let base = Configuration(cpuCount: 2)
        var changes: [(String, (inout Configuration) -> Void)] = [
            ("dtype", { $0.dtype = .uint16 }), ("color", { $0.color = .rgb }), ("pages", { $0.pages = .all }),
            ("resize", { $0.resize = .fit }), ("pad-value", { $0.padValue = 9 }),
        ]
        changes.append(("nothing", { _ in }))
        for (name, change) in changes {
            var changed = base
            change(&changed)
            #expect(base.engineSettings.needsNewRing(changed.engineSettings) == (name != "nothing"), "\(name)")
        }
    }
}
