package org.dsv3.runner;

import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.UnknownHostException;

/**
 * Checks before a model is loaded that {@code serve} will be able to listen where it is asked to:
 * the port in range, the host an address of this machine, the port not taken by another process.
 * It binds and closes a socket; a process that takes the port in between is still reported by the
 * server's own start.
 */
final class PortCheck {
    private PortCheck() {
    }

    /** @throws UserError one line naming the option and what is wrong */
    static void check(String host, int port) {
        if (port < 0 || port > 65535) {
            throw new UserError("--port must be in 0..65535 (0 = any free one), got " + port);
        }
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (UnknownHostException e) {
            throw new UserError("--host " + host + ": unknown host");
        }
        if (port == 0) {
            return;
        }
        try (ServerSocket s = new ServerSocket()) {
            s.setReuseAddress(true); // as the server does: a port whose old connections linger in TIME_WAIT is free
            s.bind(new InetSocketAddress(address, port));
        } catch (BindException e) {
            String why = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
            if (why.contains("in use")) {
                throw new UserError("port " + port + " on " + host + " is already in use by another program: stop it, or choose"
                        + " another --port (0 = any free one)");
            }
            throw new UserError("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        } catch (IOException e) {
            throw new UserError("cannot listen on " + host + ":" + port + ": " + e.getMessage());
        }
    }
}
