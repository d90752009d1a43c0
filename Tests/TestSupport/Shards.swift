import Foundation

/// Reads published shards the way a user would: real numpy, through a Python subprocess.
public enum Shards {
    /// One manifest row.
    public struct Row: Equatable, Sendable {
        public var shard: String
        public var row: Int
        public var source: String
    }

    /// All manifest rows in `directory`, in shard then row order (parsed with Python's json module).
    public static func manifestRows(_ directory: String) throws -> [Row] {
        let out = try CommandRunner.python("""
            import glob, json, os, sys
            for m in sorted(glob.glob(os.path.join(sys.argv[1], '*shard-*.jsonl'))):
                for line in open(m, encoding='utf-8'):
                    r = json.loads(line)
                    print(json.dumps([os.path.basename(m), r['row'], r['source']]))
            """, [directory])
        return out.split(separator: "\n").compactMap { line in
            guard let data = line.data(using: .utf8),
                let array = try? JSONSerialization.jsonObject(with: data) as? [Any], array.count == 3,
                let shard = array[0] as? String, let row = array[1] as? Int, let source = array[2] as? String
            else { return nil }
            return Row(shard: shard, row: row, source: source)
        }
    }

    /// Checks every `.npy` with `np.load(mmap_mode='r')`: shape (N, H, W), dtype uint8, N == manifest rows,
    /// 64-byte aligned data. Returns the total row count; throws with Python's message otherwise.
    public static func verify(_ directory: String, width: Int, height: Int) throws -> Int {
        let out = try CommandRunner.python("""
            import glob, os, sys, numpy as np
            d, w, h = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
            total = 0
            for f in sorted(glob.glob(os.path.join(d, '*shard-*.npy'))):
                a = np.load(f, mmap_mode='r')
                assert a.dtype == np.uint8 and a.ndim == 3 and a.shape[1:] == (h, w), (f, a.shape, a.dtype)
                assert a.offset % 64 == 0, (f, a.offset)
                n = sum(1 for _ in open(f[:-4] + '.jsonl', encoding='utf-8'))
                assert n == a.shape[0], (f, n, a.shape)
                total += a.shape[0]
            print(total)
            """, [directory, String(width), String(height)])
        return Int(out.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
    }
}
