package org.dsv3.tornado.tasks;

/**
 * How the decode plan is laid out and observed.
 *
 * @param layersPerGraph blocks per task graph, i.e. per {@code execute()}; 0 = about 40 tasks a graph
 * @param splits         position slices per head in the attention launch (split-K over the context)
 * @param profile        run with TornadoVM's profiler (kernel times per task; costs host time)
 * @param cudaGraph      replay each graph as a CUDA graph (PTX backend only): far cheaper launches
 */
record PlanOptions(int layersPerGraph, int splits, boolean profile, boolean cudaGraph) {

    /** From system properties {@code dsv3.tornado.layersPerGraph}, {@code .splits}, {@code .profile}, {@code .cudaGraph}. */
    static PlanOptions fromSystemProperties() {
        return new PlanOptions(Integer.getInteger("dsv3.tornado.layersPerGraph", 0),
                Integer.getInteger("dsv3.tornado.splits", 16), Boolean.getBoolean("dsv3.tornado.profile"),
                Boolean.getBoolean("dsv3.tornado.cudaGraph"));
    }

    PlanOptions withProfile(boolean on) {
        return new PlanOptions(layersPerGraph, splits, on, cudaGraph);
    }
}
