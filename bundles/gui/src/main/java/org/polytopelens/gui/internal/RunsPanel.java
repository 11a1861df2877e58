package org.polytopelens.gui.internal;

import java.awt.BorderLayout;
import java.awt.event.MouseAdapter;
import java.awt.event.MouseEvent;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;

/** The Runs tool window: past runs found in the runs directory and under ./out, newest first; double-click opens one. */
final class RunsPanel {
    private final Services services;
    private final DefaultListModel<RunFiles.RunSummary> model = new DefaultListModel<>();
    private final JList<RunFiles.RunSummary> list = new JList<>(model);
    private final JPanel panel = new JPanel(new BorderLayout());

    RunsPanel(Services services, Consumer<Path> open) {
        this.services = services;
        list.setCellRenderer((l, v, i, sel, focus) -> {
            javax.swing.JLabel c = new javax.swing.JLabel("<html><b>" + esc(v.name()) + "</b> <span>" + esc(v.status()) + "</span><br><small>"
                    + esc(v.started()) + " \u00b7 " + v.millis() / 1000.0 + " s \u00b7 " + esc(v.dir().toString()) + "</small></html>");
            c.setOpaque(true);
            c.setBackground(sel ? l.getSelectionBackground() : l.getBackground());
            c.setForeground(sel ? l.getSelectionForeground() : l.getForeground());
            c.setBorder(javax.swing.BorderFactory.createEmptyBorder(3, 6, 3, 6));
            return c;
        });
        list.addMouseListener(new MouseAdapter() {
            @Override
            public void mouseClicked(MouseEvent e) {
                if (e.getClickCount() == 2 && list.getSelectedValue() != null) {
                    open.accept(list.getSelectedValue().dir());
                }
            }
        });
        panel.add(new JScrollPane(list), BorderLayout.CENTER);
        JButton refresh = new JButton("Refresh");
        refresh.addActionListener(e -> refresh());
        JButton openButton = new JButton("Open");
        openButton.addActionListener(e -> {
            if (list.getSelectedValue() != null) {
                open.accept(list.getSelectedValue().dir());
            }
        });
        JPanel b = new JPanel(new java.awt.FlowLayout(java.awt.FlowLayout.LEFT, 4, 2));
        b.add(openButton);
        b.add(refresh);
        panel.add(b, BorderLayout.SOUTH);
        refresh();
    }

    static String esc(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    JComponent component() {
        return panel;
    }

    void refresh() {
        model.clear();
        RunFiles.list(List.of(services.runsDirectory(), services.workingDirectory().resolve("out"))).forEach(model::addElement);
    }

    int size() {
        return model.size();
    }
}
