package org.polytopelens.api.data;

import java.util.List;

/** Which bits of a code belong to which site: sites in graph order, each a contiguous segment. */
public record CodeLayout(List<Segment> segments) {
    public CodeLayout {
        segments = List.copyOf(segments);
    }

    /** Bits of one site: {@code [offset, offset + bits)}. */
    public record Segment(String site, int offset, int bits) {}

    public int bits() {
        return segments.isEmpty() ? 0 : segments.get(segments.size() - 1).offset() + segments.get(segments.size() - 1).bits();
    }
}
