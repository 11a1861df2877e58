package org.polytopelens.analysis.clusters;

import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import org.polytopelens.api.data.TokenInContext;
import javax.imageio.ImageIO;

/**
 * An image grid of clusters' examples: one row per cluster, its caption on the left, then its
 * examples as grayscale tiles (each tile's values stretched from its own min (white) to max
 * (black), so MNIST digits are dark strokes on white paper), each pixel drawn as SCALE x SCALE.
 */
final class Gallery {
    private Gallery() {}

    static final int SCALE = 2, GAP = 4, CAPTION = 150;

    /** One row: caption (lines separated by newlines) and each example's pixels (row-major, height x width). */
    record Row(String caption, List<float[]> tiles) {}

    /**
     * The image size {height, width} of a grayscale example of this point shape, or null when
     * the examples are not images. Rule: a flat vector of 784 values is a 28 x 28 MNIST image;
     * {@code [H, W]}, {@code [1, H, W]} or {@code [H, W, 1]} with 4 <= H, W <= 512 and the longer
     * side at most 4 times the shorter is an H x W image (the ratio keeps [tokens, hidden] rows
     * out). Anything else (other vectors, colour, token ids) gets the text listing only.
     */
    static int[] imageShape(long[] pointShape) {
        long[] s = pointShape;
        if (s.length == 1 && s[0] == 784) {
            return new int[] {28, 28};
        }
        if (s.length == 3 && s[0] == 1) {
            s = new long[] {s[1], s[2]};
        } else if (s.length == 3 && s[2] == 1) {
            s = new long[] {s[0], s[1]};
        }
        if (s.length == 2 && s[0] >= 4 && s[0] <= 512 && s[1] >= 4 && s[1] <= 512 && Math.max(s[0], s[1]) <= 4 * Math.min(s[0], s[1])) {
            return new int[] {(int) s[0], (int) s[1]};
        }
        return null;
    }

    /** Width and height in pixels of a gallery of {@code rows} rows of at most {@code perRow} tiles. */
    static int[] size(int rows, int perRow, int h, int w) {
        return new int[] {CAPTION + perRow * (w * SCALE + GAP) + GAP, rows * (h * SCALE + GAP) + GAP};
    }

    static BufferedImage render(List<Row> rows, int perRow, int h, int w) {
        int[] size = size(rows.size(), perRow, h, w);
        BufferedImage img = new BufferedImage(size[0], size[1], BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, size[0], size[1]);
            g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
            int rowHeight = h * SCALE + GAP;
            for (int r = 0; r < rows.size(); r++) {
                Row row = rows.get(r);
                int top = GAP + r * rowHeight;
                g.setColor(Color.BLACK);
                String[] lines = row.caption().split("\n");
                for (int l = 0; l < lines.length; l++) {
                    g.drawString(lines[l], GAP, top + 14 + 15 * l);
                }
                // A light line between rows keeps each cluster's tiles together.
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(0, top + h * SCALE + GAP / 2, size[0], top + h * SCALE + GAP / 2);
                for (int t = 0; t < Math.min(perRow, row.tiles().size()); t++) {
                    tile(img, row.tiles().get(t), h, w, CAPTION + t * (w * SCALE + GAP), top);
                }
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    private static void tile(BufferedImage img, float[] v, int h, int w, int left, int top) {
        float lo = Float.POSITIVE_INFINITY, hi = Float.NEGATIVE_INFINITY;
        for (float x : v) {
            lo = Math.min(lo, x);
            hi = Math.max(hi, x);
        }
        float range = hi > lo ? hi - lo : 1;
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                int grey = 255 - Math.round(255 * (v[y * w + x] - lo) / range);
                int rgb = grey << 16 | grey << 8 | grey;
                for (int dy = 0; dy < SCALE; dy++) {
                    for (int dx = 0; dx < SCALE; dx++) {
                        img.setRGB(left + x * SCALE + dx, top + y * SCALE + dy, rgb);
                    }
                }
            }
        }
    }

    /** One cluster of token points: caption and its tokens in context. */
    record TokenRow(String caption, List<TokenInContext> tokens) {}

    static final int KWIC_WIDTH = 1100, KWIC_CENTRE = 520, LINE = 17;

    /**
     * Tokens in context as a keyword-in-context concordance: per cluster a caption line, then one
     * line per token, the token highlighted in a centre column, its left context right-aligned
     * before it and its right context after it, each cut to fit.
     */
    static BufferedImage renderTokens(List<TokenRow> rows) {
        int lines = rows.stream().mapToInt(r -> 1 + r.tokens().size()).sum();
        int height = GAP + lines * LINE + rows.size() * GAP + GAP;
        BufferedImage img = new BufferedImage(KWIC_WIDTH, height, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = img.createGraphics();
        try {
            g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
            g.setColor(Color.WHITE);
            g.fillRect(0, 0, KWIC_WIDTH, height);
            Font plain = new Font(Font.SANS_SERIF, Font.PLAIN, 12);
            Font bold = plain.deriveFont(Font.BOLD);
            int y = GAP;
            for (TokenRow row : rows) {
                g.setFont(bold);
                g.setColor(Color.BLACK);
                y += LINE;
                g.drawString(row.caption().replace('\n', ' '), GAP, y - 4);
                for (TokenInContext t : row.tokens()) {
                    y += LINE;
                    g.setFont(bold);
                    java.awt.FontMetrics fb = g.getFontMetrics();
                    int tw = fb.stringWidth(t.token());
                    g.setColor(new Color(0xFFE08A));
                    g.fillRect(KWIC_CENTRE - 3, y - LINE + 3, tw + 6, LINE - 2);
                    g.setColor(Color.BLACK);
                    g.drawString(t.token(), KWIC_CENTRE, y - 4);
                    g.setFont(plain);
                    java.awt.FontMetrics fp = g.getFontMetrics();
                    String left = fit(t.left(), fp, KWIC_CENTRE - 8 - 2 * GAP, true);
                    g.setColor(new Color(0x444444));
                    g.drawString(left, KWIC_CENTRE - 6 - fp.stringWidth(left), y - 4);
                    g.drawString(fit(t.right(), fp, KWIC_WIDTH - KWIC_CENTRE - tw - 12 - GAP, false), KWIC_CENTRE + tw + 6, y - 4);
                }
                y += GAP;
                g.setColor(new Color(0xDDDDDD));
                g.drawLine(0, y, KWIC_WIDTH, y);
            }
        } finally {
            g.dispose();
        }
        return img;
    }

    /** {@code text} cut (at its start when {@code keepEnd}) with an ellipsis to fit {@code width} pixels. */
    static String fit(String text, java.awt.FontMetrics fm, int width, boolean keepEnd) {
        if (fm.stringWidth(text) <= width) {
            return text;
        }
        String s = text;
        while (!s.isEmpty() && fm.stringWidth("\u2026" + s) > width) {
            s = keepEnd ? s.substring(1) : s.substring(0, s.length() - 1);
        }
        return keepEnd ? "\u2026" + s : s + "\u2026";
    }

    static void writePng(BufferedImage img, OutputStream out) throws IOException {
        if (!ImageIO.write(img, "png", out)) {
            throw new IOException("no PNG writer in this Java runtime");
        }
    }
}
