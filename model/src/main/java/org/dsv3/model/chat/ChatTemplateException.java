package org.dsv3.model.chat;

/** A chat template could not be rendered; the message names the template and the problem. */
public class ChatTemplateException extends IllegalArgumentException {
    public ChatTemplateException(String template, String problem) {
        super("chat template " + template + ": " + problem);
    }

    public ChatTemplateException(String template, String problem, Throwable cause) {
        super("chat template " + template + ": " + problem, cause);
    }
}
