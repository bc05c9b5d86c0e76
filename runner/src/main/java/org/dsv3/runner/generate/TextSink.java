package org.dsv3.runner.generate;

/** Receives generated text as it streams: whole characters only, stop strings already cut. */
@FunctionalInterface
public interface TextSink {
    TextSink NONE = text -> {
    };

    void text(String piece);
}
