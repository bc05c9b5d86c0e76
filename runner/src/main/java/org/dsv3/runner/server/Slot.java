package org.dsv3.runner.server;

import org.dsv3.runner.generate.CachedSession;
import org.dsv3.runner.generate.Generator;

/** One request at a time runs on a slot: its own session (KV cache) and generator. */
record Slot(int id, CachedSession session, Generator generator) {
}
