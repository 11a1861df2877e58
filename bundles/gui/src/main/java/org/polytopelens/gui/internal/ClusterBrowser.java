package org.polytopelens.gui.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.swing.DefaultListModel;
import javax.swing.JComponent;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTextArea;

/**
 * The cluster browser of a {@code clusters} step: every cluster of every model with its size,
 * majority class and purity (from clusters.json); selecting one lists its examples (images'
 * descriptions, tokens in context with the token in brackets) from clusters-examples*.txt.
 */
final class ClusterBrowser {
    /** One cluster of one model, as the list shows it. */
    record Entry(String role, int id, int size, String majority, Double purity) {
        @Override
        public String toString() {
            return role + " \u00b7 cluster " + id + " \u00b7 " + size + " points" + (majority == null ? "" : " \u00b7 class " + majority + " "
                    + Math.round(100 * purity) + "%");
        }
    }

    private static final Pattern HEAD = Pattern.compile("^cluster (\\d+): .*");
    private final JSplitPane split;
    final DefaultListModel<Entry> clusters = new DefaultListModel<>();
    final JTextArea examples = new JTextArea();

    /** A browser for the clusters step whose clusters.json is {@code json}; null when there are no clusters. */
    static ClusterBrowser of(Path json) throws java.io.IOException {
        JsonNode root = new ObjectMapper().readTree(json.toFile());
        List<Entry> entries = new ArrayList<>();
        Map<String, Map<Integer, List<String>>> members = new LinkedHashMap<>();
        boolean several = root.path("models").size() > 1;
        for (Map.Entry<String, JsonNode> m : (Iterable<Map.Entry<String, JsonNode>>) root.path("models")::fields) {
            for (JsonNode c : m.getValue().path("cluster_list")) {
                entries.add(new Entry(m.getKey(), c.path("id").asInt(), c.path("size").asInt(), c.has("majority_class") ? c.path("majority_class").asText() : null,
                        c.has("purity") ? c.path("purity").asDouble() : null));
            }
            Path txt = json.resolveSibling("clusters-examples" + (several ? "-" + m.getKey() : "") + ".txt");
            members.put(m.getKey(), Files.isRegularFile(txt) ? parse(Files.readString(txt, StandardCharsets.UTF_8)) : Map.of());
        }
        return entries.isEmpty() ? null : new ClusterBrowser(entries, members);
    }

    /** The example lines of each cluster in a clusters-examples listing, by cluster id. */
    static Map<Integer, List<String>> parse(String text) {
        Map<Integer, List<String>> out = new LinkedHashMap<>();
        List<String> current = null;
        for (String line : text.split("\n")) {
            Matcher h = HEAD.matcher(line);
            if (h.matches()) {
                current = new ArrayList<>();
                out.put(Integer.parseInt(h.group(1)), current);
            } else if (current != null && !line.isBlank() && !line.startsWith("#")) {
                current.add(line);
            }
        }
        return out;
    }

    private ClusterBrowser(List<Entry> entries, Map<String, Map<Integer, List<String>>> members) {
        entries.forEach(clusters::addElement);
        JList<Entry> list = new JList<>(clusters);
        examples.setEditable(false);
        examples.setFont(new java.awt.Font(java.awt.Font.MONOSPACED, java.awt.Font.PLAIN, 12));
        list.addListSelectionListener(e -> {
            Entry sel = list.getSelectedValue();
            if (sel == null) {
                return;
            }
            List<String> lines = members.getOrDefault(sel.role(), Map.of()).get(sel.id());
            examples.setText(lines == null ? "(examples are listed for the largest clusters only)"
                    : sel + "\n\n" + String.join("\n", lines.stream().map(l -> l.replaceFirst("\t", "   ")).toList()));
            examples.setCaretPosition(0);
        });
        split = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, new JScrollPane(list), new JScrollPane(examples));
        split.setResizeWeight(0.35);
        split.setPreferredSize(new Dimension(900, 260));
        split.setMaximumSize(new Dimension(Integer.MAX_VALUE, 300));
        list.setSelectedIndex(0);
    }

    JComponent component() {
        JPanel p = new JPanel(new BorderLayout());
        p.add(split, BorderLayout.CENTER);
        p.setAlignmentX(0);
        return p;
    }
}
