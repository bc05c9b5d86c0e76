package org.dsv3.tornado.tasks;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Kernel times out of a profiler log laid out as TornadoVM 5.2 writes it: one object per profiled execute, appended. */
class ProfilerLogTest {
    private static String execution(String graph, long a, String bTime) {
        return "{\n"
                + "    \"" + graph + "\": {\n"
                + "        \"TOTAL_KERNEL_TIME\": \"" + (a + 1) + "\",\n"
                + "        \"" + graph + ".l0_qkv\": {\n"
                + "            \"METHOD\": \"NormMatVec.project2\",\n"
                + "            \"DEVICE_ID\": \"0:0\",\n"
                + "            \"TASK_KERNEL_TIME\": \"" + a + "\"\n"
                + "        }, \n"
                + "        \"" + graph + ".l0_merge\": {\n"
                + "            \"METHOD\": \"LatentAttention.merge\",\n"
                + bTime
                + "            \"DEVICE_ID\": \"0:0\"\n"
                + "        }\n"
                + "    }\n"
                + "}\n";
    }

    @Test
    void latestIsTheLastExecutionAndAddAllEveryOne() {
        String log = execution("decode0", 1000, "            \"TASK_KERNEL_TIME\": \"7\",\n")
                + execution("decode0", 3000, "");
        assertEquals(Map.of("decode0.l0_qkv", 3000L), ProfilerLog.latest(log), "the merge task was not timed the second time");
        assertEquals(Map.of("decode0.l0_qkv", 1000L, "decode0.l0_merge", 7L),
                ProfilerLog.latest(execution("decode0", 1000, "            \"TASK_KERNEL_TIME\": \"7\",\n")));
        Map<String, long[]> all = new TreeMap<>();
        ProfilerLog.addAll(log, all);
        assertArrayEquals(new long[] {4000, 2}, all.get("decode0.l0_qkv"));
        assertArrayEquals(new long[] {7, 1}, all.get("decode0.l0_merge"));
        assertEquals(2, all.size());
    }
}
