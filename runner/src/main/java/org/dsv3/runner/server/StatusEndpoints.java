package org.dsv3.runner.server;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Locale;

/**
 * What the server is and does, in llama-server's shapes: {@code GET /props}, {@code GET /slots} and
 * {@code GET /metrics} (Prometheus text exposition format, metric names prefixed {@code dsv3_}).
 */
final class StatusEndpoints {
    private static final JsonNodeFactory F = JsonNodeFactory.instance;

    private final SlotPool pool;
    private final ServerMetrics metrics;
    private final String modelPath;
    private final String modelName;
    private final String chatTemplate;
    private final int contextSize;

    /** @param chatTemplate the template's name, or {@code null} when the model has none */
    StatusEndpoints(SlotPool pool, ServerMetrics metrics, String modelPath, String modelName, String chatTemplate,
                    int contextSize) {
        this.pool = pool;
        this.metrics = metrics;
        this.modelPath = modelPath;
        this.modelName = modelName;
        this.chatTemplate = chatTemplate;
        this.contextSize = contextSize;
    }

    ObjectNode props() {
        ObjectNode p = F.objectNode();
        p.put("model_path", modelPath);
        p.put("model_alias", modelName);
        p.put("n_ctx", contextSize);
        p.put("total_slots", pool.size());
        p.put("chat_template", chatTemplate);
        return p;
    }

    ArrayNode slots() {
        ArrayNode out = F.arrayNode();
        for (Slot s : pool.slots()) {
            out.addObject()
                    .put("id", s.id())
                    .put("n_ctx", contextSize)
                    .put("is_processing", pool.busy(s))
                    .put("requests_processed", metrics.requests(s));
        }
        return out;
    }

    String metrics() {
        int idle = pool.idle();
        StringBuilder b = new StringBuilder();
        metric(b, "prompt_tokens_total", "counter", "Prompt tokens processed.", metrics.promptTokens());
        metric(b, "tokens_predicted_total", "counter", "Tokens generated.", metrics.generatedTokens());
        metric(b, "requests_processed_total", "counter", "Generations finished.", metrics.requests());
        metric(b, "requests_processing", "gauge", "Requests holding a slot.", pool.size() - idle);
        metric(b, "requests_queued", "gauge", "Requests waiting for a slot.", pool.queued());
        metric(b, "slots_idle", "gauge", "Slots free.", idle);
        metric(b, "slots_busy", "gauge", "Slots serving a request.", pool.size() - idle);
        return b.toString();
    }

    private static void metric(StringBuilder b, String name, String type, String help, long value) {
        b.append(String.format(Locale.ROOT, "# HELP dsv3_%s %s\n# TYPE dsv3_%s %s\ndsv3_%s %d\n",
                name, help, name, type, name, value));
    }
}
