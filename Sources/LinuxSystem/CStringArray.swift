import Glibc

/// A NULL-terminated array of C strings (`argv`, `envp`) that lives until ``free()``.
struct CStringArray {
    /// The array, ending with a NULL pointer.
    let pointers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>
    private let count: Int

    /// Copies `strings` into C memory.
    init(_ strings: [String]) {
        count = strings.count
        pointers = .allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() {
            pointers[index] = strdup(string)
        }
        pointers[strings.count] = nil
    }

    /// Releases the strings and the array.
    func free() {
        for index in 0..<count {
            Glibc.free(pointers[index])
        }
        pointers.deallocate()
    }
}
