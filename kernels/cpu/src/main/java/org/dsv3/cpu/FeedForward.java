package org.dsv3.cpu;

/** The second half of a block: maps {@code T} normalised rows {@code [T][d]} to {@code [T][d]}. */
public interface FeedForward {
    float[] forward(float[] x, int tokens);
}
