package org.dsv3.model.chat;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Chat formats written in Java, for files that carry no {@code tokenizer.chat_template}
 * (docs/architecture.md §7.4):
 * <ul>
 *   <li>{@link Format#DEEPSEEK_V3}: {@code BOS + system prompts (joined by "\n\n")}, then
 *       {@code <｜User｜>content}, {@code <｜Assistant｜>content<｜end▁of▁sentence｜>} (tool calls after the
 *       content, as {@link DeepSeekToolCalls#calls}), tool outputs as
 *       {@code <｜tool▁outputs▁begin｜><｜tool▁output▁begin｜>…<｜tool▁output▁end｜>…<｜tool▁outputs▁end｜>};
 *       generation prompt {@code <｜Assistant｜>} (as V3, R1-0528 and V3.1 in non-thinking use);</li>
 *   <li>{@link Format#DEEPSEEK_R1}: the same, with the generation prompt {@code <｜Assistant｜><think>\n}
 *       of R1's updated template, which forces the model to reason first;</li>
 *   <li>{@link Format#DEEPSEEK_V2}: {@code BOS}, system content + {@code "\n\n"},
 *       {@code "User: " + content + "\n\n"}, {@code "Assistant: " + content + EOS}; generation prompt
 *       {@code "Assistant:"};</li>
 *   <li>{@link Format#KIMI_K2}: {@code <|im_system|>system<|im_middle|>…<|im_end|>},
 *       {@code <|im_user|>user<|im_middle|>…<|im_end|>},
 *       {@code <|im_assistant|>assistant<|im_middle|>…<|im_end|>}; generation prompt
 *       {@code <|im_assistant|>assistant<|im_middle|>}; no BOS (the tokenizer adds one if the file
 *       asks for it). No default system prompt is inserted.</li>
 * </ul>
 */
public final class BuiltinChatTemplate implements ChatTemplate {

    public enum Format {
        DEEPSEEK_V3("deepseek-v3"), DEEPSEEK_R1("deepseek-r1"), DEEPSEEK_V2("deepseek-v2"), KIMI_K2("kimi-k2");

        private final String id;

        Format(String id) {
            this.id = id;
        }

        public String id() {
            return id;
        }

        /** The format named {@code id} (e.g. {@code deepseek-v3}). */
        public static Optional<Format> byId(String id) {
            for (Format f : values()) {
                if (f.id.equals(id)) {
                    return Optional.of(f);
                }
            }
            return Optional.empty();
        }

        /** The format whose marker tokens the vocabulary holds, if any. */
        public static Optional<Format> forVocabulary(Collection<String> tokens) {
            Set<String> set = tokens instanceof Set<String> s ? s : new HashSet<>(tokens);
            if (set.contains("<|im_user|>") && set.contains("<|im_assistant|>") && set.contains("<|im_middle|>")) {
                return Optional.of(KIMI_K2);
            }
            if (set.contains(USER) && set.contains(ASSISTANT) && set.contains(END_OF_SENTENCE)) {
                return Optional.of(DEEPSEEK_V3);
            }
            if (set.contains(BEGIN_OF_SENTENCE) && set.contains(END_OF_SENTENCE)) {
                return Optional.of(DEEPSEEK_V2);
            }
            return Optional.empty();
        }
    }

    static final String BEGIN_OF_SENTENCE = "<｜begin▁of▁sentence｜>";
    static final String END_OF_SENTENCE = "<｜end▁of▁sentence｜>";
    static final String USER = "<｜User｜>";
    static final String ASSISTANT = "<｜Assistant｜>";
    static final String OUTPUTS_BEGIN = "<｜tool▁outputs▁begin｜>";
    static final String OUTPUTS_END = "<｜tool▁outputs▁end｜>";
    static final String OUTPUT_BEGIN = "<｜tool▁output▁begin｜>";
    static final String OUTPUT_END = "<｜tool▁output▁end｜>";

    private final Format format;
    private final String bos;
    private final String eos;

    /**
     * @param bos the BOS token's text (DeepSeek formats begin with it; "" for none)
     * @param eos the EOS token's text (ends assistant turns in the V2 format)
     */
    public BuiltinChatTemplate(Format format, String bos, String eos) {
        this.format = format;
        this.bos = bos == null || bos.isEmpty() ? (format == Format.KIMI_K2 ? "" : BEGIN_OF_SENTENCE) : bos;
        this.eos = eos == null || eos.isEmpty() ? END_OF_SENTENCE : eos;
    }

    public Format format() {
        return format;
    }

    @Override
    public String name() {
        return "built-in " + format.id();
    }

    @Override
    public boolean rendersBos() {
        return format != Format.KIMI_K2 && !bos.isEmpty();
    }

    @Override
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt) {
        List<ChatMessage> msgs = ChatTemplate.withoutReasoning(messages);
        return switch (format) {
            case DEEPSEEK_V3, DEEPSEEK_R1 -> deepSeekV3(msgs, addGenerationPrompt);
            case DEEPSEEK_V2 -> deepSeekV2(msgs, addGenerationPrompt);
            case KIMI_K2 -> kimiK2(msgs, addGenerationPrompt);
        };
    }

    private ChatTemplateException unknownRole(ChatMessage m) {
        return new ChatTemplateException(name(), "role '" + m.role() + "' is not supported by this format");
    }

    private String deepSeekV3(List<ChatMessage> msgs, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder(bos);
        List<String> systems = new ArrayList<>();
        for (ChatMessage m : msgs) {
            if (m.role().equals("system")) {
                systems.add(m.content());
            }
        }
        sb.append(String.join("\n\n", systems));
        boolean inToolOutputs = false;
        for (ChatMessage m : msgs) {
            switch (m.role()) {
                case "system" -> {
                }
                case "user" -> {
                    if (inToolOutputs) {
                        sb.append(OUTPUTS_END);
                        inToolOutputs = false;
                    }
                    sb.append(USER).append(m.content());
                }
                case "assistant" -> {
                    if (inToolOutputs) {
                        sb.append(OUTPUTS_END);
                        inToolOutputs = false;
                    } else {
                        sb.append(ASSISTANT);
                    }
                    sb.append(m.content());
                    if (!m.toolCalls().isEmpty()) {
                        sb.append(DeepSeekToolCalls.calls(m.toolCalls()));
                    }
                    sb.append(eos);
                }
                case "tool" -> {
                    sb.append(inToolOutputs ? "\n" : OUTPUTS_BEGIN).append(OUTPUT_BEGIN).append(m.content()).append(OUTPUT_END);
                    inToolOutputs = true;
                }
                default -> throw unknownRole(m);
            }
        }
        if (inToolOutputs) {
            sb.append(OUTPUTS_END);
        }
        if (addGenerationPrompt && !inToolOutputs) {
            sb.append(ASSISTANT);
            if (format == Format.DEEPSEEK_R1) {
                sb.append(ReasoningSplitter.OPEN).append('\n');
            }
        }
        return sb.toString();
    }

    private String deepSeekV2(List<ChatMessage> msgs, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder(bos);
        for (ChatMessage m : msgs) {
            switch (m.role()) {
                case "system" -> sb.append(m.content()).append("\n\n");
                case "user" -> sb.append("User: ").append(m.content()).append("\n\n");
                case "assistant" -> sb.append("Assistant: ").append(m.content()).append(eos);
                default -> throw unknownRole(m);
            }
        }
        if (addGenerationPrompt) {
            sb.append("Assistant:");
        }
        return sb.toString();
    }

    private String kimiK2(List<ChatMessage> msgs, boolean addGenerationPrompt) {
        StringBuilder sb = new StringBuilder();
        for (ChatMessage m : msgs) {
            String tag = switch (m.role()) {
                case "system" -> "<|im_system|>";
                case "user" -> "<|im_user|>";
                case "assistant" -> "<|im_assistant|>";
                default -> throw unknownRole(m);
            };
            sb.append(tag).append(m.role()).append("<|im_middle|>").append(m.content()).append("<|im_end|>");
        }
        if (addGenerationPrompt) {
            sb.append("<|im_assistant|>assistant<|im_middle|>");
        }
        return sb.toString();
    }
}
