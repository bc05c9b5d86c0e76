package org.dsv3.runner.bench;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class BenchPlanTest {
    @Test
    void testsFollowLlamaBenchsOrderAndNames() {
        BenchPlan plan = new BenchPlan(List.of(128, 0, 512), List.of(32), List.<int[]>of(new int[] {512, 128}), List.of(0, 4096));
        List<String> names = plan.tests().stream().map(BenchTest::name).toList();
        assertEquals(List.of("pp128", "pp512", "tg32", "pp512+tg128",
                "pp128 @ d4096", "pp512 @ d4096", "tg32 @ d4096", "pp512+tg128 @ d4096"), names);
        assertEquals(4096 + 512 + 128, plan.largestContext());
        assertEquals(512, plan.largestPrompt());
        assertEquals(640, new BenchTest(512, 128, 0).timedTokens());
    }

    @Test
    void promptGenPairsAreParsedAndChecked() {
        assertArrayEquals(new int[] {512, 128}, BenchPlan.parsePromptGen("512,128"));
        assertThrows(IllegalArgumentException.class, () -> BenchPlan.parsePromptGen("512"));
        assertThrows(IllegalArgumentException.class, () -> BenchPlan.parsePromptGen("a,b"));
        assertThrows(IllegalArgumentException.class, () -> new BenchPlan(List.of(0), List.of(0), List.of(), List.of(0)));
    }

    @Test
    void fileTypesAreLlamaCppsNames() {
        assertEquals("deepseek2 16B Q8_0", FileTypes.modelType("deepseek2", 15_706_484_224L, "Q8_0"));
        assertEquals("deepseek2 671B Q4_K_M", FileTypes.modelType("deepseek2", 671_026_419_200L, "Q4_K_M"));
    }
}
