package org.polytopelens.viz.jfreechart;

import java.io.IOException;
import java.io.OutputStream;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import org.polytopelens.api.data.Table;

/**
 * A table as CSV (RFC 4180 quoting, numbers in full precision, empty for null: what pandas and
 * numpy read) and as a standalone HTML page (every cell escaped; numbers rounded to 6 significant
 * digits with the full value in the cell's tooltip).
 */
final class TableFiles {
    private TableFiles() {}

    static void csv(Table t, OutputStream out) throws IOException {
        Writer w = new OutputStreamWriter(out, StandardCharsets.UTF_8);
        line(w, t.columns().stream().map(c -> (Object) c).toList());
        for (List<Object> row : t.rows()) {
            line(w, row);
        }
        w.flush();
    }

    private static void line(Writer w, List<Object> cells) throws IOException {
        for (int i = 0; i < cells.size(); i++) {
            if (i > 0) {
                w.write(',');
            }
            w.write(csvCell(cells.get(i)));
        }
        w.write('\n');
    }

    static String csvCell(Object v) {
        if (v == null) {
            return "";
        }
        String s = String.valueOf(v);
        boolean quote = s.isEmpty() && !(v instanceof Number) || s.indexOf(',') >= 0 || s.indexOf('"') >= 0 || s.indexOf('\n') >= 0
                || s.indexOf('\r') >= 0 || !s.equals(s.strip());
        return quote ? '"' + s.replace("\"", "\"\"") + '"' : s;
    }

    static void html(Table t, OutputStream out) throws IOException {
        StringBuilder b = new StringBuilder(256 + 40 * t.rows().size() * Math.max(1, t.columns().size()));
        b.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(escape(t.title())).append("</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}")
                .append("table{border-collapse:collapse;font-size:14px}caption{font-weight:bold;font-size:16px;text-align:left;padding:0 0 .5em}")
                .append("th,td{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:left}th{border-bottom:2px solid #888}")
                .append("td.num{text-align:right;font-variant-numeric:tabular-nums}</style></head>\n<body>\n");
        appendTable(b, t);
        b.append("</body></html>\n");
        out.write(b.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The {@code <table>} element alone (for pages that embed tables). */
    static void appendTable(StringBuilder b, Table t) {
        b.append("<table>\n<caption>").append(escape(t.title())).append("</caption>\n<thead><tr>");
        for (String c : t.columns()) {
            b.append("<th>").append(escape(c)).append("</th>");
        }
        b.append("</tr></thead>\n<tbody>\n");
        for (List<Object> row : t.rows()) {
            b.append("<tr>");
            for (Object v : row) {
                if (v instanceof Number n) {
                    String full = String.valueOf(n);
                    String shown = number(n);
                    b.append("<td class=\"num\"");
                    if (!shown.equals(full)) {
                        b.append(" title=\"").append(escape(full)).append('"');
                    }
                    b.append('>').append(escape(shown)).append("</td>");
                } else {
                    b.append("<td>").append(v == null ? "" : escape(String.valueOf(v))).append("</td>");
                }
            }
            b.append("</tr>\n");
        }
        b.append("</tbody></table>\n");
    }

    /** Integers as they are; other numbers to 6 significant digits (scientific when tiny or huge). */
    static String number(Number n) {
        if (n instanceof Integer || n instanceof Long || n instanceof Short || n instanceof Byte || n instanceof BigInteger) {
            return n.toString();
        }
        double d = n instanceof BigDecimal bd ? bd.doubleValue() : n.doubleValue();
        if (!Double.isFinite(d) || d == 0) {
            return d == 0 ? "0" : String.valueOf(d);
        }
        double a = Math.abs(d);
        if (a >= 1e-4 && a < 1e7) {
            return new BigDecimal(d).round(new java.math.MathContext(6)).stripTrailingZeros().toPlainString();
        }
        return String.format(Locale.ROOT, "%.5e", d).replaceFirst("\\.?0+e", "e");
    }

    static String escape(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }
}
