package org.polytopelens.cluster.smile;

import java.util.Arrays;
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
import smile.clustering.HierarchicalClustering;
import smile.clustering.linkage.CompleteLinkage;
import smile.clustering.linkage.Linkage;
import smile.clustering.linkage.SingleLinkage;
import smile.clustering.linkage.UPGMALinkage;
import smile.clustering.linkage.WardLinkage;

/** Smile's agglomerative clustering on the points' distances, cut into k clusters or at a height. */
@Component(service = ClusteringAlgorithm.class)
@Designate(ocd = HierarchicalClusteringAlgorithm.Config.class)
public final class HierarchicalClusteringAlgorithm implements ClusteringAlgorithm {
    @ObjectClassDefinition(name = "Hierarchical clustering (Smile)", description = "Agglomerative clustering with single, complete, average (UPGMA) or Ward linkage.")
    public @interface Config {
        @AttributeDefinition(name = "Linkage", description = "How the distance between two clusters is measured.",
                options = {@Option(value = "single", label = "single"), @Option(value = "complete", label = "complete"),
                    @Option(value = "average", label = "average (UPGMA)"), @Option(value = "ward", label = "Ward")})
        String linkage() default "average";

        @AttributeDefinition(name = "k", description = "Cut the tree into k clusters; 0 to cut at 'height' instead.", min = "0")
        int k() default 10;

        @AttributeDefinition(name = "Height", description = "With k = 0: cut the tree at this merge height.", min = "0")
        double height() default 0;

        @AttributeDefinition(name = "Max points", description = "Refuse more points than this: the proximity matrix takes n^2 / 2 floats.", min = "2")
        int max_points() default 20000;
    }

    @Override
    public String id() {
        return "hierarchical";
    }

    @Override
    public String name() {
        return "Hierarchical clustering (Smile)";
    }

    @Override
    public String description() {
        return "Smile's agglomerative clustering on any points by their distance; single, complete, average (UPGMA) or Ward linkage "
                + "(Ward assumes Euclidean distances); cut into k clusters or at a height. O(n^2) memory.";
    }

    @Override
    public Clustering cluster(PointSet points, Parameters params, Progress progress) {
        Config c = params.as(Config.class);
        int n = points.size();
        if (n > c.max_points()) {
            throw new IllegalArgumentException("hierarchical: " + n + " points exceed max_points " + c.max_points() + " (the proximity matrix takes "
                    + (long) n * (n - 1) / 2 * 4 / (1 << 20) + " MB); sample fewer points or raise max_points");
        }
        if (c.k() < 0 || c.k() > n || (c.k() == 0 && !(c.height() > 0))) {
            throw new IllegalArgumentException("hierarchical: give k in [1, " + n + "], or k = 0 and a height > 0; got k " + c.k() + ", height " + c.height());
        }
        Integer[] idx = Points.indices(points);
        var d = Points.distance(points);
        progress.checkCancelled();
        Linkage linkage = switch (c.linkage()) {
            case "single" -> SingleLinkage.of(idx, d);
            case "complete" -> CompleteLinkage.of(idx, d);
            case "average" -> UPGMALinkage.of(idx, d);
            case "ward" -> WardLinkage.of(idx, d);
            default -> throw new IllegalArgumentException("hierarchical: linkage must be single, complete, average or ward, got '" + c.linkage() + "'");
        };
        HierarchicalClustering tree = HierarchicalClustering.fit(linkage);
        int[] labels = c.k() > 0 ? tree.partition(c.k()) : tree.partition(c.height());
        int clusters = Arrays.stream(labels).max().orElse(-1) + 1;
        double[] strength = new double[n];
        Arrays.fill(strength, 1);
        return new Clustering(labels, clusters, strength);
    }
}
