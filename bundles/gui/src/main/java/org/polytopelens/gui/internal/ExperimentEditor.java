package org.polytopelens.gui.internal;

import java.awt.BorderLayout;
import java.awt.Color;
import java.awt.FlowLayout;
import java.awt.GridBagConstraints;
import java.awt.GridBagLayout;
import java.awt.Insets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.swing.BorderFactory;
import javax.swing.DefaultListModel;
import javax.swing.JButton;
import javax.swing.JComboBox;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JLabel;
import javax.swing.JList;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTextField;
import javax.swing.SwingWorker;
import javax.swing.Timer;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Provider;
import org.polytopelens.core.ProviderInfo;

/**
 * The experiment editor: model(s), dataset and its parameters, layer, and analysis steps with
 * their parameters, each plugin's form generated from its schema. The whole experiment is
 * validated by the core (every id, parameter and file) half a second after each change; it saves
 * and opens the same YAML the command line runs.
 */
final class ExperimentEditor {
    private final MainWindow window;
    private Path file;
    private final JPanel panel = new JPanel(new BorderLayout());
    final JTextField name = new JTextField(24);
    final JTextField model = new JTextField(40);
    final JTextField twin = new JTextField(40);
    final JComboBox<String> dataset = new JComboBox<>();
    final JComboBox<String> layer = new JComboBox<>();
    /** The coders the experiment allows, in the list's order; none selected: every registered coder (no coders: key). */
    final JList<String> coders = new JList<>(new DefaultListModel<>());
    private final JPanel datasetForm = new JPanel(new BorderLayout());
    private ParamForm datasetParams;
    private final DefaultListModel<ExperimentDraft.Step> steps = new DefaultListModel<>();
    final JList<ExperimentDraft.Step> stepList = new JList<>(steps);
    final JComboBox<String> addAnalysis = new JComboBox<>();
    private final JPanel stepForm = new JPanel(new BorderLayout());
    private ParamForm stepParams;
    private final JTextField stepName = new JTextField(12);
    private final JTextField stepLayer = new JTextField(20);
    final JLabel validation = new JLabel(" ");
    final JButton runButton = new JButton("Run");
    private final Timer debounce;
    private Timer tensors;
    /** Tensors of the model the layer picker offers (for tests). */
    volatile List<String> layerChoices = List.of();
    private volatile String validated = "";
    private boolean loading;
    private Map<String, Object> datasetInitial = Map.of();
    /** Keys of the experiment the form does not show (sites, visualizers, reports...), kept as they were. */
    private Map<String, Object> other = Map.of();
    /** The last run started from this editor, for tests and the results tab. */
    volatile Path lastRun;

    ExperimentEditor(MainWindow window, Path file, ExperimentDraft draft) {
        this.window = window;
        this.file = file;
        panel.putClientProperty(ExperimentEditor.class, this);
        debounce = new Timer(500, e -> validateNow());
        debounce.setRepeats(false);
        layer.setEditable(true);

        JPanel head = new JPanel(new GridBagLayout());
        head.setBorder(BorderFactory.createEmptyBorder(8, 8, 4, 8));
        GridBagConstraints c = new GridBagConstraints();
        c.insets = new Insets(3, 4, 3, 4);
        c.anchor = GridBagConstraints.WEST;
        row(head, c, 0, "Name", name, null);
        row(head, c, 1, "Model (.onnx)", model, browse(model, "onnx"));
        row(head, c, 2, "Untrained twin (optional)", twin, browse(twin, "onnx"));
        row(head, c, 3, "Dataset", dataset, null);
        row(head, c, 4, "Layer (tensor; empty = input space)", layer, null);
        coders.setVisibleRowCount(2);
        coders.setLayoutOrientation(JList.HORIZONTAL_WRAP);
        coders.setToolTipText("Coders to use, first that supports a site wins; none selected: every registered coder");
        row(head, c, 5, "Coders (none = all)", new JScrollPane(coders), null);
        twin.putClientProperty("JTextField.placeholderText", "a second model: runs trained vs untrained side by side");

        JPanel ds = new JPanel(new BorderLayout());
        ds.setBorder(BorderFactory.createTitledBorder("Dataset parameters"));
        ds.add(new JScrollPane(datasetForm), BorderLayout.CENTER);

        JPanel an = new JPanel(new BorderLayout(4, 4));
        an.setBorder(BorderFactory.createTitledBorder("Analyses"));
        JPanel left = new JPanel(new BorderLayout(2, 2));
        stepList.setCellRenderer((l, v, i, sel, focus) -> {
            JLabel x = new JLabel((i + 1) + ". " + v.id() + (v.name() == null ? "" : " (" + v.name() + ")") + (v.layer() == null ? "" : " @ " + v.layer()));
            x.setOpaque(true);
            x.setBackground(sel ? l.getSelectionBackground() : l.getBackground());
            x.setForeground(sel ? l.getSelectionForeground() : l.getForeground());
            x.setBorder(BorderFactory.createEmptyBorder(2, 4, 2, 4));
            return x;
        });
        left.add(new JScrollPane(stepList), BorderLayout.CENTER);
        JPanel addRow = new JPanel(new FlowLayout(FlowLayout.LEFT, 2, 2));
        addRow.add(addAnalysis);
        JButton add = new JButton("Add");
        add.addActionListener(e -> addStep((String) addAnalysis.getSelectedItem()));
        JButton remove = new JButton("Remove");
        remove.addActionListener(e -> {
            int i = stepList.getSelectedIndex();
            if (i >= 0) {
                steps.remove(i);
                showStep();
                changed();
            }
        });
        addRow.add(add);
        addRow.add(remove);
        left.add(addRow, BorderLayout.SOUTH);
        JSplitPane stepsSplit = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, left, new JScrollPane(stepForm));
        stepsSplit.setResizeWeight(0.35);
        an.add(stepsSplit, BorderLayout.CENTER);

        JSplitPane middle = new JSplitPane(JSplitPane.VERTICAL_SPLIT, ds, an);
        middle.setResizeWeight(0.4);
        JPanel south = new JPanel(new BorderLayout(6, 0));
        south.setBorder(BorderFactory.createEmptyBorder(4, 8, 6, 8));
        south.add(validation, BorderLayout.CENTER);
        JPanel buttons = new JPanel(new FlowLayout(FlowLayout.RIGHT, 4, 0));
        JButton save = new JButton("Save");
        save.addActionListener(e -> save());
        JButton saveAs = new JButton("Save as...");
        saveAs.addActionListener(e -> saveAs());
        runButton.addActionListener(e -> run());
        runButton.putClientProperty("JButton.buttonType", "default");
        buttons.add(save);
        buttons.add(saveAs);
        buttons.add(runButton);
        south.add(buttons, BorderLayout.EAST);
        panel.add(head, BorderLayout.NORTH);
        panel.add(middle, BorderLayout.CENTER);
        panel.add(south, BorderLayout.SOUTH);

        for (Provider p : window.services.registry().providers(DatasetProvider.class)) {
            dataset.addItem(p.id());
        }
        for (Provider p : window.services.registry().providers(Analysis.class)) {
            addAnalysis.addItem(p.id());
        }
        for (Provider p : window.services.registry().providers(org.polytopelens.api.ActivationCoder.class)) {
            ((DefaultListModel<String>) coders.getModel()).addElement(p.id());
        }
        load(draft);
        for (JTextField f : List.of(name, model, twin, stepName, stepLayer)) {
            ParamForm.onChange(f, this::changed);
        }
        tensors = new Timer(600, e -> fillLayers());
        tensors.setRepeats(false);
        ParamForm.onChange(model, tensors::restart);
        fillLayers();
        dataset.addActionListener(e -> {
            datasetInitial = Map.of();
            showDatasetForm();
            changed();
        });
        layer.addActionListener(e -> changed());
        coders.addListSelectionListener(e -> {
            if (!e.getValueIsAdjusting()) {
                changed();
            }
        });
        stepList.addListSelectionListener(e -> {
            if (!e.getValueIsAdjusting()) {
                showStep();
            }
        });
        changed();
    }

    private static void row(JPanel p, GridBagConstraints c, int y, String label, JComponent field, JComponent extra) {
        c.gridy = y;
        c.gridx = 0;
        c.weightx = 0;
        c.fill = GridBagConstraints.NONE;
        p.add(new JLabel(label), c);
        c.gridx = 1;
        c.weightx = 1;
        c.fill = GridBagConstraints.HORIZONTAL;
        p.add(field, c);
        if (extra != null) {
            c.gridx = 2;
            c.weightx = 0;
            c.fill = GridBagConstraints.NONE;
            p.add(extra, c);
        }
    }

    private JButton browse(JTextField target, String ext) {
        JButton b = new JButton("Browse...");
        b.addActionListener(e -> {
            JFileChooser fc = new JFileChooser(base().toFile());
            fc.setFileFilter(new javax.swing.filechooser.FileNameExtensionFilter("." + ext, ext));
            if (fc.showOpenDialog(panel) == JFileChooser.APPROVE_OPTION) {
                target.setText(fc.getSelectedFile().getAbsolutePath());
            }
        });
        return b;
    }

    /** Fills the fields from a draft. */
    void load(ExperimentDraft d) {
        loading = true;
        try {
            name.setText(d.name());
            String m = d.models().getOrDefault("model", d.models().getOrDefault("trained", d.models().values().stream().findFirst().orElse("")));
            model.setText(m);
            twin.setText(d.models().getOrDefault("untrained", ""));
            if (!d.datasetProvider().isEmpty()) {
                dataset.setSelectedItem(d.datasetProvider());
            }
            datasetInitial = d.datasetParams();
            layer.setSelectedItem(d.layer());
            coders.clearSelection();
            if (d.other().get("coders") instanceof List<?> named) {
                List<Integer> at = new ArrayList<>();
                for (Object id : named) {
                    int i = ((DefaultListModel<String>) coders.getModel()).indexOf(String.valueOf(id));
                    if (i >= 0) {
                        at.add(i);
                    }
                }
                coders.setSelectedIndices(at.stream().mapToInt(Integer::intValue).toArray());
            }
            other = d.other();
            steps.clear();
            d.analyses().forEach(steps::addElement);
            showDatasetForm();
            if (!steps.isEmpty()) {
                stepList.setSelectedIndex(0);
            }
            showStep();
        } finally {
            loading = false;
        }
    }

    private void showDatasetForm() {
        datasetForm.removeAll();
        String id = (String) dataset.getSelectedItem();
        if (id != null) {
            ProviderInfo info = window.services.registry().describe(window.services.registry().provider(DatasetProvider.class, id));
            datasetParams = new ParamForm(info, datasetInitial, this::changed);
            JLabel d = new JLabel("<html>" + RunsPanel.esc(info.description()) + "</html>");
            d.setBorder(BorderFactory.createEmptyBorder(2, 6, 6, 6));
            datasetForm.add(d, BorderLayout.NORTH);
            datasetForm.add(datasetParams.component(), BorderLayout.CENTER);
        }
        datasetForm.revalidate();
        datasetForm.repaint();
    }

    private int shownStep = -1;

    private void showStep() {
        stepForm.removeAll();
        stepParams = null;
        int i = stepList.getSelectedIndex();
        shownStep = i;
        if (i >= 0) {
            ExperimentDraft.Step s = steps.get(i);
            boolean was = loading;
            loading = true;
            stepName.setText(s.name() == null ? "" : s.name());
            stepLayer.setText(s.layer() == null ? "" : s.layer());
            loading = was;
            ProviderInfo info = window.services.registry().describe(window.services.registry().provider(Analysis.class, s.id()));
            stepParams = new ParamForm(info, s.params(), this::changed);
            JPanel top = new JPanel(new GridBagLayout());
            GridBagConstraints c = new GridBagConstraints();
            c.insets = new Insets(2, 4, 2, 4);
            c.anchor = GridBagConstraints.WEST;
            JLabel title = new JLabel("<html><b>" + RunsPanel.esc(info.name()) + "</b> (" + RunsPanel.esc(info.id()) + "): " + RunsPanel.esc(info.description()) + "</html>");
            c.gridwidth = 2;
            c.fill = GridBagConstraints.HORIZONTAL;
            c.weightx = 1;
            top.add(title, c);
            c.gridwidth = 1;
            stepName.putClientProperty("JTextField.placeholderText", "optional: its own subdirectory");
            stepLayer.putClientProperty("JTextField.placeholderText", "optional: the experiment's layer");
            row(top, c, 1, "step name", stepName, null);
            row(top, c, 2, "step layer", stepLayer, null);
            JPanel all = new JPanel(new BorderLayout());
            all.add(top, BorderLayout.NORTH);
            all.add(stepParams.component(), BorderLayout.CENTER);
            stepForm.add(all, BorderLayout.NORTH);
        }
        stepForm.revalidate();
        stepForm.repaint();
    }

    void addStep(String id) {
        if (id == null) {
            return;
        }
        steps.addElement(new ExperimentDraft.Step(id, null, null, Map.of()));
        stepList.setSelectedIndex(steps.size() - 1);
        changed();
    }

    /** Offers the model's tensors as layers (the model view's list), read in the background; the typed layer stays. */
    private void fillLayers() {
        String text = model.getText().strip();
        if (text.isEmpty()) {
            return;
        }
        Path p = base().resolve(text).normalize();
        new SwingWorker<List<String>, Void>() {
            @Override
            protected List<String> doInBackground() throws Exception {
                return ModelInfos.read(window.services, p).info().tensors();
            }

            @Override
            protected void done() {
                try {
                    List<String> t = get();
                    Object current = layer.getEditor().getItem();
                    boolean was = loading;
                    loading = true;
                    layer.removeAllItems();
                    layer.addItem("");
                    t.forEach(layer::addItem);
                    layer.setSelectedItem(current == null ? "" : current);
                    loading = was;
                    layerChoices = List.copyOf(t);
                    layer.setToolTipText(t.size() + " tensors of " + p.getFileName() + " (empty: the input space)");
                } catch (Exception e) {
                    layer.setToolTipText("cannot list the tensors of " + p.getFileName() + ": " + (e.getCause() == null ? e : e.getCause()).getMessage());
                }
            }
        }.execute();
    }

    /** The selected step's parameter form (tests drive it). */
    ParamForm stepParams() {
        return stepParams;
    }

    ParamForm datasetParams() {
        return datasetParams;
    }

    private void changed() {
        if (loading) {
            return;
        }
        // the selected step's fields go back into its entry
        if (shownStep >= 0 && shownStep < steps.size() && stepParams != null) {
            ExperimentDraft.Step s = steps.get(shownStep);
            ExperimentDraft.Step updated = new ExperimentDraft.Step(s.id(), stepName.getText(), stepLayer.getText(), stepParams.values());
            if (!updated.equals(s)) {
                steps.set(shownStep, updated);
            }
        }
        validation.setForeground(javax.swing.UIManager.getColor("Label.disabledForeground"));
        validation.setText("checking...");
        debounce.restart();
    }

    /** The experiment as composed now. */
    ExperimentDraft draft() {
        Map<String, String> models = new LinkedHashMap<>();
        if (twin.getText().isBlank()) {
            models.put("model", model.getText().strip());
        } else {
            models.put("trained", model.getText().strip());
            models.put("untrained", twin.getText().strip());
        }
        List<ExperimentDraft.Step> list = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            list.add(steps.get(i));
        }
        Object l = layer.getEditor().getItem();
        Map<String, Object> rest = new LinkedHashMap<>(other);
        rest.remove("coders");
        if (!coders.getSelectedValuesList().isEmpty()) {
            rest.put("coders", List.copyOf(coders.getSelectedValuesList()));
        }
        return new ExperimentDraft(name.getText().strip(), models, dataset.getSelectedItem() == null ? "" : (String) dataset.getSelectedItem(),
                datasetParams == null ? Map.of() : datasetParams.values(), l == null ? "" : String.valueOf(l).strip(), list, rest);
    }

    private Path base() {
        return file != null ? file.toAbsolutePath().getParent() : window.services.workingDirectory();
    }

    /** Checks the experiment with the core in the background; the status line says what is wrong, or that it is ready. */
    void validateNow() {
        List<String> fieldErrors = new ArrayList<>();
        if (datasetParams != null) {
            fieldErrors.addAll(datasetParams.errors());
        }
        if (stepParams != null) {
            fieldErrors.addAll(stepParams.errors());
        }
        if (!fieldErrors.isEmpty()) {
            show(false, String.join("; ", fieldErrors));
            return;
        }
        ExperimentDraft d = draft().resolvedAgainst(base());
        new SwingWorker<String, Void>() {
            @Override
            protected String doInBackground() throws Exception {
                Path tmp = draftFile("validate");
                Files.writeString(tmp, d.toYaml());
                try {
                    window.services.runner().validate(tmp);
                    return null;
                } catch (Exception e) {
                    return e.getMessage() == null ? e.toString() : e.getMessage();
                } finally {
                    Files.deleteIfExists(tmp);
                }
            }

            @Override
            protected void done() {
                try {
                    String error = get();
                    validated = error == null ? "ok" : error;
                    show(error == null, error == null ? "valid: " + d.analyses().size() + " steps, ready to run" : error);
                } catch (Exception e) {
                    show(false, e.getMessage());
                }
            }
        }.execute();
    }

    private void show(boolean ok, String text) {
        validation.setForeground(ok ? new Color(0x2E7D32) : new Color(0xC62828));
        String first = text.lines().findFirst().orElse("");
        validation.setText((ok ? "\u2714 " : "\u2716 ") + first + (text.lines().count() > 1 ? " (+" + (text.lines().count() - 1) + " more)" : ""));
        validation.setToolTipText("<html>" + RunsPanel.esc(text).replace("\n", "<br>") + "</html>");
    }

    /** The last validation's outcome: "ok", an error message, or "" before the first. */
    String validated() {
        return validated;
    }

    private Path draftFile(String prefix) throws java.io.IOException {
        Path dir = window.services.dataDirectory().resolve("gui").resolve("drafts");
        Files.createDirectories(dir);
        return Files.createTempFile(dir, prefix + "-", ".yaml");
    }

    void save() {
        if (file == null) {
            saveAs();
            return;
        }
        try {
            Path tmp = Files.createTempFile(file.toAbsolutePath().getParent(), ".save-", ".yaml.tmp");
            Files.writeString(tmp, draft().toYaml());
            Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            window.log("saved " + file);
        } catch (Exception e) {
            window.error("save " + file, e);
        }
    }

    void saveAs() {
        JFileChooser fc = new JFileChooser(base().toFile());
        fc.setSelectedFile(base().resolve((name.getText().isBlank() ? "experiment" : name.getText().strip()) + ".yaml").toFile());
        if (fc.showSaveDialog(panel) == JFileChooser.APPROVE_OPTION) {
            saveTo(fc.getSelectedFile().toPath());
        }
    }

    /** Saves under a new file: relative paths keep pointing at the same files (they are made absolute). */
    void saveTo(Path target) {
        ExperimentDraft d = draft().resolvedAgainst(base());
        Path old = file;
        file = target.toAbsolutePath();
        loading = true;
        load(d);
        loading = false;
        save();
        if (old == null || !old.equals(file)) {
            window.retitle(panel, file.getFileName().toString());
        }
    }

    /** Runs the experiment as composed (saving it first if it has a file); the results open in a new tab. */
    void run() {
        try {
            Path exp;
            if (file != null) {
                save();
                exp = file;
            } else {
                exp = draftFile(name.getText().isBlank() ? "experiment" : name.getText().strip().replaceAll("[^A-Za-z0-9._-]", "-"));
                Files.writeString(exp, draft().resolvedAgainst(base()).toYaml());
            }
            runButton.setEnabled(false);
            window.run(exp, name.getText().strip(), dir -> {
                runButton.setEnabled(true);
                lastRun = dir;
                if (dir != null) {
                    window.openRun(dir);
                }
            });
        } catch (Exception e) {
            window.error("run", e);
        }
    }

    JComponent component() {
        return panel;
    }

    Path file() {
        return file;
    }
}
