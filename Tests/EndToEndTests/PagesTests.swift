import Foundation
import Glibc
import TestSupport
import Testing

/// `pages: all` through the real binary: multi-page TIFFs written by tifffile, shards read by numpy. Every page
/// of the main IFD chain that is not reduced-resolution is its own row, exactly once, a file's pages in page
/// order, each row holding that page's pixels; the manifest says `page` and `pages`.
@Suite
struct PagesTests {
    /// `convert`: every page once, in page order, across shards of 4 rows; the same input gives the same bytes.
    @Test func convertPublishesEveryPageOnceInPageOrderAndDeterministically() throws {
        let h = try ConvertHarness("pages-convert", width: 32, height: 24)
        let corpus = try PagesCorpus.write(into: h.source)
        let flags = ["--pages", "all", "--shard-size", "4"]
        let first = try h.convert(flags)
        #expect(first.status == 0, "\(first.standardError)")
        let rows = try PagesCorpus.rows(h.output())
        #expect(PagesCorpus.problems(rows, corpus) == [])
        #expect(first.standardError.contains("converted \(corpus.totalPages) images"), "\(first.standardError)")

        let second = try h.convert(into: h.output("again"), flags)
        #expect(second.status == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: h.output()).filter { $0.hasPrefix("shard-") }.sorted()
        #expect(names.count == 2 * ((corpus.totalPages + 3) / 4), "\(names)")
        for name in names {
            let a = try Data(contentsOf: URL(fileURLWithPath: h.output() + "/" + name))
            let b = try Data(contentsOf: URL(fileURLWithPath: h.output("again") + "/" + name))
            #expect(a == b, "\(name) differs between two runs over the same input")
        }
    }

    /// `run`: every page once, and each file is moved to the processed directory (only once all its pages are
    /// published: nothing is left to decode after it leaves).
    @Test func daemonPublishesEveryPageAndMovesEachFileAfterItsLast() throws {
        let h = try DaemonHarness("pages-daemon")
        defer { _ = h.stop() }
        try h.start(["--pages", "all", "--shard-size", "3", "--on-success", "move"])
        let staging = try h.root.directory("staging")
        let corpus = try PagesCorpus.write(into: staging)
        for name in corpus.files.map(\.name) {
            #expect(rename(staging + "/" + name, h.ingest + "/" + name) == 0)
        }
        let done = eventually(timeout: 60) {
            ((try? PagesCorpus.rows(h.output).count) ?? 0) >= corpus.totalPages
                && corpus.files.allSatisfy { FileManager.default.fileExists(atPath: h.processed + "/" + $0.name) }
        }
        #expect(done, "log:\n\(h.daemon.log)")
        #expect(h.stop() == 0)
        #expect(PagesCorpus.problems(try PagesCorpus.rows(h.output), corpus, orderAcrossFiles: false) == [])
        #expect(try FileManager.default.contentsOfDirectory(atPath: h.ingest).isEmpty)
    }
}

/// Multi-page sources whose every page is one flat gray value naming its file and page, and the check of what
/// was published from them.
enum PagesCorpus {
    /// One source: its name, and the value of each of its pages (in page order).
    struct File: Decodable {
        var name: String
        var values: [Int]
    }

    struct Corpus {
        var files: [File]
        var totalPages: Int { files.map(\.values.count).reduce(0, +) }
    }

    /// One published row as numpy and json read it.
    struct Row: Decodable {
        var shard: String
        var row: Int
        var source: String
        var page: Int?
        var pages: Int
        var low: Int
        var high: Int
    }

    /// Writes the corpus with tifffile: files of 1, 3, 6 and 2 pages, one of them with a reduced-resolution image
    /// (an overview, NewSubfileType 1) between its pages, which is not a page.
    static func write(into directory: String) throws -> Corpus {
        let out = try CommandRunner.python(#"""
            import json, sys
            import numpy as np, tifffile
            d = sys.argv[1]
            files = [("a-single.tif", 1), ("b-three.tif", 3), ("c-six.tif", 6), ("d-overview.tif", 2), ("e-two.tif", 2)]
            result = []
            for i, (name, pages) in enumerate(files):
                values = [20 + 30 * i + 4 * k for k in range(pages)]
                with tifffile.TiffWriter(f"{d}/{name}") as t:
                    for k, v in enumerate(values):
                        t.write(np.full((37 + i, 45 + k), v, np.uint8), photometric="minisblack", contiguous=False)
                        if name == "d-overview.tif" and k == 0:
                            t.write(np.full((10, 12), 255, np.uint8), photometric="minisblack", subfiletype=1,
                                    contiguous=False)
                result.append({"name": name, "values": values})
            print(json.dumps(result))
            """#, [directory])
        return Corpus(files: try JSONDecoder().decode([File].self, from: Data(out.utf8)))
    }

    /// Every published row, in shard then row order.
    static func rows(_ output: String) throws -> [Row] {
        let out = try CommandRunner.python(#"""
            import json, os, sys
            import numpy as np
            out = sys.argv[1]
            rows = []
            for name in sorted(n for n in os.listdir(out) if n.startswith("shard-") and n.endswith(".npy")):
                a = np.load(os.path.join(out, name), mmap_mode="r")
                with open(os.path.join(out, name[:-4] + ".jsonl")) as f:
                    lines = [json.loads(l) for l in f if l.strip()]
                assert len(lines) == a.shape[0], (name, len(lines), a.shape)
                for i, r in enumerate(lines):
                    rows.append({"shard": name, "row": i, "source": r["source"], "page": r.get("page"),
                                 "pages": r["pages"], "low": int(a[i].min()), "high": int(a[i].max())})
            print(json.dumps(rows))
            """#, [output])
        return try JSONDecoder().decode([Row].self, from: Data(out.utf8))
    }

    /// What is wrong with `rows` for `corpus`: a page missing or twice, out of page order, not its own pixels,
    /// `pages` wrong. `orderAcrossFiles`: also the deterministic order of `convert` (first pages of every file,
    /// then the other pages file by file: the whole corpus fits in the engine's window).
    static func problems(_ rows: [Row], _ corpus: Corpus, orderAcrossFiles: Bool = true) -> [String] {
        var problems: [String] = []
        var seen: [String: [Int]] = [:]
        let byName = Dictionary(uniqueKeysWithValues: corpus.files.map { ($0.name, $0) })
        for row in rows {
            let what = "\(row.shard) row \(row.row) (\(row.source) page \(row.page.map(String.init) ?? "none"))"
            guard let file = byName[row.source], let page = row.page, page < file.values.count else {
                problems.append("\(what): no such page")
                continue
            }
            seen[row.source, default: []].append(page)
            if row.low != file.values[page] || row.high != file.values[page] {
                problems.append("\(what): pixels \(row.low)...\(row.high), expected \(file.values[page])")
            }
            if row.pages != file.values.count { problems.append("\(what): pages \(row.pages), expected \(file.values.count)") }
        }
        for file in corpus.files where seen[file.name] != Array(0..<file.values.count) {
            problems.append("\(file.name): pages \(seen[file.name] ?? []) published, expected 0..<\(file.values.count) once each in order")
        }
        if orderAcrossFiles {
            let expected = corpus.files.map { "\($0.name)#0" }
                + corpus.files.flatMap { file in (1..<max(1, file.values.count)).map { "\(file.name)#\($0)" } }
            let actual = rows.map { "\($0.source)#\($0.page ?? -1)" }
            if actual != expected { problems.append("row order \(actual), expected \(expected)") }
        }
        return problems
    }
}
