package org.polytopelens.report.html;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Reporter;
import org.polytopelens.api.ResultSink;

/**
 * One self-contained {@code report.html} per run: the experiment and its provenance, then each
 * step in order with its status, error, parameters, tables, charts (PNG embedded as data URIs, so
 * the file can be mailed or archived alone) and example listings; every other result file
 * (.json, .csv, .npy, .svg) linked. Everything taken from the run (experiment text, dataset
 * text in example listings, error messages, file names) is HTML-escaped.
 */
@Component(service = Reporter.class)
@Designate(ocd = HtmlReporter.Config.class)
public final class HtmlReporter implements Reporter {
    @ObjectClassDefinition(name = "HTML report", description = "Writes report.html: one self-contained page per run with every chart, table and gallery.")
    public @interface Config {
        @AttributeDefinition(name = "Embed images", description = "Embed PNG charts and galleries in the page (self-contained) instead of linking them.")
        boolean embed_images() default true;

        @AttributeDefinition(name = "Max text lines", description = "Lines shown of each text result (e.g. example listings); the file is linked.", min = "1")
        int max_text_lines() default 60;

        @AttributeDefinition(name = "Title", description = "The page's title; empty for the run's name.")
        String title() default "";

        @AttributeDefinition(name = "Max images per step", description = "PNG charts and galleries shown per step, in order; the others are linked. 0 for all.", min = "0")
        int max_gallery_images() default 0;
    }

    static final String FILE = "report.html";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TABLE = Pattern.compile("(?s)<table>.*</table>");

    @Override
    public String id() {
        return "html";
    }

    @Override
    public String name() {
        return "HTML report";
    }

    @Override
    public String description() {
        return "Writes report.html in the run directory: experiment, provenance, and each step's status, tables, charts (embedded) and examples.";
    }

    @Override
    public void report(Path dir, ResultSink out, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        Path runJson = dir.resolve("run.json");
        if (!Files.isRegularFile(runJson)) {
            throw new IllegalArgumentException("no run.json in " + dir + ": the HTML report is made from a finished run's directory");
        }
        JsonNode run = JSON.readTree(runJson.toFile());
        if (c.max_gallery_images() < 0) {
            throw new IllegalArgumentException("max_gallery_images must be >= 0 (0 = all), got " + c.max_gallery_images());
        }
        String html = render(dir, run, c.embed_images(), Math.max(1, c.max_text_lines()), c.title(), c.max_gallery_images());
        out.write(FILE, o -> o.write(html.getBytes(StandardCharsets.UTF_8)));
    }

    static String render(Path dir, JsonNode run, boolean embed, int maxLines) throws Exception {
        return render(dir, run, embed, maxLines, "", 0);
    }

    /**
     * @param title the page's title, or blank for the run's name
     * @param maxImages PNG files shown per step (the rest linked), 0 for all
     */
    static String render(Path dir, JsonNode run, boolean embed, int maxLines, String title, int maxImages) throws Exception {
        StringBuilder h = new StringBuilder(1 << 16);
        String name = title == null || title.isBlank() ? run.path("name").asText("run") : title;
        String status = run.path("status").asText();
        h.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>").append(esc(name)).append(" - Polytope Lens Workbench</title>\n")
                .append("<style>body{font-family:system-ui,sans-serif;max-width:70em;margin:2em auto;padding:0 1em;color:#222}")
                .append("h1{margin-bottom:.2em}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}")
                .append(".ok{color:#060}.failed,.cancelled{color:#a00}pre{background:#f6f6f6;padding:.7em;overflow-x:auto;font-size:13px}")
                .append("table{border-collapse:collapse;font-size:14px;margin:.5em 0}th,td{padding:.25em .7em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}")
                .append("th{border-bottom:2px solid #888}td.num{text-align:right;font-variant-numeric:tabular-nums}caption{font-weight:bold;text-align:left;padding:.3em 0}")
                .append("figure{margin:1em 0}figure img{max-width:100%;border:1px solid #eee}figcaption{font-size:13px;color:#555}.meta{color:#555;font-size:14px}</style></head><body>\n");
        h.append("<h1>").append(esc(name)).append("</h1>\n<p class=\"meta\">status <b class=\"").append(esc(status)).append("\">").append(esc(status))
                .append("</b> &middot; ").append(esc(run.path("started").asText())).append(" &rarr; ").append(esc(run.path("finished").asText()))
                .append(" &middot; ").append(run.path("millis").asLong()).append(" ms &middot; layer <code>")
                .append(esc(run.path("layer").asText().isEmpty() ? "(input space)" : run.path("layer").asText())).append("</code></p>\n");
        if (!run.path("error").isNull() && !run.path("error").asText().isEmpty()) {
            h.append("<p class=\"failed\">").append(esc(run.path("error").asText())).append("</p>\n");
        }
        h.append("<h2>Experiment</h2>\n<pre>").append(esc(run.path("experimentText").asText())).append("</pre>\n<p class=\"meta\">")
                .append(esc(run.path("experiment").asText())).append(" &middot; SHA-256 ").append(esc(run.path("experimentSha256").asText())).append("</p>\n");

        for (JsonNode step : run.path("steps")) {
            String analysis = step.path("analysis").asText();
            String st = step.path("status").asText();
            h.append("<h2>").append(esc(analysis)).append(" <small class=\"").append(esc(st)).append("\">").append(esc(st)).append("</small> <small class=\"meta\">")
                    .append(step.path("millis").asLong()).append(" ms</small></h2>\n");
            if (!step.path("error").isNull() && !step.path("error").asText().isEmpty()) {
                h.append("<pre class=\"failed\">").append(esc(step.path("error").asText())).append("</pre>\n");
            }
            for (JsonNode w : step.path("warnings")) {
                h.append("<p class=\"failed\">warning: ").append(esc(w.asText())).append("</p>\n");
            }
            if (step.path("params").size() > 0) {
                h.append("<details><summary>parameters</summary><table>");
                for (Map.Entry<String, JsonNode> p : (Iterable<Map.Entry<String, JsonNode>>) step.path("params")::fields) {
                    h.append("<tr><td>").append(esc(p.getKey())).append("</td><td>").append(esc(p.getValue().toString())).append("</td></tr>");
                }
                h.append("</table></details>\n");
            }
            StringBuilder links = new StringBuilder();
            int images = 0;
            for (JsonNode f : step.path("files")) {
                String file = f.asText();
                Path p = dir.resolve(file).normalize();
                if (!p.startsWith(dir) || !Files.isRegularFile(p)) {
                    continue;
                }
                if (file.endsWith(".html")) {
                    Matcher m = TABLE.matcher(Files.readString(p, StandardCharsets.UTF_8));
                    if (m.find()) {
                        h.append(m.group()).append('\n'); // our own table writer's output, already escaped
                    }
                } else if (file.endsWith(".png") && maxImages > 0 && images >= maxImages) {
                    links.append(links.length() == 0 ? "" : " &middot; ").append("<a href=\"").append(esc(file)).append("\">").append(esc(file)).append("</a>");
                } else if (file.endsWith(".png")) {
                    images++;
                    h.append("<figure>");
                    if (embed) {
                        h.append("<img alt=\"").append(esc(file)).append("\" src=\"data:image/png;base64,")
                                .append(Base64.getEncoder().encodeToString(Files.readAllBytes(p))).append("\">");
                    } else {
                        h.append("<img alt=\"").append(esc(file)).append("\" src=\"").append(esc(file)).append("\">");
                    }
                    h.append("<figcaption>").append(esc(file)).append("</figcaption></figure>\n");
                } else if (file.endsWith(".txt")) {
                    List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
                    h.append("<p class=\"meta\">").append(esc(file)).append(lines.size() > maxLines ? " (first " + maxLines + " of " + lines.size() + " lines)" : "")
                            .append("</p><pre>");
                    lines.stream().limit(maxLines).forEach(l -> h.append(esc(l)).append('\n'));
                    h.append("</pre>\n");
                } else {
                    links.append(links.length() == 0 ? "" : " &middot; ").append("<a href=\"").append(esc(file)).append("\">").append(esc(file)).append("</a>");
                }
            }
            if (links.length() > 0) {
                h.append("<p class=\"meta\">data: ").append(links).append("</p>\n");
            }
        }

        h.append("<h2>Provenance</h2>\n<table><tr><th>input</th><th>file</th><th>bytes</th><th>SHA-256</th></tr>");
        for (JsonNode in : run.path("inputs")) {
            h.append("<tr><td>").append(esc(in.path("role").asText())).append("</td><td>").append(esc(in.path("path").asText())).append("</td><td class=\"num\">")
                    .append(in.path("bytes").asLong()).append("</td><td><code>").append(esc(in.path("sha256").asText())).append("</code></td></tr>");
        }
        h.append("</table>\n<table><tr><th>model</th><th>backend</th></tr>");
        for (JsonNode m : run.path("models")) {
            h.append("<tr><td>").append(esc(m.path("role").asText())).append(": ").append(esc(m.path("path").asText())).append("</td><td>")
                    .append(esc(m.path("backend").asText())).append("</td></tr>");
        }
        h.append("</table>\n<p class=\"meta\">dataset <code>").append(esc(run.path("dataset").path("provider").asText())).append("</code> ")
                .append(esc(run.path("dataset").path("params").toString())).append(" &middot; Java ").append(esc(run.path("java").asText())).append(" &middot; ")
                .append(esc(run.path("os").asText())).append(" &middot; ").append(run.path("threads").asInt()).append(" threads</p>\n");
        h.append("<details><summary>bundles (").append(run.path("bundles").size()).append(")</summary><table>");
        for (JsonNode b : run.path("bundles")) {
            h.append("<tr><td>").append(esc(b.path("symbolicName").asText())).append("</td><td>").append(esc(b.path("version").asText())).append("</td><td>")
                    .append(esc(b.path("state").asText())).append("</td></tr>");
        }
        h.append("</table></details>\n<p class=\"meta\">Written by the Polytope Lens Workbench from <a href=\"run.json\">run.json</a>.</p>\n</body></html>\n");
        return h.toString();
    }

    /** Escapes text for HTML element content and double-quoted attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(ch);
            }
        }
        return b.toString();
    }
}
