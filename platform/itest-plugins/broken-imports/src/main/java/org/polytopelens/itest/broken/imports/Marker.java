package org.polytopelens.itest.broken.imports;

/** Content for a bundle whose only purpose is its unresolvable Import-Package header. */
public final class Marker {
    private Marker() { }
}
