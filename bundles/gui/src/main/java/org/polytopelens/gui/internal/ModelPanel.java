package org.polytopelens.gui.internal;

import java.awt.BorderLayout;
import java.nio.file.Path;
import java.util.Arrays;
import javax.swing.JComponent;
import javax.swing.JLabel;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTable;
import javax.swing.SwingWorker;
import javax.swing.table.DefaultTableModel;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.TensorInfo;

/** The model view: an ONNX model's inputs, outputs, activation sites (op, kind, shape, neurons) and the tensors one can cut at. */
final class ModelPanel {
    private final JPanel panel = new JPanel(new BorderLayout());
    private final JLabel header = new JLabel();
    final DefaultTableModel io = table("tensor", "role", "type", "shape");
    final DefaultTableModel sites = table("site", "op", "kind", "pre-activation", "shape", "neurons");
    final DefaultTableModel tensors = table("#", "tensor (a layer to study: `layer:` in an experiment)");

    ModelPanel(MainWindow w, Path file) {
        panel.putClientProperty(ModelPanel.class, this);
        header.setBorder(javax.swing.BorderFactory.createEmptyBorder(6, 8, 6, 8));
        header.setText("opening " + file + " ...");
        panel.add(header, BorderLayout.NORTH);
        JSplitPane top = new JSplitPane(JSplitPane.VERTICAL_SPLIT, titled("Inputs and outputs", new JTable(io)), titled("Activation sites", new JTable(sites)));
        top.setResizeWeight(0.3);
        JSplitPane all = new JSplitPane(JSplitPane.VERTICAL_SPLIT, top, titled("Tensors", new JTable(tensors)));
        all.setResizeWeight(0.6);
        panel.add(all, BorderLayout.CENTER);
        new SwingWorker<ModelInfo, Void>() {
            String backend;

            @Override
            protected ModelInfo doInBackground() throws Exception {
                ModelInfos.Read r = ModelInfos.read(w.services, file);
                backend = r.backend();
                return r.info();
            }

            @Override
            protected void done() {
                try {
                    show(get(), backend, file);
                } catch (Exception e) {
                    header.setText("cannot open " + file.getFileName() + ": " + (e.getCause() == null ? e : e.getCause()).getMessage());
                    w.error("open model", e.getCause() == null ? e : e.getCause());
                }
            }
        }.execute();
    }

    private void show(ModelInfo info, String backend, Path file) {
        header.setText("<html><b>" + RunsPanel.esc(file.getFileName().toString()) + "</b> \u00b7 backend " + backend + " \u00b7 " + info.inputs().size()
                + " inputs, " + info.sites().size() + " activation sites, " + info.tensors().size() + " tensors</html>");
        for (TensorInfo t : info.inputs()) {
            io.addRow(new Object[] {t.name(), "input", t.dtype(), Arrays.toString(t.shape())});
        }
        for (TensorInfo t : info.outputs()) {
            io.addRow(new Object[] {t.name(), "output", t.dtype(), Arrays.toString(t.shape())});
        }
        for (ActivationSite s : info.sites()) {
            sites.addRow(new Object[] {s.name(), s.op(), s.kind().toString().toLowerCase(java.util.Locale.ROOT), s.preactivation(), Arrays.toString(s.shape()), s.neurons()});
        }
        for (int i = 0; i < info.tensors().size(); i++) {
            tensors.addRow(new Object[] {i, info.tensors().get(i)});
        }
    }

    private static DefaultTableModel table(String... columns) {
        return new DefaultTableModel(columns, 0) {
            @Override
            public boolean isCellEditable(int r, int c) {
                return false;
            }
        };
    }

    private static JComponent titled(String title, JTable t) {
        JPanel p = new JPanel(new BorderLayout());
        JLabel l = new JLabel(title);
        l.setBorder(javax.swing.BorderFactory.createEmptyBorder(4, 8, 2, 8));
        l.putClientProperty("FlatLaf.styleClass", "h4");
        p.add(l, BorderLayout.NORTH);
        p.add(new JScrollPane(t), BorderLayout.CENTER);
        return p;
    }

    JComponent component() {
        return panel;
    }
}
