package org.polytopelens.gui.internal;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import javax.swing.SwingUtilities;
import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.polytopelens.core.ExperimentRunner;
import org.polytopelens.core.ExtensionRegistry;
import org.polytopelens.launch.Command;
import org.polytopelens.launch.Launch;

/** {@code workbench gui [--theme light|dark] [FILE]}: the desktop window; returns when it is closed. */
@Component(service = Command.class)
public final class GuiCommand implements Command {
    private final ExtensionRegistry registry;
    private final ExperimentRunner runner;
    private final BundleContext context;

    @Activate
    public GuiCommand(@Reference ExtensionRegistry registry, @Reference ExperimentRunner runner, BundleContext context) {
        this.registry = registry;
        this.runner = runner;
        this.context = context;
    }

    @Override
    public String name() {
        return "gui";
    }

    @Override
    public String description() {
        return "The desktop window: plugins, models, experiment editor, runs, charts.";
    }

    private static boolean blank(String s) {
        return s == null || s.isBlank();
    }

    @Override
    public int run(String[] args, Launch launch) throws Exception {
        String theme = null;
        java.util.List<Path> open = new java.util.ArrayList<>();
        Path screenshot = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "-h", "--help" -> {
                    launch.out().println("Usage: workbench gui [--theme light|dark] [--screenshot PNG] [FILE...]");
                    launch.out().println("Opens the workbench's window and in it each FILE: an experiment (.yaml), a model (.onnx), a run directory,");
                    launch.out().println("or a plugin (.jar, installed into plugins/ like a drop on the window). State (layout, theme,");
                    launch.out().println("recent files) is kept in " + launch.dataDirectory().resolve("gui") + ". --screenshot: open, draw the window");
                    launch.out().println("into PNG once what was opened is shown, close (documentation, smoke tests).");
                    return 0;
                }
                case "--theme" -> {
                    if (i + 1 >= args.length || !(args[i + 1].equals("light") || args[i + 1].equals("dark"))) {
                        throw new IllegalArgumentException("--theme takes light or dark");
                    }
                    theme = args[++i];
                }
                case "--screenshot" -> {
                    if (i + 1 >= args.length) {
                        throw new IllegalArgumentException("--screenshot takes the PNG file to write");
                    }
                    screenshot = launch.workingDirectory().resolve(args[++i]).normalize();
                }
                default -> {
                    if (args[i].startsWith("-")) {
                        throw new IllegalArgumentException("unknown option " + args[i] + "; see workbench gui --help");
                    }
                    open.add(launch.workingDirectory().resolve(args[i]).normalize());
                }
            }
        }
        boolean x11 = System.getProperty("os.name", "").toLowerCase(java.util.Locale.ROOT).contains("linux");
        boolean noServer = x11 && blank(System.getenv("DISPLAY")) && blank(System.getenv("WAYLAND_DISPLAY"));
        if (GraphicsEnvironment.isHeadless() || noServer) {
            throw new IllegalStateException("no display for the window (java.awt.headless is true or DISPLAY is unset); "
                    + "run `workbench gui` on a desktop, or under Xvfb on a server");
        }
        Services s = new Services(registry, runner, context, launch.dataDirectory(), launch.pluginsDirectory(), launch.workingDirectory(),
                launch::bundleProblems);
        CountDownLatch closed = new CountDownLatch(1);
        String t = theme;
        java.util.List<Path> files = java.util.List.copyOf(open);
        MainWindow[] window = new MainWindow[1];
        SwingUtilities.invokeAndWait(() -> {
            window[0] = MainWindow.open(s, t, closed::countDown);
            files.forEach(window[0]::openPath);
        });
        if (screenshot != null) {
            // Background work (a model's info, validation) settles within a few seconds.
            Thread.sleep(3000);
            Path png = screenshot;
            Exception[] failed = new Exception[1];
            SwingUtilities.invokeAndWait(() -> {
                try {
                    window[0].screenshot(png);
                } catch (Exception e) {
                    failed[0] = e;
                }
                window[0].close();
            });
            if (failed[0] != null) {
                throw failed[0];
            }
            launch.out().println("screenshot: " + png);
        }
        closed.await();
        return 0;
    }
}
