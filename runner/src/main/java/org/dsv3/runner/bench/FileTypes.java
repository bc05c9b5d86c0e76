package org.dsv3.runner.bench;

import java.util.Comparator;
import java.util.Locale;
import java.util.Map;
import org.dsv3.model.gguf.GgufMetadata;
import org.dsv3.model.quant.GgmlType;

/**
 * A model's quantization as llama.cpp names it: {@code general.file_type} is llama.cpp's
 * {@code llama_ftype} number (7 = Q8_0, 15 = Q4_K_M, …); a file without the key is named after
 * the type holding most of its bytes.
 */
public final class FileTypes {
    private FileTypes() {
    }

    /** llama_ftype numbers and their names (the published enum; gaps are retired values). */
    private static final Map<Integer, String> NAMES = Map.ofEntries(
            Map.entry(0, "F32"), Map.entry(1, "F16"), Map.entry(2, "Q4_0"), Map.entry(3, "Q4_1"),
            Map.entry(7, "Q8_0"), Map.entry(8, "Q5_0"), Map.entry(9, "Q5_1"), Map.entry(10, "Q2_K"),
            Map.entry(11, "Q3_K_S"), Map.entry(12, "Q3_K_M"), Map.entry(13, "Q3_K_L"), Map.entry(14, "Q4_K_S"),
            Map.entry(15, "Q4_K_M"), Map.entry(16, "Q5_K_S"), Map.entry(17, "Q5_K_M"), Map.entry(18, "Q6_K"),
            Map.entry(19, "IQ2_XXS"), Map.entry(20, "IQ2_XS"), Map.entry(21, "Q2_K_S"), Map.entry(22, "IQ3_XS"),
            Map.entry(23, "IQ3_XXS"), Map.entry(24, "IQ1_S"), Map.entry(25, "IQ4_NL"), Map.entry(26, "IQ3_S"),
            Map.entry(27, "IQ3_M"), Map.entry(28, "IQ2_S"), Map.entry(29, "IQ2_M"), Map.entry(30, "IQ4_XS"),
            Map.entry(31, "IQ1_M"), Map.entry(32, "BF16"), Map.entry(36, "TQ1_0"), Map.entry(37, "TQ2_0"));

    /** The file type's name; {@code bytesPerType} decides when the file does not say. */
    public static String name(GgufMetadata md, Map<GgmlType, Long> bytesPerType) {
        if (md.contains("general.file_type")) {
            int ft = md.getInt("general.file_type");
            String name = NAMES.get(ft);
            return name != null ? name : "ftype " + ft;
        }
        return bytesPerType.entrySet().stream().max(Comparator.comparingLong(Map.Entry::getValue))
                .map(e -> e.getKey().name().toUpperCase(Locale.ROOT)).orElse("unknown");
    }

    /** llama.cpp's model description: {@code deepseek2 16B Q8_0} (architecture, parameters rounded, file type). */
    public static String modelType(String architecture, long parameters, String fileType) {
        String size;
        if (parameters >= 1_000_000_000L) {
            size = Math.round(parameters / 1e9) + "B";
        } else if (parameters >= 1_000_000L) {
            size = Math.round(parameters / 1e6) + "M";
        } else {
            size = Math.round(parameters / 1e3) + "K";
        }
        return architecture + " " + size + " " + fileType;
    }
}
