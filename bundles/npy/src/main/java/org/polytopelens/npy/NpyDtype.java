package org.polytopelens.npy;

import java.util.Arrays;
import java.util.List;

/** The element types this package reads and writes, with the descr string numpy writes for each. */
public enum NpyDtype {
    FLOAT32("<f4", 4),
    FLOAT64("<f8", 8),
    UINT8("|u1", 1),
    INT64("<i8", 8),
    INT32("<i4", 4),
    BOOL("|b1", 1);

    private final String descr;
    private final int itemSize;

    NpyDtype(String descr, int itemSize) {
        this.descr = descr;
        this.itemSize = itemSize;
    }

    /** The header's {@code descr} value as numpy writes it on a little-endian machine. */
    public String descr() {
        return descr;
    }

    public int itemSize() {
        return itemSize;
    }

    /** All descr strings understood, for error messages. */
    public static List<String> validDescrs() {
        return Arrays.stream(values()).map(NpyDtype::descr).toList();
    }

    /**
     * The dtype for a header's {@code descr}. Single-byte types are accepted with any byte-order
     * mark ({@code |u1}, {@code <u1}, {@code u1}); multi-byte types must be little-endian.
     *
     * @param source named in the error message (usually the file)
     */
    public static NpyDtype fromDescr(String descr, Object source) {
        String d = descr.trim();
        for (NpyDtype t : values()) {
            if (t.descr.equals(d)) {
                return t;
            }
        }
        switch (d) {
            case "u1", "<u1", "=u1", "B" -> {
                return UINT8;
            }
            case "b1", "<b1", "=b1", "?" -> {
                return BOOL;
            }
            default -> {
            }
        }
        throw new IllegalArgumentException(source + ": unsupported dtype '" + descr + "'; valid dtypes: " + validDescrs()
                + " (little-endian, C order)");
    }
}
