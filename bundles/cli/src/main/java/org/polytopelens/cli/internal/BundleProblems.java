package org.polytopelens.cli.internal;

import java.util.ArrayList;
import java.util.List;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.polytopelens.launch.Launch;

/** Why a bundle is not running: the framework's recorded errors, else what its state implies. */
final class BundleProblems {
    private BundleProblems() {}

    static List<String> of(Bundle b, Launch launch) {
        List<String> out = new ArrayList<>();
        boolean fragment = b.getHeaders("").get(Constants.FRAGMENT_HOST) != null;
        if (b.getState() == Bundle.INSTALLED) {
            out.add("not resolved: a requirement is missing");
        } else if (b.getState() == Bundle.RESOLVED && !fragment) {
            out.add("resolved but not started");
        }
        return out;
    }
}
