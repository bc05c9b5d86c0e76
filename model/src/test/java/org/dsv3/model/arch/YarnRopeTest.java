package org.dsv3.model.arch;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.dsv3.model.TestConfigs;
import org.junit.jupiter.api.Test;

/** Hand-checkable numbers of docs/architecture.md §3.4 and §4.2. */
class YarnRopeTest {

    @Test
    void v3BlendBandIsPairs10To23() {
        YarnRope r = YarnRope.of(TestConfigs.v3());
        assertEquals(10, r.low());
        assertEquals(23, r.high());
        assertEquals(10.47, YarnRope.correctionDim(32, 64, 10000, 4096), 0.01);
        assertEquals(22.51, YarnRope.correctionDim(1, 64, 10000, 4096), 0.01);
    }

    @Test
    void v2LiteAndKimiBands() {
        YarnRope v2 = YarnRope.of(TestConfigs.v2Lite());
        assertEquals(10, v2.low());
        assertEquals(23, v2.high());
        YarnRope k2 = YarnRope.of(TestConfigs.kimiK2());
        assertEquals(8, k2.low());
        assertEquals(20, k2.high());
    }

    @Test
    void kqScaleIncludesMscaleSquaredOverSqrt192() {
        assertEquals(0.1352338f, TestConfigs.v3().kqScale(), 2e-7f);
        assertEquals(0.1147214f, TestConfigs.v2Lite().kqScale(), 2e-7f);
        assertEquals(1.3688879, TestConfigs.v3().mscale(), 1e-6);
    }

    @Test
    void frequenciesKeptBelowLowDividedAboveHighBlendedBetween() {
        YarnRope r = YarnRope.of(TestConfigs.v3());
        for (int i = 0; i < 32; i++) {
            double base = Math.pow(10000, -2.0 * i / 64);
            if (i <= 10) {
                assertEquals(base, r.frequency(i), 1e-15, "pair " + i);
            } else if (i >= 23) {
                assertEquals(base / 40, r.frequency(i), 1e-15, "pair " + i);
            } else {
                double ramp = 1 - (i - 10) / 13.0;
                assertEquals(base * (ramp + (1 - ramp) / 40), r.frequency(i), 1e-15, "pair " + i);
            }
        }
    }

    @Test
    void rotationHasMagnitudeOneAndActsOnAdjacentPairs() {
        YarnRope r = YarnRope.of(TestConfigs.v3());
        float[] cos = new float[32];
        float[] sin = new float[32];
        r.angles(7, cos, sin);
        float[] x = new float[64];
        for (int i = 0; i < 64; i++) {
            x[i] = (i % 5) - 2.5f;
        }
        float[] y = x.clone();
        YarnRope.rotate(y, 0, cos, sin);
        for (int i = 0; i < 32; i++) {
            double before = Math.hypot(x[2 * i], x[2 * i + 1]);
            double after = Math.hypot(y[2 * i], y[2 * i + 1]);
            assertEquals(before, after, 1e-5, "pair " + i);
            double angle = Math.atan2(y[2 * i + 1], y[2 * i]) - Math.atan2(x[2 * i + 1], x[2 * i]);
            double expected = 7 * r.frequency(i);
            assertEquals(0, Math.IEEEremainder(angle - expected, 2 * Math.PI), 1e-5, "pair " + i);
        }
        r.angles(0, cos, sin);
        float[] z = x.clone();
        YarnRope.rotate(z, 0, cos, sin);
        for (int i = 0; i < 64; i++) {
            assertEquals(x[i], z[i], 0f);
        }
    }

    @Test
    void withoutYarnPlainRope() {
        YarnRope r = new YarnRope(64, 50000, 1, 4096, 32, 1);
        for (int i = 0; i < 32; i++) {
            assertEquals(Math.pow(50000, -2.0 * i / 64), r.frequency(i), 1e-15);
        }
    }
}
