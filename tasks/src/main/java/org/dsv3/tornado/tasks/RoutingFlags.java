package org.dsv3.tornado.tasks;

import org.dsv3.model.arch.Router;
import org.dsv3.model.arch.RoutingRule;
import org.dsv3.model.config.Gating;
import org.dsv3.tornado.kernels.Routing;

/** The routing rule of the model as the flag word the device's routing kernel reads ({@link Routing}). */
final class RoutingFlags {
    private RoutingFlags() {
    }

    static int of(RoutingRule r) {
        return (r.gating() == Gating.SIGMOID ? Routing.SIGMOID : 0)
                | (r.selectionBias() ? Routing.BIAS : 0)
                | (r.groupScore() == Router.GroupScore.TOP2_SUM ? Routing.TOP2_SUM : 0)
                | (r.normalize() ? Routing.NORMALIZE : 0);
    }
}
