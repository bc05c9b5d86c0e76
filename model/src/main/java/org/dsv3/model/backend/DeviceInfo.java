package org.dsv3.model.backend;

import java.util.Objects;

/**
 * One device a {@link BackendProvider} can run on, as {@code dsv3 devices} lists it.
 *
 * @param spec    what to pass to {@code --device} to pick it, e.g. {@code tornado:opencl:0}
 * @param name    the device's name, e.g. {@code NVIDIA H200}
 * @param details free text: memory, compute units, driver…; may be empty
 */
public record DeviceInfo(String spec, String name, String details) {
    public DeviceInfo {
        Objects.requireNonNull(spec, "spec");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(details, "details");
    }
}
