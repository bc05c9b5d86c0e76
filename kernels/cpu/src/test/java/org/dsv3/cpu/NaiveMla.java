package org.dsv3.cpu;

import java.util.Arrays;
import org.dsv3.model.arch.YarnRope;
import org.dsv3.model.config.DeepSeekConfig;

/**
 * The naive MLA of docs/architecture.md §3.2, written as plainly as possible in double precision for
 * tests: decompress {@code k_nope = W_UK,h·c} and {@code v = W_UV,h·c} for every position and head,
 * then ordinary causal multi-head attention. Weights are row-major float arrays in GGUF layout
 * ({@code kB} = per-head {@code W_UK,hᵀ}, {@code vB} = per-head {@code W_UV,h}).
 */
final class NaiveMla {
    private NaiveMla() {
    }

    static float[] run(DeepSeekConfig c, float[] qA, float[] qANorm, float[] qB, float[] kvA, float[] kvANorm,
                       float[] kB, float[] vB, float[] wo, float[] x, int tokens) {
        int d = c.dim();
        int heads = c.headCount();
        int nope = c.qkNopeDim();
        int rp = c.qkRopeDim();
        int rank = c.kvLoraRank();
        int dv = c.vHeadDim();
        int dqk = c.qkHeadDim();
        YarnRope rope = YarnRope.of(c);
        float[] cos = new float[rp / 2];
        float[] sin = new float[rp / 2];
        float[][] q = new float[tokens][];
        float[][] lat = new float[tokens][];
        float[][] kpe = new float[tokens][];
        for (int t = 0; t < tokens; t++) {
            float[] xt = Arrays.copyOfRange(x, t * d, (t + 1) * d);
            if (qA != null) {
                float[] cq = rmsNorm(matvec(qA, c.qLoraRank(), xt), qANorm, c.latentNormEps());
                q[t] = matvec(qB, heads * dqk, cq);
            } else {
                q[t] = matvec(qB, heads * dqk, xt);
            }
            float[] a = matvec(kvA, rank + rp, xt);
            lat[t] = rmsNorm(Arrays.copyOf(a, rank), kvANorm, c.latentNormEps());
            kpe[t] = Arrays.copyOfRange(a, rank, rank + rp);
            rope.angles(t, cos, sin);
            YarnRope.rotate(kpe[t], 0, cos, sin);
            for (int h = 0; h < heads; h++) {
                YarnRope.rotate(q[t], h * dqk + nope, cos, sin);
            }
        }
        double[][][] kNope = new double[tokens][heads][nope];
        double[][][] v = new double[tokens][heads][dv];
        for (int s = 0; s < tokens; s++) {
            for (int h = 0; h < heads; h++) {
                for (int j = 0; j < nope; j++) {
                    for (int i = 0; i < rank; i++) {
                        kNope[s][h][j] += (double) kB[(h * rank + i) * nope + j] * lat[s][i];
                    }
                }
                for (int j = 0; j < dv; j++) {
                    for (int i = 0; i < rank; i++) {
                        v[s][h][j] += (double) vB[(h * dv + j) * rank + i] * lat[s][i];
                    }
                }
            }
        }
        double scale = c.kqScale();
        float[] out = new float[tokens * d];
        for (int t = 0; t < tokens; t++) {
            float[] o = new float[heads * dv];
            for (int h = 0; h < heads; h++) {
                double[] p = new double[t + 1];
                double max = Double.NEGATIVE_INFINITY;
                for (int s = 0; s <= t; s++) {
                    double dot = 0;
                    for (int j = 0; j < nope; j++) {
                        dot += q[t][h * dqk + j] * kNope[s][h][j];
                    }
                    for (int j = 0; j < rp; j++) {
                        dot += (double) q[t][h * dqk + nope + j] * kpe[s][j];
                    }
                    p[s] = scale * dot;
                    max = Math.max(max, p[s]);
                }
                double sum = 0;
                for (int s = 0; s <= t; s++) {
                    p[s] = Math.exp(p[s] - max);
                    sum += p[s];
                }
                for (int j = 0; j < dv; j++) {
                    double acc = 0;
                    for (int s = 0; s <= t; s++) {
                        acc += p[s] / sum * v[s][h][j];
                    }
                    o[h * dv + j] = (float) acc;
                }
            }
            System.arraycopy(matvec(wo, d, o), 0, out, t * d, d);
        }
        return out;
    }

    private static float[] matvec(float[] w, int rows, float[] x) {
        int cols = x.length;
        float[] y = new float[rows];
        for (int r = 0; r < rows; r++) {
            double s = 0;
            for (int k = 0; k < cols; k++) {
                s += (double) w[r * cols + k] * x[k];
            }
            y[r] = (float) s;
        }
        return y;
    }

    private static float[] rmsNorm(float[] x, float[] g, float eps) {
        double ss = 0;
        for (float v : x) {
            ss += (double) v * v;
        }
        double inv = 1 / Math.sqrt(ss / x.length + eps);
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = (float) (g[i] * x[i] * inv);
        }
        return y;
    }
}
