package org.polytopelens.gui.internal;

import java.awt.BorderLayout;
import java.awt.Component;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;
import javax.swing.JButton;
import javax.swing.JComponent;
import javax.swing.JFileChooser;
import javax.swing.JPanel;
import javax.swing.JScrollPane;
import javax.swing.JTree;
import javax.swing.SwingUtilities;
import javax.swing.Timer;
import javax.swing.filechooser.FileNameExtensionFilter;
import javax.swing.tree.DefaultMutableTreeNode;
import javax.swing.tree.DefaultTreeModel;
import javax.swing.tree.TreePath;
import org.osgi.framework.Bundle;
import org.osgi.framework.BundleEvent;
import org.osgi.framework.BundleListener;
import org.osgi.framework.ServiceEvent;
import org.osgi.framework.ServiceListener;
import org.polytopelens.core.ExtensionPointInfo;
import org.polytopelens.core.ProviderInfo;

/**
 * The Plugins tool window: every extension point with its providers, and every bundle with its
 * state and, for a failed one, the reason. Live: bundle and service events (hot deploys from
 * plugins/, installs, stops) refresh it. Install copies a jar into plugins/ (the same hot deploy
 * the command line documents); start, stop and uninstall act on the selected bundle.
 */
final class PluginsPanel {
    /** A bundle in the tree. */
    record BundleRow(long id, String name, String version, String state, String problem) {
        @Override
        public String toString() {
            return name + " " + version + " [" + state + "]" + (problem == null ? "" : " \u2014 " + problem);
        }
    }

    private final Services services;
    private final Consumer<String> log;
    private final JTree tree = new JTree();
    private final JPanel panel = new JPanel(new BorderLayout());
    private final Timer debounce;
    private final BundleListener bundleListener;
    private final ServiceListener serviceListener;

    PluginsPanel(Services services, Consumer<String> log) {
        this.services = services;
        this.log = log;
        tree.setRootVisible(false);
        tree.setShowsRootHandles(true);
        panel.add(new JScrollPane(tree), BorderLayout.CENTER);
        // A tool window's own tool bar, as in IntelliJ: compact buttons that fit its width.
        javax.swing.JToolBar buttons = new javax.swing.JToolBar();
        buttons.setFloatable(false);
        buttons.add(button("Install...", e -> chooseAndInstall(panel)));
        buttons.add(button("Start", e -> act("start")));
        buttons.add(button("Stop", e -> act("stop")));
        buttons.add(button("Uninstall", e -> act("uninstall")));
        buttons.add(button("Refresh", e -> refresh()));
        panel.add(buttons, BorderLayout.NORTH);
        debounce = new Timer(300, e -> refresh());
        debounce.setRepeats(false);
        bundleListener = (BundleEvent e) -> SwingUtilities.invokeLater(debounce::restart);
        serviceListener = (ServiceEvent e) -> SwingUtilities.invokeLater(debounce::restart);
        if (services.bundles() != null) {
            services.bundles().addBundleListener(bundleListener);
            services.bundles().addServiceListener(serviceListener);
        }
        refresh();
    }

    private static JButton button(String text, java.awt.event.ActionListener a) {
        JButton b = new JButton(text);
        b.addActionListener(a);
        return b;
    }

    JComponent component() {
        return panel;
    }

    JTree tree() {
        return tree;
    }

    void refresh() {
        DefaultMutableTreeNode root = new DefaultMutableTreeNode("workbench");
        DefaultMutableTreeNode points = new DefaultMutableTreeNode("Extension points");
        for (ExtensionPointInfo ep : services.registry().extensionPoints()) {
            DefaultMutableTreeNode n = new DefaultMutableTreeNode(ep.name() + " (" + ep.providers().size() + ")");
            for (ProviderInfo p : ep.providers()) {
                n.add(new DefaultMutableTreeNode(p.id() + " \u2014 " + p.name() + "  [" + p.bundle() + "]"));
            }
            points.add(n);
        }
        root.add(points);
        if (services.bundles() != null) {
            Map<Long, String> problems = services.problems().get();
            DefaultMutableTreeNode bundles = new DefaultMutableTreeNode("Bundles");
            for (Bundle b : services.bundles().getBundles()) {
                bundles.add(new DefaultMutableTreeNode(new BundleRow(b.getBundleId(), b.getSymbolicName(), b.getVersion().toString(), state(b.getState()),
                        problems.get(b.getBundleId()))));
            }
            root.add(bundles);
        }
        tree.setModel(new DefaultTreeModel(root));
        tree.expandRow(0);
    }

    static String state(int s) {
        return switch (s) {
            case Bundle.ACTIVE -> "active";
            case Bundle.RESOLVED -> "resolved";
            case Bundle.INSTALLED -> "installed (unresolved)";
            case Bundle.STARTING -> "starting";
            case Bundle.STOPPING -> "stopping";
            default -> "uninstalled";
        };
    }

    void chooseAndInstall(Component parent) {
        JFileChooser fc = new JFileChooser(services.workingDirectory().toFile());
        fc.setFileFilter(new FileNameExtensionFilter("Plugin bundles (.jar)", "jar"));
        if (fc.showOpenDialog(parent) == JFileChooser.APPROVE_OPTION) {
            install(fc.getSelectedFile().toPath());
        }
    }

    /** Hot-deploys a plugin jar: copied into plugins/, where the workbench installs and starts it. */
    void install(Path jar) {
        try {
            Path target = MainWindow.deploy(jar, services.pluginsDirectory());
            log.accept("installed " + jar.getFileName() + " into " + target.getParent() + "; the workbench starts it within a second");
        } catch (Exception e) {
            log.accept("error: install " + jar + ": " + e.getMessage());
        }
    }

    private void act(String action) {
        TreePath p = tree.getSelectionPath();
        if (p == null || !(((DefaultMutableTreeNode) p.getLastPathComponent()).getUserObject() instanceof BundleRow row) || services.bundles() == null) {
            log.accept(action + ": select a bundle under Bundles first");
            return;
        }
        Bundle b = services.bundles().getBundle(row.id());
        try {
            switch (action) {
                case "start" -> b.start();
                case "stop" -> b.stop();
                default -> {
                    if (b.getBundleId() == 0) {
                        throw new IllegalArgumentException("the system bundle cannot be uninstalled");
                    }
                    b.uninstall();
                }
            }
            log.accept(action + " " + row.name() + ": done");
        } catch (Exception e) {
            log.accept("error: " + action + " " + row.name() + ": " + e.getMessage());
        }
        refresh();
    }

    void dispose() {
        debounce.stop();
        if (services.bundles() != null) {
            try {
                services.bundles().removeBundleListener(bundleListener);
                services.bundles().removeServiceListener(serviceListener);
            } catch (IllegalStateException e) {
                // the framework is already stopping
            }
        }
    }
}
