package org.dsv3.tornado.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import org.dsv3.model.quant.GgmlType;
import org.junit.jupiter.api.Test;

/**
 * The device kernels keep their own table of block geometry (ints a kernel can read); it must agree
 * with {@link GgmlType}, whose sizes every GGUF file in the test data is read with.
 */
class WeightTypeTest {

    @Test
    void everyNamedIdIsTheGgmlTypeOfThatName() throws IllegalAccessException {
        int named = 0;
        for (Field f : WeightType.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                int id = f.getInt(null);
                assertTrue(WeightType.isSupported(id), f.getName() + " is named but not read");
                if (WeightType.stored(id) != id) {
                    // a device layout of a ggml type's bits: that type's geometry, its name first
                    GgmlType t = GgmlType.fromId(WeightType.stored(id));
                    assertTrue(f.getName().startsWith(t.name() + "_"), f.getName() + " holds " + t);
                    assertEquals(t.blockSize(), WeightType.blockValues(id), f.getName() + " values per block");
                    assertEquals(t.bytesFor(7168), WeightType.rowBytes(id, 7168), f.getName() + " row bytes");
                } else {
                    assertEquals(GgmlType.valueOf(f.getName()).id(), id, f.getName());
                }
                named++;
            }
        }
        assertTrue(named > 0);
    }

    @Test
    void blockGeometryAgreesWithGgmlType() {
        int supported = 0;
        for (int id = 0; id < 64; id++) {
            if (!WeightType.isSupported(id) || WeightType.stored(id) != id) {
                continue;
            }
            GgmlType t = GgmlType.fromId(id);
            assertNotNull(t, "id " + id);
            assertTrue(t.isSupported(), t + " is read by the device but not by the engine");
            assertEquals(t.blockSize(), WeightType.blockValues(id), t + " values per block");
            assertEquals(t.typeSize(), WeightType.blockBytes(id), t + " bytes per block");
            assertEquals(t.blockSize() == 256, WeightType.isSuperBlock(id), t + " super-block");
            assertEquals(t.bytesFor(7168), WeightType.rowBytes(id, 7168), t + " row bytes");
            assertEquals(id, constant(t.name()), t + " has its named constant");
            supported++;
        }
        assertTrue(supported > 0);
    }

    private static int constant(String name) {
        try {
            return WeightType.class.getField(name).getInt(null);
        } catch (ReflectiveOperationException e) {
            return -1;
        }
    }
}
