package org.polytopelens.dataset.npy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.npy.Npy;
import org.polytopelens.npy.NpyDtype;
import org.polytopelens.npy.NpyReader;

/**
 * Examples from an {@code .npy} file {@code [n, ...]} (float32, or float64 converted to float32),
 * read lazily batch by batch; optional integer labels {@code [n]} from a second file.
 */
@Component(service = DatasetProvider.class)
@Designate(ocd = NpyDatasetProvider.Config.class)
public final class NpyDatasetProvider implements DatasetProvider {
    @ObjectClassDefinition(name = "NumPy dataset", description = "Examples from an .npy file [n, ...] with optional labels.")
    public @interface Config {
        @AttributeDefinition(name = "Data file", description = ".npy file of examples, float32 or float64, shape [n, ...] (C order); relative to the experiment file.")
        String path();

        @AttributeDefinition(name = "Labels file", description = "Optional .npy file of integer class labels [n] (int64, int32 or uint8); empty for none.")
        String labels() default "";

        @AttributeDefinition(name = "Model input", description = "The model input these examples feed; empty for the model's first input.")
        String input() default "";

        @AttributeDefinition(name = "Limit", description = "Use only the first N examples; 0 for all.", min = "0")
        int limit() default 0;
    }

    @Override
    public String id() {
        return "npy";
    }

    @Override
    public String name() {
        return "NumPy .npy files";
    }

    @Override
    public String description() {
        return "Examples from a float32/float64 .npy array [n, ...], read in batches, with optional integer labels from a second .npy file.";
    }

    @Override
    public Dataset open(Parameters params) throws IOException {
        Config c = params.as(Config.class);
        if (c.path() == null || c.path().isBlank()) {
            throw new IllegalArgumentException("dataset 'npy' needs 'path': the .npy file of examples");
        }
        if (c.limit() < 0) {
            throw new IllegalArgumentException("dataset 'npy': limit must be >= 0 (0 = all), got " + c.limit());
        }
        Path path = Path.of(c.path());
        NpyReader reader = NpyReader.open(path);
        try {
            if (reader.dtype() != NpyDtype.FLOAT32 && reader.dtype() != NpyDtype.FLOAT64) {
                throw new IllegalArgumentException(path + ": examples must be float32 (<f4) or float64 (<f8), got " + reader.dtype().descr());
            }
            long[] shape = reader.shape();
            if (shape.length < 1) {
                throw new IllegalArgumentException(path + ": examples need a first axis [n, ...], got a 0-d array");
            }
            if (shape[0] > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(path + ": too many examples (" + shape[0] + ")");
            }
            int n = (int) (c.limit() > 0 ? Math.min(c.limit(), shape[0]) : shape[0]);
            int[] labels = null;
            if (c.labels() != null && !c.labels().isBlank()) {
                Path lp = Path.of(c.labels());
                int[] all;
                try {
                    all = Npy.read(lp).toIntLabels();
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException(lp + ": " + e.getMessage(), e);
                }
                if (all.length != shape[0]) {
                    throw new IllegalArgumentException(lp + " has " + all.length + " labels but " + path + " has " + shape[0] + " examples");
                }
                labels = Arrays.copyOf(all, n);
            }
            return new NpyDataset(reader, Arrays.copyOfRange(shape, 1, shape.length), n, labels, c.input());
        } catch (IOException | RuntimeException e) {
            reader.close();
            throw e;
        }
    }

    /** Reads batches on demand with positional reads: safe from several threads. */
    static final class NpyDataset implements Dataset {
        private final NpyReader reader;
        private final long[] pointShape;
        private final int size;
        private final int[] labels;
        private final String input;

        NpyDataset(NpyReader reader, long[] pointShape, int size, int[] labels, String input) {
            this.reader = reader;
            this.pointShape = pointShape;
            this.size = size;
            this.labels = labels;
            this.input = input == null ? "" : input;
        }

        @Override
        public int size() {
            return size;
        }

        @Override
        public Optional<String> input() {
            return input.isEmpty() ? Optional.empty() : Optional.of(input);
        }

        @Override
        public Tensor batch(int from, int to) throws IOException {
            if (from < 0 || to < from || to > size) {
                throw new IndexOutOfBoundsException("examples [" + from + ", " + to + ") outside [0, " + size + ") of " + reader.path());
            }
            float[] values = reader.readFloats(from, to);
            // A NaN or infinity would silently give meaningless codes (NaN > 0 is false): refuse it by row.
            int width = to == from ? 0 : values.length / (to - from);
            for (int k = 0; k < values.length; k++) {
                if (!Float.isFinite(values[k])) {
                    throw new IllegalArgumentException(reader.path() + ": example " + (from + k / width) + " holds " + values[k]
                            + " at position " + (k % width) + "; inputs must be finite");
                }
            }
            return Tensor.batch(to - from, pointShape, values);
        }

        @Override
        public Optional<int[]> labels() {
            return Optional.ofNullable(labels).map(int[]::clone);
        }

        @Override
        public String describe(int i) {
            return "#" + i + (labels == null ? "" : " (label " + labels[i] + ")");
        }

        @Override
        public void close() {
            try {
                reader.close();
            } catch (IOException e) {
                // closing a read-only channel: nothing to recover
            }
        }

        @Override
        public String toString() {
            return "npy dataset " + reader.path();
        }
    }
}
