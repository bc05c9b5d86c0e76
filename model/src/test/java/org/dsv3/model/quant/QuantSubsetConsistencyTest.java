package org.dsv3.model.quant;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.dsv3.model.TestData;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** With the full data, the committed subset's block cuts and reference copies still match their sources. */
class QuantSubsetConsistencyTest {

    static List<QuantSample> samples() {
        return QuantSample.everything();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("samples")
    void subsetCutsEqualTheGgufBytes(QuantSample s) {
        TestData.requireFull("comparing the subset with its source");
        Path cut = TestData.subset().resolve(s.blocksPath());
        Path ref = TestData.subset().resolve(s.referencePath());
        assertTrue(Files.isRegularFile(cut), cut + " missing from the subset");
        assertArrayEquals(s.blocks().toArray(ValueLayout.JAVA_BYTE), QuantSample.read(cut), s + ": " + cut);
        assertArrayEquals(QuantSample.read(TestData.root().resolve(s.referencePath())), QuantSample.read(ref), s + ": " + ref);
        Path originals = TestData.subset().resolve(s.originalsPath());
        assertArrayEquals(s.originalBytes(TestData.root()).toArray(ValueLayout.JAVA_BYTE), QuantSample.read(originals),
                s + ": " + originals);
    }
}
