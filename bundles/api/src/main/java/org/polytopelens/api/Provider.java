package org.polytopelens.api;

import org.osgi.annotation.versioning.ConsumerType;

/**
 * What every plugin declares about itself. The parameter schema is the Metatype object class
 * definition that the plugin's component designates ({@code @Designate(ocd = Config.class)});
 * the workbench validates an experiment's parameters against it before calling the plugin.
 */
@ConsumerType
public interface Provider {
    /** Stable identifier used in experiment files, e.g. {@code "relu"}; lower case, no spaces. */
    String id();

    /** Human name shown in listings, e.g. {@code "ReLU hard spline codes"}. */
    String name();

    /** One or two sentences: what it does and when to use it. */
    String description();
}
