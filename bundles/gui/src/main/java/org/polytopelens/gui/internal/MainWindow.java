package org.polytopelens.gui.internal;

import com.formdev.flatlaf.FlatDarkLaf;
import com.formdev.flatlaf.FlatLaf;
import com.formdev.flatlaf.FlatLightLaf;
import java.awt.BorderLayout;
import java.awt.Component;
import java.awt.Dimension;
import java.awt.Frame;
import java.awt.datatransfer.DataFlavor;
import java.awt.event.KeyEvent;
import java.awt.event.WindowAdapter;
import java.awt.event.WindowEvent;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import javax.swing.BorderFactory;
import javax.swing.JButton;
import javax.swing.JFileChooser;
import javax.swing.JFrame;
import javax.swing.JLabel;
import javax.swing.JMenu;
import javax.swing.JMenuBar;
import javax.swing.JMenuItem;
import javax.swing.JOptionPane;
import javax.swing.JPanel;
import javax.swing.JProgressBar;
import javax.swing.JScrollPane;
import javax.swing.JSplitPane;
import javax.swing.JTabbedPane;
import javax.swing.JTextArea;
import javax.swing.KeyStroke;
import javax.swing.SwingUtilities;
import javax.swing.SwingWorker;
import javax.swing.TransferHandler;
import javax.swing.UIManager;
import javax.swing.filechooser.FileNameExtensionFilter;
import org.polytopelens.api.Progress;
import org.polytopelens.core.RunRecord;

/**
 * The main window: tool windows (Plugins, Runs) on the left, editors (experiments, models, run
 * results) in the centre, the run console below; a menu bar with shortcuts. Runs go to the data
 * directory's {@code runs/} in a background thread with progress and cancel.
 */
public final class MainWindow {
    final JFrame frame = new JFrame("Polytope Lens Workbench");
    final Services services;
    final JTabbedPane tools = new JTabbedPane();
    final JTabbedPane editors = new JTabbedPane();
    final JTextArea console = new JTextArea();
    final JProgressBar progress = new JProgressBar(0, 1000);
    final JButton cancel = new JButton("Cancel");
    final JLabel status = new JLabel("ready");
    /** The stages of the current (or last) run: its steps pending, running, finished. */
    final javax.swing.DefaultListModel<RunStages.Stage> stageModel = new javax.swing.DefaultListModel<>();
    final javax.swing.JList<RunStages.Stage> stages = new javax.swing.JList<>(stageModel);
    final PluginsPanel plugins;
    final RunsPanel runs;
    private final JSplitPane horizontal;
    private final JSplitPane vertical;
    private GuiState state;
    private final Runnable onClose;
    private volatile AtomicBoolean running;

    private MainWindow(Services services, GuiState state, Runnable onClose) {
        this.services = services;
        this.state = state;
        this.onClose = onClose;
        plugins = new PluginsPanel(services, this::log);
        runs = new RunsPanel(services, this::openRun);
        tools.addTab("Plugins", plugins.component());
        tools.addTab("Runs", runs.component());
        console.setEditable(false);
        console.setFont(new java.awt.Font(java.awt.Font.MONOSPACED, java.awt.Font.PLAIN, 12));
        JPanel bottom = new JPanel(new BorderLayout(6, 0));
        JPanel bar = new JPanel(new BorderLayout(6, 0));
        bar.setBorder(BorderFactory.createEmptyBorder(3, 6, 3, 6));
        bar.add(new JLabel("Console"), BorderLayout.WEST);
        progress.setStringPainted(true);
        progress.setString("");
        bar.add(progress, BorderLayout.CENTER);
        cancel.setEnabled(false);
        cancel.addActionListener(e -> cancelRun());
        bar.add(cancel, BorderLayout.EAST);
        bottom.add(bar, BorderLayout.NORTH);
        stages.setVisibleRowCount(6);
        JScrollPane stageScroll = new JScrollPane(stages);
        stageScroll.setPreferredSize(new Dimension(300, 120));
        JSplitPane consoleSplit = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, stageScroll, new JScrollPane(console));
        consoleSplit.setResizeWeight(0);
        consoleSplit.setDividerLocation(260);
        bottom.add(consoleSplit, BorderLayout.CENTER);
        vertical = new JSplitPane(JSplitPane.VERTICAL_SPLIT, editors, bottom);
        vertical.setResizeWeight(1);
        horizontal = new JSplitPane(JSplitPane.HORIZONTAL_SPLIT, tools, vertical);
        JPanel root = new JPanel(new BorderLayout());
        root.add(horizontal, BorderLayout.CENTER);
        status.setBorder(BorderFactory.createEmptyBorder(2, 8, 2, 8));
        root.add(status, BorderLayout.SOUTH);
        frame.setContentPane(root);
        frame.setJMenuBar(menus());
        frame.setDefaultCloseOperation(JFrame.DO_NOTHING_ON_CLOSE);
        frame.addWindowListener(new WindowAdapter() {
            @Override
            public void windowClosing(WindowEvent e) {
                close();
            }
        });
        // A plugin jar dropped anywhere on the window is installed like File > Install plugin.
        frame.setTransferHandler(new TransferHandler() {
            @Override
            public boolean canImport(TransferSupport s) {
                return s.isDataFlavorSupported(DataFlavor.javaFileListFlavor);
            }

            @Override
            public boolean importData(TransferSupport s) {
                try {
                    @SuppressWarnings("unchecked")
                    List<File> files = (List<File>) s.getTransferable().getTransferData(DataFlavor.javaFileListFlavor);
                    files.forEach(f -> openPath(f.toPath()));
                    return true;
                } catch (Exception e) {
                    error("drop", e);
                    return false;
                }
            }
        });
    }

    /** Opens the window (on the event thread), with the remembered state, or {@code theme} if given. */
    public static MainWindow open(Services services, String theme, Runnable onClose) {
        GuiState state = GuiState.load(services.stateFile());
        if (theme != null) {
            state = state.withTheme(theme);
        }
        applyTheme(state.theme());
        MainWindow w = new MainWindow(services, state, onClose);
        w.frame.setSize(state.width(), state.height());
        if (state.x() >= 0 && state.y() >= 0) {
            w.frame.setLocation(state.x(), state.y());
        } else {
            w.frame.setLocationRelativeTo(null);
        }
        w.horizontal.setDividerLocation(state.toolWidth());
        w.vertical.setDividerLocation(Math.max(200, state.height() - state.consoleHeight() - 90));
        if (state.maximized()) {
            w.frame.setExtendedState(Frame.MAXIMIZED_BOTH);
        }
        w.newExperiment();
        w.frame.setVisible(true);
        w.log("workbench window ready; data directory " + services.dataDirectory());
        return w;
    }

    static void applyTheme(String theme) {
        FlatLaf laf = "dark".equals(theme) ? new FlatDarkLaf() : new FlatLightLaf();
        try {
            UIManager.setLookAndFeel(laf);
            // Swing loads UI delegates by class name; inside OSGi they are this bundle's classes.
            UIManager.getDefaults().put("ClassLoader", FlatLaf.class.getClassLoader());
        } catch (Exception e) {
            throw new IllegalStateException("cannot set the FlatLaf look and feel: " + e.getMessage(), e);
        }
    }

    private JMenuBar menus() {
        JMenuBar bar = new JMenuBar();
        JMenu file = new JMenu("File");
        file.setMnemonic('F');
        file.add(item("New experiment", KeyEvent.VK_N, e -> newExperiment()));
        file.add(item("Open experiment or model...", KeyEvent.VK_O, e -> chooseAndOpen()));
        JMenu recent = new JMenu("Open recent");
        recent.addMenuListener(new javax.swing.event.MenuListener() {
            @Override
            public void menuSelected(javax.swing.event.MenuEvent e) {
                recent.removeAll();
                for (String p : state.recentExperiments()) {
                    JMenuItem i = new JMenuItem(p);
                    i.addActionListener(a -> openPath(Path.of(p)));
                    recent.add(i);
                }
                for (String p : state.recentModels()) {
                    JMenuItem i = new JMenuItem(p);
                    i.addActionListener(a -> openPath(Path.of(p)));
                    recent.add(i);
                }
                if (recent.getItemCount() == 0) {
                    recent.add(new JMenuItem("(none)")).setEnabled(false);
                }
            }

            @Override
            public void menuDeselected(javax.swing.event.MenuEvent e) {}

            @Override
            public void menuCanceled(javax.swing.event.MenuEvent e) {}
        });
        file.add(recent);
        file.add(item("Save experiment", KeyEvent.VK_S, e -> currentEditor().ifPresent(ExperimentEditor::save)));
        file.addSeparator();
        file.add(item("Install plugin...", KeyEvent.VK_I, e -> plugins.chooseAndInstall(frame)));
        file.addSeparator();
        file.add(item("Exit", KeyEvent.VK_Q, e -> close()));
        JMenu run = new JMenu("Run");
        run.setMnemonic('R');
        run.add(item("Run experiment", KeyEvent.VK_R, e -> currentEditor().ifPresent(ExperimentEditor::run)));
        JMenuItem stop = new JMenuItem("Cancel run");
        stop.setAccelerator(KeyStroke.getKeyStroke(KeyEvent.VK_F2, java.awt.event.InputEvent.CTRL_DOWN_MASK));
        stop.addActionListener(e -> cancelRun());
        run.add(stop);
        JMenu view = new JMenu("View");
        view.setMnemonic('V');
        view.add(item("Plugins", KeyEvent.VK_1, e -> tools.setSelectedIndex(0)));
        view.add(item("Runs", KeyEvent.VK_2, e -> {
            runs.refresh();
            tools.setSelectedIndex(1);
        }));
        view.addSeparator();
        JMenuItem light = new JMenuItem("Light theme");
        light.addActionListener(e -> setTheme("light"));
        JMenuItem dark = new JMenuItem("Dark theme");
        dark.addActionListener(e -> setTheme("dark"));
        view.add(light);
        view.add(dark);
        JMenu help = new JMenu("Help");
        JMenuItem about = new JMenuItem("About");
        about.addActionListener(e -> JOptionPane.showMessageDialog(frame, "Polytope Lens Workbench\nspline codes and polytope analyses of neural networks\n"
                + "(Black, Sharkey et al., 2022, Interpreting Neural Networks through the Polytope Lens)\nGPL-3.0-or-later", "About", JOptionPane.INFORMATION_MESSAGE));
        help.add(about);
        bar.add(file);
        bar.add(run);
        bar.add(view);
        bar.add(help);
        return bar;
    }

    private static JMenuItem item(String text, int key, java.awt.event.ActionListener action) {
        JMenuItem i = new JMenuItem(text);
        i.setAccelerator(KeyStroke.getKeyStroke(key, java.awt.Toolkit.getDefaultToolkit().getMenuShortcutKeyMaskEx()));
        i.addActionListener(action);
        return i;
    }

    void setTheme(String theme) {
        state = state.withTheme(theme);
        applyTheme(theme);
        FlatLaf.updateUI();
        saveState();
    }

    java.util.Optional<ExperimentEditor> currentEditor() {
        Component c = editors.getSelectedComponent();
        return c instanceof javax.swing.JComponent j && j.getClientProperty(ExperimentEditor.class) instanceof ExperimentEditor e ? java.util.Optional.of(e)
                : java.util.Optional.empty();
    }

    ExperimentEditor newExperiment() {
        ExperimentEditor e = new ExperimentEditor(this, null, ExperimentDraft.empty());
        addEditor("new experiment", e.component());
        return e;
    }

    void addEditor(String title, javax.swing.JComponent c) {
        editors.addTab(title, c);
        editors.setSelectedComponent(c);
        int i = editors.indexOfComponent(c);
        JPanel tab = new JPanel(new BorderLayout(4, 0));
        tab.setOpaque(false);
        tab.add(new JLabel(title), BorderLayout.CENTER);
        JButton x = new JButton("\u00d7");
        x.putClientProperty("JButton.buttonType", "toolBarButton");
        x.setToolTipText("close");
        x.addActionListener(e -> editors.remove(c));
        tab.add(x, BorderLayout.EAST);
        editors.setTabComponentAt(i, tab);
    }

    void retitle(javax.swing.JComponent c, String title) {
        int i = editors.indexOfComponent(c);
        if (i >= 0 && editors.getTabComponentAt(i) instanceof JPanel p && p.getComponent(0) instanceof JLabel l) {
            l.setText(title);
        }
    }

    private void chooseAndOpen() {
        JFileChooser fc = new JFileChooser(services.workingDirectory().toFile());
        fc.setFileFilter(new FileNameExtensionFilter("Experiments (.yaml), models (.onnx)", "yaml", "yml", "onnx"));
        fc.setFileSelectionMode(JFileChooser.FILES_AND_DIRECTORIES);
        if (fc.showOpenDialog(frame) == JFileChooser.APPROVE_OPTION) {
            openPath(fc.getSelectedFile().toPath());
        }
    }

    /** Opens an experiment (.yaml), a model (.onnx), a run directory, or installs a plugin (.jar). */
    public void openPath(Path p) {
        String n = p.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
        try {
            if (Files.isDirectory(p) && Files.isRegularFile(p.resolve("run.json"))) {
                openRun(p);
            } else if (n.endsWith(".yaml") || n.endsWith(".yml")) {
                ExperimentEditor e = new ExperimentEditor(this, p, ExperimentDraft.parse(Files.readString(p)));
                addEditor(p.getFileName().toString(), e.component());
                state = state.withRecentExperiment(p);
                saveState();
            } else if (n.endsWith(".onnx")) {
                ModelPanel m = new ModelPanel(this, p);
                addEditor(p.getFileName().toString(), m.component());
                state = state.withRecentModel(p);
                saveState();
            } else if (n.endsWith(".jar")) {
                plugins.install(p);
            } else {
                throw new IllegalArgumentException(p + ": open an experiment (.yaml), a model (.onnx), a run directory (with run.json) or a plugin (.jar)");
            }
        } catch (Exception e) {
            error("open " + p.getFileName(), e);
        }
    }

    ResultsPanel openRun(Path dir) {
        try {
            ResultsPanel r = new ResultsPanel(this, dir);
            addEditor("run: " + dir.getFileName(), r.component());
            return r;
        } catch (Exception e) {
            error("open run " + dir, e);
            return null;
        }
    }

    /**
     * Runs {@code experiment} in the background into a new directory under the runs directory;
     * {@code done} gets the run directory on the event thread (null if the run could not start).
     */
    void run(Path experiment, String name, Consumer<Path> done) {
        if (running != null) {
            error("run", new IllegalStateException("a run is in progress; cancel it first (Ctrl+F2)"));
            return;
        }
        Path out = services.runsDirectory().resolve(safe(name) + "-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")));
        AtomicBoolean cancelled = new AtomicBoolean();
        running = cancelled;
        cancel.setEnabled(true);
        progress.setValue(0);
        progress.setString("running " + name);
        log("run " + experiment + " -> " + out);
        List<String> labels;
        try {
            labels = RunStages.labels(ExperimentDraft.parse(Files.readString(experiment)));
        } catch (Exception e) {
            labels = List.of();
        }
        List<String> stageLabels = labels;
        int[] percent = {-1};
        Runnable showStages = () -> {
            stageModel.clear();
            RunStages.of(stageLabels, RunStages.read(out), percent[0]).forEach(stageModel::addElement);
        };
        showStages.run();
        // run.json is rewritten after each step: poll it for the stages (cheap: a small file, twice a second).
        javax.swing.Timer poll = new javax.swing.Timer(500, e -> showStages.run());
        poll.start();
        Progress p = new Progress() {
            @Override
            public void report(double fraction, String message) {
                SwingUtilities.invokeLater(() -> {
                    percent[0] = (int) Math.round(100 * Math.max(0, Math.min(1, fraction)));
                    progress.setValue((int) Math.round(1000 * Math.max(0, Math.min(1, fraction))));
                    progress.setString(message);
                });
            }

            @Override
            public boolean cancelled() {
                return cancelled.get();
            }
        };
        new SwingWorker<RunRecord, String>() {
            @Override
            protected RunRecord doInBackground() throws Exception {
                return services.runner().run(experiment, out, p, line -> publish(line));
            }

            @Override
            protected void process(List<String> lines) {
                lines.forEach(MainWindow.this::log);
            }

            @Override
            protected void done() {
                poll.stop();
                showStages.run();
                running = null;
                cancel.setEnabled(false);
                try {
                    RunRecord r = get();
                    progress.setValue(1000);
                    progress.setString(r.status());
                    status.setText("run " + r.status() + ": " + out);
                    runs.refresh();
                    done.accept(out);
                } catch (Exception e) {
                    progress.setString("failed");
                    error("run", e.getCause() == null ? e : e.getCause());
                    done.accept(null);
                }
            }
        }.execute();
    }

    private static String safe(String name) {
        String s = name == null ? "" : name.replaceAll("[^A-Za-z0-9._-]", "-");
        return s.isEmpty() ? "run" : s;
    }

    void cancelRun() {
        AtomicBoolean r = running;
        if (r != null) {
            r.set(true);
            log("cancel requested");
        }
    }

    void log(String line) {
        Runnable r = () -> {
            console.append(line + "\n");
            console.setCaretPosition(console.getDocument().getLength());
        };
        if (SwingUtilities.isEventDispatchThread()) {
            r.run();
        } else {
            SwingUtilities.invokeLater(r);
        }
    }

    /** An error for the user: one line in the status bar and the console (never a stack trace dialog for bad input). */
    void error(String what, Throwable e) {
        String msg = what + ": " + (e.getMessage() == null ? e.toString() : e.getMessage());
        log("error: " + msg);
        status.setText("error: " + msg.lines().findFirst().orElse(""));
    }

    void saveState() {
        Dimension d = frame.getSize();
        boolean max = (frame.getExtendedState() & Frame.MAXIMIZED_BOTH) != 0;
        int consoleHeight = vertical.getHeight() > 0 ? vertical.getHeight() - vertical.getDividerLocation() : state.consoleHeight();
        state = state.withBounds(frame.getX(), frame.getY(), d.width, d.height, max, horizontal.getDividerLocation(), consoleHeight);
        try {
            state.save(services.stateFile());
        } catch (java.io.IOException e) {
            log("could not save the window state: " + e.getMessage());
        }
    }

    /** The window (menu bar included) drawn into a PNG, written atomically. Event thread only. */
    void screenshot(Path png) throws java.io.IOException {
        javax.swing.JRootPane r = frame.getRootPane();
        java.awt.image.BufferedImage img = new java.awt.image.BufferedImage(Math.max(1, r.getWidth()), Math.max(1, r.getHeight()),
                java.awt.image.BufferedImage.TYPE_INT_RGB);
        java.awt.Graphics2D g = img.createGraphics();
        r.paint(g);
        g.dispose();
        Path dir = png.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".screenshot-", ".png.tmp");
        try {
            javax.imageio.ImageIO.write(img, "png", tmp.toFile());
            Files.move(tmp, png, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    GuiState state() {
        return state;
    }

    void close() {
        saveState();
        plugins.dispose();
        frame.dispose();
        onClose.run();
    }

    /** Copies a plugin jar into the watched plugins directory (atomically: no half-copied jar is ever seen). */
    static Path deploy(Path jar, Path pluginsDir) throws java.io.IOException {
        Files.createDirectories(pluginsDir);
        Path target = pluginsDir.resolve(jar.getFileName());
        Path tmp = Files.createTempFile(pluginsDir, ".install-", ".tmp");
        Files.copy(jar, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return target;
    }
}
