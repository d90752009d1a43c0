import Testing

/// Tests that touch state shared by the whole test process (environment variables, reaping any
/// child with `waitpid(-1)`, signal dispositions) run one at a time, in nested suites of this one.
@Suite(.serialized) struct ProcessWideStateTests {}
