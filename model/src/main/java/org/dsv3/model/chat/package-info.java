/**
 * Chat prompts: {@link org.dsv3.model.chat.ChatTemplate#fromGguf} renders a file's own Jinja
 * {@code tokenizer.chat_template} (Jinjava, {@link org.dsv3.model.chat.JinjaChatTemplate}) or a
 * built-in format when there is none ({@link org.dsv3.model.chat.BuiltinChatTemplate});
 * {@link org.dsv3.model.chat.ChatTemplate#encode} tokenizes the prompt with BOS exactly once;
 * {@link org.dsv3.model.chat.ReasoningSplitter} separates R1-style {@code <think>} reasoning from
 * the answer while it streams.
 */
package org.dsv3.model.chat;
