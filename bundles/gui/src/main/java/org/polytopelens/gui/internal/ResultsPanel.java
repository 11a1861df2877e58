package org.polytopelens.gui.internal;

import com.fasterxml.jackson.databind.JsonNode;
import java.awt.BorderLayout;
import java.awt.Dimension;
import java.awt.FlowLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.swing.BorderFactory;
import javax.swing.Box;
import javax.swing.BoxLayout;
import javax.swing.ImageIcon;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTabbedPane;
import javax.swing.JTable;
import javax.swing.JTextArea;
import javax.swing.table.DefaultTableModel;
import org.jfree.chart.ChartPanel;
import org.polytopelens.api.data.Result;
import org.polytopelens.api.data.Table;
import org.polytopelens.viz.jfreechart.live.LiveCharts;

/**
 * A run's results: one tab per step with its charts as live JFreeChart panels (drag to zoom,
 * right-click to save PNG/SVG, tooltips), its tables, its pictures (galleries of examples, tokens in
 * context) and text listings; the run's HTML report one click away.
 */
final class ResultsPanel {
    private final JPanel panel = new JPanel(new BorderLayout());
    final List<ChartPanel> charts = new ArrayList<>();
    final List<JTable> tables = new ArrayList<>();
    final List<ClusterBrowser> browsers = new ArrayList<>();
    final JTabbedPane steps = new JTabbedPane();

    ResultsPanel(MainWindow w, Path dir) throws Exception {
        panel.putClientProperty(ResultsPanel.class, this);
        JsonNode run = RunFiles.record(dir);
        JPanel head = new JPanel(new BorderLayout());
        head.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
        head.add(new JLabel("<html><b>" + RunsPanel.esc(run.path("name").asText()) + "</b> \u00b7 " + RunsPanel.esc(run.path("status").asText()) + " \u00b7 "
                + run.path("millis").asLong() + " ms \u00b7 layer <code>" + RunsPanel.esc(run.path("layer").asText().isEmpty() ? "(input space)" : run.path("layer").asText())
                + "</code><br><small>" + RunsPanel.esc(dir.toString()) + "</small></html>"), BorderLayout.CENTER);
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 4, 0));
        Path report = dir.resolve("report.html");
        JButton open = new JButton("Open report");
        open.setEnabled(Files.isRegularFile(report));
        open.addActionListener(e -> {
            try {
                if (java.awt.Desktop.isDesktopSupported() && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
                    java.awt.Desktop.getDesktop().browse(report.toUri());
                } else {
                    w.log("no browser to open the report: " + report);
                }
            } catch (Exception ex) {
                w.error("open report", ex);
            }
        });
        buttons.add(open);
        head.add(buttons, BorderLayout.EAST);
        panel.add(head, BorderLayout.NORTH);
        for (RunFiles.StepFiles s : RunFiles.steps(run)) {
            String title = s.analysis() + (s.status().equals("ok") ? "" : " (" + s.status() + ")");
            steps.addTab(title, new JScrollPane(step(dir, s)));
        }
        panel.add(steps, BorderLayout.CENTER);
    }

    private JComponent step(Path dir, RunFiles.StepFiles s) {
        JPanel p = new JPanel();
        p.setLayout(new BoxLayout(p, BoxLayout.Y_AXIS));
        p.setBorder(BorderFactory.createEmptyBorder(6, 8, 6, 8));
        p.add(left(new JLabel(s.status() + " in " + s.millis() + " ms" + (s.error() == null ? "" : ": " + s.error()))));
        Set<String> drawn = new HashSet<>();
        for (String f : s.files()) {
            if (f.equals("clusters.json") || f.endsWith("/clusters.json")) {
                try {
                    ClusterBrowser b = ClusterBrowser.of(dir.resolve(f));
                    if (b != null) {
                        browsers.add(b);
                        JLabel caption = new JLabel("Clusters (select one to see its examples)");
                        caption.putClientProperty("FlatLaf.styleClass", "h4");
                        p.add(Box.createVerticalStrut(8));
                        p.add(left(caption));
                        p.add(b.component());
                    }
                } catch (Exception e) {
                    p.add(left(new JLabel(f + ": " + e.getMessage())));
                }
            }
        }
        for (String f : s.files()) {
            if (!f.endsWith(".json")) {
                continue;
            }
            Result r = RunFiles.result(dir.resolve(f));
            if (r != null && LiveCharts.supports(r)) {
                ChartPanel c = new ChartPanel(LiveCharts.chart(r, 900, 700), true);
                c.setPreferredSize(new Dimension(900, 520));
                c.setMaximumSize(new Dimension(Integer.MAX_VALUE, 560));
                c.setMouseWheelEnabled(true);
                charts.add(c);
                p.add(Box.createVerticalStrut(8));
                p.add(left(c));
                drawn.add(f.substring(0, f.length() - 5));
            } else if (r instanceof Table t) {
                DefaultTableModel m = new DefaultTableModel(t.columns().toArray(), 0);
                t.rows().forEach(row -> m.addRow(row.toArray()));
                JTable table = new JTable(m);
                tables.add(table);
                JLabel caption = new JLabel(t.title());
                caption.putClientProperty("FlatLaf.styleClass", "h4");
                p.add(Box.createVerticalStrut(8));
                p.add(left(caption));
                JScrollPane sp = new JScrollPane(table);
                sp.setPreferredSize(new Dimension(900, Math.min(300, 26 + 22 * t.rows().size())));
                sp.setMaximumSize(new Dimension(Integer.MAX_VALUE, 320));
                p.add(left(sp));
                drawn.add(f.substring(0, f.length() - 5));
            }
        }
        for (String f : s.files()) {
            String base = f.replaceFirst("\\.[^.]+$", "");
            if (drawn.contains(base)) {
                continue; // the PNG/SVG/CSV/HTML copies of a result shown live above
            }
            Path path = dir.resolve(f);
            try {
                if (f.endsWith(".png")) {
                    ImageIcon icon = new ImageIcon(Files.readAllBytes(path));
                    JLabel img = new JLabel(icon);
                    img.setToolTipText(f);
                    p.add(Box.createVerticalStrut(8));
                    p.add(left(new JLabel(f)));
                    p.add(left(img));
                } else if (f.endsWith(".txt")) {
                    List<String> lines = Files.readAllLines(path, StandardCharsets.UTF_8);
                    JTextArea t = new JTextArea(String.join("\n", lines.subList(0, Math.min(200, lines.size()))));
                    t.setEditable(false);
                    t.setFont(new java.awt.Font(java.awt.Font.MONOSPACED, java.awt.Font.PLAIN, 12));
                    JScrollPane sp = new JScrollPane(t);
                    sp.setPreferredSize(new Dimension(900, 220));
                    sp.setMaximumSize(new Dimension(Integer.MAX_VALUE, 240));
                    p.add(Box.createVerticalStrut(8));
                    p.add(left(new JLabel(f + (lines.size() > 200 ? " (first 200 of " + lines.size() + " lines)" : ""))));
                    p.add(left(sp));
                }
            } catch (Exception e) {
                p.add(left(new JLabel(f + ": " + e.getMessage())));
            }
        }
        return p;
    }

    private static JComponent left(JComponent c) {
        c.setAlignmentX(0);
        return c;
    }

    JComponent component() {
        return panel;
    }
}
