import ForageCore
import Testing

/// GPU slots: how many trials the GPUs allow and which GPUs each slot holds.
@Suite struct ResourceSpecTests {
    @Test func wholeAndFractionalGPUsPerTrial() {
        let one = ResourceSpec(gpus: ["0", "1", "2", "3"], gpusPerTrial: 1)
        #expect(one.slots == 4)
        #expect((0..<4).map { one.devices(slot: $0) } == [["0"], ["1"], ["2"], ["3"]])
        #expect(one.devices(slot: 4).isEmpty)
        let two = ResourceSpec(gpus: ["0", "1", "2", "3", "4"], gpusPerTrial: 2)
        #expect(two.slots == 2)
        #expect(two.devices(slot: 1) == ["2", "3"])
        let half = ResourceSpec(gpus: ["a", "b"], gpusPerTrial: 0.5)
        #expect(half.slots == 4)
        #expect((0..<4).map { half.devices(slot: $0) } == [["a"], ["a"], ["b"], ["b"]])
        #expect(ResourceSpec.problem(gpusPerTrial: 0.3, count: 2) != nil)
        #expect(ResourceSpec.problem(gpusPerTrial: 3, count: 2) == "asks for 3 GPUs per trial, but only 2 are listed")
        #expect(ResourceSpec.problem(gpusPerTrial: 0.25, count: 2) == nil)
    }

    @Test func thePoolHandsOutTheLowestFreeSlot() {
        var pool = SlotPool(limit: 2)
        #expect(pool.take() == 0)
        #expect(pool.take() == 1)
        #expect(!pool.hasFree)
        #expect(pool.take() == nil)
        pool.release(0)
        #expect(pool.take() == 0)
    }
}
