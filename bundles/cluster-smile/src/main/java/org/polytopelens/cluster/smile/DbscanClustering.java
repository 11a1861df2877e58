package org.polytopelens.cluster.smile;

import java.util.Arrays;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.ClusteringAlgorithm;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.data.Clustering;
import org.polytopelens.api.data.PointSet;
import smile.clustering.DBSCAN;
import smile.clustering.PartitionClustering;

/** Smile's DBSCAN (Ester et al. 1996) on any point set, by its own distance. */
@Component(service = ClusteringAlgorithm.class)
@Designate(ocd = DbscanClustering.Config.class)
public final class DbscanClustering implements ClusteringAlgorithm {
    @ObjectClassDefinition(name = "DBSCAN (Smile)", description = "Density-based clustering with one radius: core points have min_points neighbours within eps.")
    public @interface Config {
        @AttributeDefinition(name = "eps", description = "Neighbourhood radius, in the points' distance (e.g. bits for Hamming).", min = "0")
        double eps() default 1.0;

        @AttributeDefinition(name = "Min points", description = "Points within eps, counting the point itself, that make a core point "
                + "(as in Ester et al., ELKI and scikit-learn's min_samples; at least 2).", min = "2")
        int min_points() default 5;
    }

    @Override
    public String id() {
        return "dbscan";
    }

    @Override
    public String name() {
        return "DBSCAN (Smile)";
    }

    @Override
    public String description() {
        return "Smile's DBSCAN on any points by their distance (Euclidean, cosine, Hamming, expected Hamming); noise labelled -1. O(n^2) distances.";
    }

    @Override
    public Clustering cluster(PointSet points, Parameters params, Progress progress) {
        Config c = params.as(Config.class);
        if (!(c.eps() > 0) || c.min_points() < 2) {
            throw new IllegalArgumentException("dbscan: eps must be > 0 and min_points >= 2, got " + c.eps() + " and " + c.min_points());
        }
        progress.checkCancelled();
        // Smile counts the neighbours other than the point itself.
        DBSCAN<Integer> d = DBSCAN.fit(Points.indices(points), Points.distance(points), c.min_points() - 1, c.eps());
        int[] labels = d.y.clone();
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] == PartitionClustering.OUTLIER) {
                labels[i] = Clustering.NOISE;
            }
        }
        double[] strength = new double[labels.length];
        Arrays.fill(strength, 1);
        return new Clustering(labels, d.k, strength);
    }
}
