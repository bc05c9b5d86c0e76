package org.dsv3.model.backend;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;

/** Looks up {@link BackendProvider}s on the class path by name. */
public final class Backends {
    private Backends() {
    }

    /** Every provider on the class path, available or not. */
    public static List<BackendProvider> all() {
        List<BackendProvider> list = new ArrayList<>();
        ServiceLoader.load(BackendProvider.class).forEach(list::add);
        return list;
    }

    /**
     * The provider called {@code name} (case-insensitive).
     *
     * @throws IllegalArgumentException naming the available providers when there is none by that name
     * @throws BackendException          when it exists but cannot run here
     */
    public static BackendProvider provider(String name) {
        List<BackendProvider> all = all();
        List<String> names = new ArrayList<>();
        for (BackendProvider p : all) {
            if (p.name().equalsIgnoreCase(name)) {
                if (!p.isAvailable()) {
                    throw new BackendException("device '" + name + "' cannot run here: " + p.unavailableReason()
                            + " (use --device cpu)");
                }
                return p;
            }
            if (p.isAvailable()) {
                names.add(p.name());
            }
        }
        throw new IllegalArgumentException("no backend for device '" + name.toLowerCase(Locale.ROOT)
                + "' (available: " + (names.isEmpty() ? "none" : String.join(", ", names)) + ")");
    }
}
