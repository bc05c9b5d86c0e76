package org.dsv3.tornado.tasks;

/**
 * How the decode plan is laid out and observed.
 *
 * @param layersPerGraph blocks per task graph, i.e. per {@code execute()}; 0 = as many as keep a graph
 *                       at about 40 tasks (TornadoVM compiled up to 48 on the H200)
 * @param splits         position slices per head in the attention launch (split-K over the context)
 * @param profile        run with TornadoVM's profiler (kernel times per task; costs host time)
 */
record PlanOptions(int layersPerGraph, int splits, boolean profile) {

    /** From system properties {@code dsv3.tornado.layersPerGraph}, {@code .splits}, {@code .profile}. */
    static PlanOptions fromSystemProperties() {
        return new PlanOptions(Integer.getInteger("dsv3.tornado.layersPerGraph", 0),
                Integer.getInteger("dsv3.tornado.splits", 16), Boolean.getBoolean("dsv3.tornado.profile"));
    }
}
