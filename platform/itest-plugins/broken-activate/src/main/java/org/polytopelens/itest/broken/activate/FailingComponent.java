package org.polytopelens.itest.broken.activate;

import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;

/** An immediate component whose activation always fails, to test failure reporting. */
@Component(immediate = true, service = {})
public final class FailingComponent {
    @Activate
    void activate() {
        throw new IllegalStateException("deliberate failure in activate (test plugin)");
    }
}
