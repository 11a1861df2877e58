package org.polytopelens.cluster.hdbscan;

import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.ClusteringAlgorithm;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.PointSet;

/**
 * The {@code hdbscan} clustering plugin: textbook HDBSCAN* (see {@link Hdbscan} for the exact
 * definitions, the tie rule and the strength) on any {@link PointSet}, with a popcount fast path
 * for hard codes. O(n^2) distance evaluations, O(n) memory; core distances on two threads.
 */
@Component(service = ClusteringAlgorithm.class)
@Designate(ocd = HdbscanClustering.Config.class)
public final class HdbscanClustering implements ClusteringAlgorithm {
    @ObjectClassDefinition(name = "HDBSCAN*",
            description = "Density-based hierarchical clustering (Campello, Moulavi, Sander 2013): clusters of varying density, noise labelled -1.")
    public @interface Config {
        @AttributeDefinition(name = "Min cluster size", description = "Smallest group of points that counts as a cluster (at least 2).", min = "2")
        int min_cluster_size() default 5;

        @AttributeDefinition(name = "Min samples", description = "Neighbours, counting the point itself, that define its core distance; 0 = min cluster size.", min = "0")
        int min_samples() default 0;

        @AttributeDefinition(name = "Selection", description = "How flat clusters are chosen from the condensed tree: excess of mass or its leaves.",
                options = {@Option(value = "eom", label = "Excess of mass"), @Option(value = "leaf", label = "Leaves")})
        String selection() default "eom";

        @AttributeDefinition(name = "Allow single cluster", description = "Let the root (all points) be selected, so the result may be one cluster.")
        boolean allow_single_cluster() default false;
    }

    /** Core distances use at most this many threads (the machine budget of the workbench's experiments). */
    static final int THREADS = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));

    @Override
    public String id() {
        return "hdbscan";
    }

    @Override
    public String name() {
        return "HDBSCAN*";
    }

    @Override
    public String description() {
        return "Textbook HDBSCAN* (core distance counts the point itself, excess-of-mass or leaf selection, noise -1) "
                + "on activations (Euclidean/cosine) or codes (Hamming, popcount on packed bits).";
    }

    @Override
    public Clustering cluster(PointSet points, Parameters params, Progress progress) throws InterruptedException {
        return of(params.as(Config.class)).run(points, progress).clustering();
    }

    static Hdbscan of(Config c) {
        Hdbscan.Selection selection = switch (c.selection()) {
            case "eom" -> Hdbscan.Selection.EOM;
            case "leaf" -> Hdbscan.Selection.LEAF;
            default -> throw new IllegalArgumentException("selection must be \"eom\" or \"leaf\", got \"" + c.selection() + "\"");
        };
        return new Hdbscan(c.min_cluster_size(), c.min_samples(), selection, c.allow_single_cluster(), THREADS);
    }
}
