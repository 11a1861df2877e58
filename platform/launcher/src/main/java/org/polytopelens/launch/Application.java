package org.polytopelens.launch;

/**
 * The workbench's command line, provided as a service by the CLI bundle. The launcher calls
 * {@link #run} once per command line, after every feature's bundles are started.
 */
public interface Application {
    /** Runs one command line ({@code args} without the program name); returns the exit code. */
    int run(String[] args, Launch launch);
}
