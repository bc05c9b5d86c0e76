package org.dsv3.model.tokenizer;

/**
 * The file asks for a tokenizer this engine does not implement (an unknown pre-tokenizer, a
 * tokenizer model other than byte-level BPE, missing vocabulary keys). Raised at load time: the
 * engine never guesses a tokenizer, because a wrong one silently produces different token ids.
 */
public class UnsupportedTokenizerException extends IllegalArgumentException {
    public UnsupportedTokenizerException(String message) {
        super(message);
    }
}
