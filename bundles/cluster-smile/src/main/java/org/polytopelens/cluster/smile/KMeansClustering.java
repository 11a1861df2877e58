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
import smile.clustering.KMeans;
import smile.math.MathEx;

/** Smile's k-means (k-means++ seeding, Lloyd iterations on a BBD tree), best of several seeded runs. */
@Component(service = ClusteringAlgorithm.class)
@Designate(ocd = KMeansClustering.Config.class)
public final class KMeansClustering implements ClusteringAlgorithm {
    @ObjectClassDefinition(name = "k-means (Smile)", description = "k-means with k-means++ seeding; lowest distortion of several seeded runs.")
    public @interface Config {
        @AttributeDefinition(name = "k", description = "Number of clusters (>= 1, at most the number of points).", min = "1")
        int k() default 10;

        @AttributeDefinition(name = "Max iterations", description = "Lloyd iterations per run.", min = "1")
        int max_iterations() default 100;

        @AttributeDefinition(name = "Tolerance", description = "Stop when the relative improvement of the distortion is below this.", min = "0")
        double tolerance() default 1e-4;

        @AttributeDefinition(name = "Runs", description = "Independent seeded runs; the one with the lowest distortion is kept.", min = "1")
        int runs() default 4;

        @AttributeDefinition(name = "Seed", description = "Seed of the k-means++ seeding.")
        long seed() default 1;
    }

    @Override
    public String id() {
        return "kmeans";
    }

    @Override
    public String name() {
        return "k-means (Smile)";
    }

    @Override
    public String description() {
        return "Smile's k-means on coordinates: activations (cosine: on unit vectors), hard codes as 0/1 bits, soft codes as probabilities. "
                + "Every point gets a cluster (no noise).";
    }

    @Override
    public Clustering cluster(PointSet points, Parameters params, Progress progress) {
        Config c = params.as(Config.class);
        int n = points.size();
        if (c.k() < 1 || c.k() > n || c.max_iterations() < 1 || c.runs() < 1 || !(c.tolerance() >= 0)) {
            throw new IllegalArgumentException("kmeans: k must be in [1, " + n + "] (the number of points), max_iterations and runs >= 1, tolerance >= 0; got k "
                    + c.k() + ", max_iterations " + c.max_iterations() + ", runs " + c.runs() + ", tolerance " + c.tolerance());
        }
        double[][] x = Points.coordinates(points);
        KMeans best = null;
        for (int r = 0; r < c.runs(); r++) {
            progress.checkCancelled();
            MathEx.setSeed(c.seed() * 31 + r); // Smile's generator for this thread
            KMeans m = KMeans.fit(x, c.k(), c.max_iterations(), c.tolerance());
            if (best == null || m.distortion < best.distortion) {
                best = m;
            }
            progress.report((r + 1.0) / c.runs(), "k-means run " + (r + 1) + " of " + c.runs());
        }
        double[] strength = new double[n];
        Arrays.fill(strength, 1);
        return new Clustering(best.y.clone(), best.k, strength);
    }
}
