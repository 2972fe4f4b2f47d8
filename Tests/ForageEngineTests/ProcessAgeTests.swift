import ForageEngine
import Testing

/// `ProcessAge` reads this process's start from `/proc`: positive, below the test run's own bounds, never going back.
@Suite struct ProcessAgeTests {
    @Test func theAgeIsPositiveAndGrows() {
        #if os(Linux)
            let first = ProcessAge.current()
            #expect(first > .zero)
            #expect(first < .seconds(86_400))
            let second = ProcessAge.current()
            // 10 ms ticks: the second reading is never earlier than the first by more than a tick.
            #expect(second >= first - .milliseconds(20))
        #endif
    }
}
