package org.polytopelens.backend.nd4j;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;
import org.polytopelens.api.Dataset;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Progress;
import org.polytopelens.api.Trainer;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TrainedModel;
import org.polytopelens.onnx.build.ConvNet;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.ModelProto;

/**
 * Trains ReLU MLPs and small ConvNets with ND4J's SameDiff (Adam, softmax cross-entropy,
 * mini-batches in a seeded order) and writes them as ONNX beside their untrained twins. Lives in
 * the ND4J backend's bundle because ND4J can be loaded by one class loader only.
 */
@Component(service = Trainer.class)
@Designate(ocd = Nd4jTrainer.Config.class)
public final class Nd4jTrainer implements Trainer {
    @ObjectClassDefinition(name = "ND4J trainer", description = "Trains a ReLU MLP or ConvNet classifier with Adam and writes it as ONNX beside its untrained twin.")
    public @interface Config {
        @AttributeDefinition(name = "Architecture", description = "mlp: dense ReLU layers of widths 'hidden' on flat inputs; cnn: blocks conv(k x k, 'channels') -> ReLU -> maxpool 2x2, then dense ReLU layers 'hidden', on [C, H, W] inputs.",
                options = {@Option(label = "mlp", value = "mlp"), @Option(label = "cnn", value = "cnn")})
        String architecture() default "mlp";

        @AttributeDefinition(name = "Hidden widths", description = "Widths of the hidden dense layers (the output layer has one unit per class).")
        int[] hidden() default {128, 64};

        @AttributeDefinition(name = "Conv channels", description = "cnn only: output channels of each convolution block.")
        int[] channels() default {8, 16};

        @AttributeDefinition(name = "Kernel", description = "cnn only: convolution kernel size k (k x k, stride 1, no padding).", min = "1")
        int kernel() default 3;

        @AttributeDefinition(name = "Epochs", description = "Passes over the training examples.", min = "1")
        int epochs() default 10;

        @AttributeDefinition(name = "Batch size", description = "Examples per Adam step.", min = "1")
        int batch_size() default 64;

        @AttributeDefinition(name = "Learning rate", description = "Adam's step size.", min = "0")
        double learning_rate() default 1e-3;

        @AttributeDefinition(name = "Seed", description = "Seed of the initial weights (java.util.Random, PyTorch-style uniform) and of the batch order.")
        long seed() default 20221122L;
    }

    @Override
    public String id() {
        return "nd4j";
    }

    @Override
    public String name() {
        return "ND4J trainer (MLP, ConvNet)";
    }

    @Override
    public String description() {
        return "Trains ReLU MLPs and ConvNets (conv -> ReLU -> maxpool blocks, dense head) with Adam on ND4J SameDiff; writes MODEL.onnx and its untrained twin MODEL-init.onnx.";
    }

    @Override
    public TrainedModel train(Dataset train, Dataset test, Parameters params, Path model, Progress progress) throws Exception {
        Config c = params.as(Config.class);
        check(c.epochs() >= 1 && c.batch_size() >= 1 && c.learning_rate() > 0 && c.kernel() >= 1,
                "epochs, batch_size and kernel must be >= 1 and learning_rate > 0, got " + c.epochs() + ", " + c.batch_size() + ", "
                        + c.kernel() + " and " + c.learning_rate());
        int[] trainLabels = train.labels().orElseThrow(() -> new IllegalArgumentException("trainer 'nd4j': the training dataset " + train + " has no labels"));
        int[] testLabels = test.labels().orElseThrow(() -> new IllegalArgumentException("trainer 'nd4j': the test dataset " + test + " has no labels"));
        check(train.size() > 0 && test.size() > 0, "the training and test datasets must not be empty, got " + train.size() + " and " + test.size() + " examples");
        int classes = Math.max(Arrays.stream(trainLabels).max().orElse(0), Arrays.stream(testLabels).max().orElse(0)) + 1;
        check(Arrays.stream(trainLabels).min().orElse(0) >= 0, "labels must be class indices >= 0");
        Tensor xTrain = train.batch(0, train.size());
        Tensor xTest = test.batch(0, test.size());
        long[] point = xTrain.pointShape();
        check(Arrays.equals(point, xTest.pointShape()), "training points " + Arrays.toString(point) + " and test points "
                + Arrays.toString(xTest.pointShape()) + " differ in shape");
        int[] hidden = c.hidden();
        int[] head = Arrays.copyOf(hidden, hidden.length + 1);
        head[hidden.length] = classes;
        check(Arrays.stream(hidden).allMatch(w -> w >= 1) && Arrays.stream(c.channels()).allMatch(w -> w >= 1), "hidden widths and channels must be >= 1");

        int n = train.size();
        return Nd4jContext.call(() -> {
            TrainableNet net;
            ModelProto initial;
            String architecture;
            switch (c.architecture()) {
                case "mlp" -> {
                    check(point.length == 1, "architecture mlp takes flat points [d], the dataset gives " + Arrays.toString(point)
                            + " (for an image dataset set layout: flat)");
                    int[] widths = new int[head.length + 1];
                    widths[0] = (int) point[0];
                    System.arraycopy(head, 0, widths, 1, head.length);
                    OnnxModelBuilder.Mlp init = OnnxModelBuilder.mlp(c.seed(), widths);
                    net = TrainableNet.of(init);
                    initial = init.model();
                    architecture = "mlp " + String.join("-", Arrays.stream(widths).mapToObj(String::valueOf).toList());
                }
                case "cnn" -> {
                    check(point.length == 3, "architecture cnn takes image points [C, H, W], the dataset gives " + Arrays.toString(point)
                            + " (for an image dataset set layout: image)");
                    ConvNet init = ConvNet.init(c.seed(), (int) point[0], (int) point[1], (int) point[2], c.kernel(), c.channels(), head);
                    net = TrainableNet.of(init);
                    initial = init.model();
                    architecture = init.describe();
                }
                default -> throw new IllegalArgumentException("trainer 'nd4j': architecture must be mlp or cnn, got '" + c.architecture() + "'");
            }
            // Rows gathered from a matrix, then given the point shape (getRows needs a matrix).
            INDArray features = Nd4j.create(xTrain.data(), new long[] {n, xTrain.rowSize()}, 'c');
            long[] batchShape = xTrain.shape().clone();
            INDArray oneHot = oneHot(trainLabels, classes);
            SplittableRandom order = new SplittableRandom(c.seed());
            int steps = (n + c.batch_size() - 1) / c.batch_size();
            double untrainedTest = accuracy(net, xTest, testLabels);
            List<Double> losses = new ArrayList<>();
            for (int epoch = 0; epoch < c.epochs(); epoch++) {
                int[] perm = permutation(n, order);
                double sum = 0;
                for (int s = 0; s < steps; s++) {
                    progress.checkCancelled();
                    int[] rows = Arrays.copyOfRange(perm, s * c.batch_size(), Math.min(n, (s + 1) * c.batch_size()));
                    batchShape[0] = rows.length;
                    INDArray x = features.getRows(rows).reshape('c', batchShape);
                    sum += net.step(x, oneHot.getRows(rows), c.learning_rate()) * rows.length;
                    progress.report((epoch + (s + 1.0) / steps) / c.epochs(),
                            String.format("epoch %d/%d, loss %.4f", epoch + 1, c.epochs(), sum / Math.min(n, (s + 1) * c.batch_size())));
                }
                losses.add(sum / n);
            }
            double trainAcc = accuracy(net, xTrain, trainLabels);
            double testAcc = accuracy(net, xTest, testLabels);
            Path twin = TrainedModel.twinOf(model);
            writeBoth(model, net.export().toByteArray(), twin, initial.toByteArray());
            return new TrainedModel(model, twin, architecture, c.seed(), losses, trainAcc, testAcc, untrainedTest);
        });
    }

    private static INDArray oneHot(int[] labels, int classes) {
        float[] v = new float[labels.length * classes];
        for (int i = 0; i < labels.length; i++) {
            v[i * classes + labels[i]] = 1f;
        }
        return Nd4j.create(v, new long[] {labels.length, classes}, 'c');
    }

    private static int[] permutation(int n, SplittableRandom random) {
        int[] p = new int[n];
        Arrays.setAll(p, i -> i);
        for (int i = n - 1; i > 0; i--) {
            int j = random.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }

    /** Fraction of points whose largest logit is their label (first index on ties, like argmax). */
    static double accuracy(TrainableNet net, Tensor x, int[] labels) {
        int correct = 0;
        int chunk = 1000;
        for (int from = 0; from < labels.length; from += chunk) {
            int to = Math.min(labels.length, from + chunk);
            Tensor part = x.rows(from, to);
            INDArray logits = net.logits(Nd4j.create(part.data(), part.shape(), 'c')).castTo(DataType.FLOAT);
            float[] z = logits.dup('c').data().asFloat();
            int k = (int) logits.size(1);
            for (int i = 0; i < to - from; i++) {
                int best = 0;
                for (int j = 1; j < k; j++) {
                    if (z[i * k + j] > z[i * k + best]) {
                        best = j;
                    }
                }
                correct += best == labels[from + i] ? 1 : 0;
            }
        }
        return (double) correct / labels.length;
    }

    /** Both files or neither: temporary files first, then two atomic moves, twin first. */
    private static void writeBoth(Path model, byte[] modelBytes, Path twin, byte[] twinBytes) throws Exception {
        Path dir = model.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path a = Files.createTempFile(dir, ".train-", ".onnx.tmp");
        Path b = Files.createTempFile(dir, ".train-", ".onnx.tmp");
        try {
            Files.write(a, modelBytes);
            Files.write(b, twinBytes);
            Files.move(b, twin, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            Files.move(a, model, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(a);
            Files.deleteIfExists(b);
        }
    }

    private static void check(boolean ok, String message) {
        if (!ok) {
            throw new IllegalArgumentException("trainer 'nd4j': " + message);
        }
    }
}
