package org.dsv3.runner.bench;

import java.util.ArrayList;
import java.util.List;

/**
 * What {@code dsv3 bench} measures, from llama-bench's options: every prompt size ({@code -p}),
 * generation length ({@code -n}) and prompt+generation pair ({@code -pg}), each at every depth
 * ({@code -d}); a size of 0 is left out, as in llama-bench. Threads and batch sizes multiply the
 * tests further ({@link org.dsv3.runner.BenchCommand} runs them per loaded backend).
 */
public record BenchPlan(List<Integer> prompts, List<Integer> gens, List<int[]> promptGens, List<Integer> depths) {

    public BenchPlan {
        for (int p : prompts) {
            require(p >= 0, "-p/--n-prompt must be >= 0, got " + p);
        }
        for (int n : gens) {
            require(n >= 0, "-n/--n-gen must be >= 0, got " + n);
        }
        for (int[] pg : promptGens) {
            require(pg[0] > 0 && pg[1] > 0, "-pg needs two positive sizes, got " + pg[0] + "," + pg[1]);
        }
        for (int d : depths) {
            require(d >= 0, "-d/--n-depth must be >= 0, got " + d);
        }
        require(!depths.isEmpty(), "-d/--n-depth needs at least one value");
        prompts = List.copyOf(prompts);
        gens = List.copyOf(gens);
        promptGens = promptGens.stream().map(int[]::clone).toList();
        depths = List.copyOf(depths);
        require(!tests(prompts, gens, promptGens, depths).isEmpty(), "nothing to measure: every -p and -n is 0 and there is no -pg");
    }

    /** {@code -pg PP,TG}: a prompt size and a generation length. */
    public static int[] parsePromptGen(String s) {
        String[] parts = s.split(",", -1);
        if (parts.length != 2) {
            throw new IllegalArgumentException("-pg takes PP,TG (two sizes separated by a comma), got '" + s + "'");
        }
        try {
            return new int[] {Integer.parseInt(parts[0].strip()), Integer.parseInt(parts[1].strip())};
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("-pg takes PP,TG (two whole numbers), got '" + s + "'");
        }
    }

    /** The tests in llama-bench's order: for each depth, the prompt tests, then generation, then the pairs. */
    public List<BenchTest> tests() {
        return tests(prompts, gens, promptGens, depths);
    }

    private static List<BenchTest> tests(List<Integer> prompts, List<Integer> gens, List<int[]> promptGens,
                                         List<Integer> depths) {
        List<BenchTest> out = new ArrayList<>();
        for (int d : depths) {
            for (int p : prompts) {
                if (p > 0) {
                    out.add(new BenchTest(p, 0, d));
                }
            }
            for (int n : gens) {
                if (n > 0) {
                    out.add(new BenchTest(0, n, d));
                }
            }
            for (int[] pg : promptGens) {
                out.add(new BenchTest(pg[0], pg[1], d));
            }
        }
        return out;
    }

    /** The largest prompt of any test (for the warm-up). */
    public int largestPrompt() {
        return tests().stream().mapToInt(BenchTest::nPrompt).max().orElse(0);
    }

    /** The most positions any test needs. */
    public int largestContext() {
        return tests().stream().mapToInt(BenchTest::contextNeeded).max().orElse(0);
    }

    private static void require(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException(message);
        }
    }
}
