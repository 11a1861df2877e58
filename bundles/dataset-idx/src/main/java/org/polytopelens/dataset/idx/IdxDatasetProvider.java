package org.polytopelens.dataset.idx;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Tensor;

/**
 * Images and labels in LeCun's IDX format (MNIST, Fashion-MNIST, EMNIST; gzip or plain), with a
 * fixed train/test split drawn from a seed so that training and analysis agree on which examples
 * a model has seen.
 */
@Component(service = DatasetProvider.class)
@Designate(ocd = IdxDatasetProvider.Config.class)
public final class IdxDatasetProvider implements DatasetProvider {
    @ObjectClassDefinition(name = "IDX images (MNIST format)", description = "Images and labels in IDX format (.gz or plain) with a seeded train/test split.")
    public @interface Config {
        @AttributeDefinition(name = "Images file", description = "IDX file of unsigned-byte images [n, rows, cols] (idx3-ubyte, .gz or plain); relative to the experiment file.")
        String path();

        @AttributeDefinition(name = "Labels file", description = "IDX file of unsigned-byte labels [n] (idx1-ubyte); empty for none.")
        String labels() default "";

        @AttributeDefinition(name = "Split", description = "Which examples: all, train (the examples not held back) or test (the held-back examples).",
                options = {@Option(label = "all", value = "all"), @Option(label = "train", value = "train"), @Option(label = "test", value = "test")})
        String split() default "all";

        @AttributeDefinition(name = "Test size", description = "Examples held back for the test split, drawn at random with the seed.", min = "0")
        int test_size() default 2000;

        @AttributeDefinition(name = "Seed", description = "Seed of the train/test split.")
        long seed() default 20221122L;

        @AttributeDefinition(name = "Layout", description = "Shape of each example: flat [rows*cols] (MLPs) or image [1, rows, cols] (CNNs, NCHW).",
                options = {@Option(label = "flat", value = "flat"), @Option(label = "image", value = "image")})
        String layout() default "flat";

        @AttributeDefinition(name = "Model input", description = "The model input these examples feed; empty for the model's first input.")
        String input() default "";

        @AttributeDefinition(name = "Limit", description = "Use only the first N examples of the split; 0 for all.", min = "0")
        int limit() default 0;
    }

    @Override
    public String id() {
        return "idx";
    }

    @Override
    public String name() {
        return "IDX images (MNIST format)";
    }

    @Override
    public String description() {
        return "Images (pixels scaled to [0, 1]) and labels from IDX files such as MNIST's, gzip or plain, with a seeded train/test split.";
    }

    @Override
    public Dataset open(Parameters params) throws IOException {
        Config c = params.as(Config.class);
        if (c.path() == null || c.path().isBlank()) {
            throw new IllegalArgumentException("dataset 'idx' needs 'path': the IDX file of images (e.g. mnist-10k-images-idx3-ubyte.gz)");
        }
        if (c.limit() < 0 || c.test_size() < 0) {
            throw new IllegalArgumentException("dataset 'idx': limit and test_size must be >= 0, got " + c.limit() + " and " + c.test_size());
        }
        boolean image = switch (c.layout()) {
            case "flat" -> false;
            case "image" -> true;
            default -> throw new IllegalArgumentException("dataset 'idx': layout must be flat or image, got '" + c.layout() + "'");
        };
        Idx images = Idx.read(Path.of(c.path()));
        if (images.dims().length != 3) {
            throw new IllegalArgumentException(c.path() + ": images must be an IDX array [n, rows, cols], got dimensions " + Arrays.toString(images.dims()));
        }
        int n = images.dims()[0];
        int[] allLabels = null;
        if (c.labels() != null && !c.labels().isBlank()) {
            Idx labels = Idx.read(Path.of(c.labels()));
            if (labels.dims().length != 1 || labels.dims()[0] != n) {
                throw new IllegalArgumentException(c.labels() + ": labels must be an IDX array [" + n + "] (one per image of " + c.path()
                        + "), got dimensions " + Arrays.toString(labels.dims()));
            }
            allLabels = new int[n];
            for (int i = 0; i < n; i++) {
                allLabels[i] = labels.bytes()[i] & 0xff;
            }
        }
        int[] rows = Split.indices(n, c.test_size(), c.seed(), c.split());
        if (c.limit() > 0 && c.limit() < rows.length) {
            rows = Arrays.copyOf(rows, c.limit());
        }
        int h = images.dims()[1];
        int w = images.dims()[2];
        long[] pointShape = image ? new long[] {1, h, w} : new long[] {(long) h * w};
        int[] labels = null;
        if (allLabels != null) {
            labels = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                labels[i] = allLabels[rows[i]];
            }
        }
        return new IdxDataset(Path.of(c.path()).getFileName().toString(), images.bytes(), h * w, rows, pointShape, labels, c.input());
    }

    /** The selected examples of a file held in memory as bytes (MNIST: 784 bytes per image). */
    record IdxDataset(String file, byte[] pixels, int width, int[] rows, long[] pointShape, int[] labelsOrNull, String inputName) implements Dataset {
        @Override
        public int size() {
            return rows.length;
        }

        @Override
        public Optional<String> input() {
            return inputName == null || inputName.isEmpty() ? Optional.empty() : Optional.of(inputName);
        }

        @Override
        public Tensor batch(int from, int to) {
            if (from < 0 || to < from || to > rows.length) {
                throw new IndexOutOfBoundsException("examples [" + from + ", " + to + ") outside [0, " + rows.length + ") of " + file);
            }
            float[] values = new float[(to - from) * width];
            for (int r = from; r < to; r++) {
                int src = rows[r] * width;
                int dst = (r - from) * width;
                for (int k = 0; k < width; k++) {
                    values[dst + k] = (pixels[src + k] & 0xff) / 255f;
                }
            }
            return Tensor.batch(to - from, pointShape, values);
        }

        @Override
        public Optional<int[]> labels() {
            return Optional.ofNullable(labelsOrNull).map(int[]::clone);
        }

        /** The example's position in the file, so a gallery can be traced back to the source. */
        @Override
        public String describe(int i) {
            return "#" + i + " (" + file + " #" + rows[i] + (labelsOrNull == null ? "" : ", label " + labelsOrNull[i]) + ")";
        }

        @Override
        public String toString() {
            return "idx dataset " + file + " (" + rows.length + " examples)";
        }
    }
}
