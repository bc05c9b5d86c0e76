/**
 * The byte-level BPE tokenizer of DeepSeek GGUF files.
 *
 * <ul>
 *   <li>{@link org.dsv3.model.tokenizer.Tokenizer#fromGguf} reads {@code tokenizer.ggml.*}; unknown
 *       pre-tokenizers are refused ({@link org.dsv3.model.tokenizer.UnsupportedTokenizerException}).</li>
 *   <li>{@link org.dsv3.model.tokenizer.Tokenizer#encode(String, boolean, boolean)}: with
 *       {@code parseSpecial = true} special-token text is matched the way Hugging Face
 *       {@code tokenizers} does by default (all added tokens); with {@code false} only
 *       user-defined tokens are, control tokens are plain text (llama.cpp's {@code parse_special}).
 *       Note that in DeepSeek-V3's GGUF all 818 added tokens, {@code <｜User｜>} included, are
 *       control tokens.</li>
 *   <li>{@link org.dsv3.model.tokenizer.PreTokenizer}: {@code deepseek-v3} (alias {@code joyai-llm}),
 *       {@code deepseek-llm}, {@code deepseek-coder}, as linear-time scanners checked against the
 *       regexes.</li>
 *   <li>{@link org.dsv3.model.tokenizer.StreamingDecoder}: text of generated tokens, holding back
 *       unfinished UTF-8 sequences.</li>
 * </ul>
 */
package org.dsv3.model.tokenizer;
