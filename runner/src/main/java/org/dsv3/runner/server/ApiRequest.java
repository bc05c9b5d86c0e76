package org.dsv3.runner.server;

import java.util.List;
import org.dsv3.model.chat.ChatMessage;
import org.dsv3.runner.generate.GenerationParams;
import org.dsv3.runner.generate.json.JsonSchema;

/**
 * A checked request of either endpoint.
 *
 * @param chat         {@code /v1/chat/completions} (messages) or {@code /v1/completions} (prompt)
 * @param messages     the conversation (chat only)
 * @param prompts      the prompts, one choice each, in order (completions only)
 * @param params       sampling and stopping; {@code maxTokens} 0 = until the context is full
 * @param stream       answer with server-sent events
 * @param includeUsage with {@code stream}: send a last chunk with the token counts
 * @param tools        the functions offered (chat only; {@code null} for none)
 * @param format       the JSON the answer must be ({@code response_format}; {@code null} for free text)
 * @param logprobs     alternatives listed per token with its log-probability; {@link #NO_LOGPROBS} for none asked
 * @param echo         the prompt's text comes first in the answer (completions only)
 */
record ApiRequest(boolean chat, List<ChatMessage> messages, List<PromptInput> prompts, GenerationParams params,
                  boolean stream, boolean includeUsage, ToolUse tools, JsonSchema format, int logprobs, boolean echo) {
    static final int NO_LOGPROBS = -1;

    /** A completions request. */
    ApiRequest(List<PromptInput> prompts, GenerationParams params, boolean stream, boolean includeUsage, int logprobs,
               boolean echo) {
        this(false, List.of(), prompts, params, stream, includeUsage, null, null, logprobs, echo);
    }

    boolean wantsLogprobs() {
        return logprobs != NO_LOGPROBS;
    }

    /** Whether the answer is read for tool calls. */
    boolean readsToolCalls() {
        return tools != null && tools.active();
    }
}
