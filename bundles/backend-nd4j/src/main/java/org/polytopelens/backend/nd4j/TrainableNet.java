package org.polytopelens.backend.nd4j;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;
import org.nd4j.enums.WeightsFormat;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Conv2DConfig;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.PaddingMode;
import org.nd4j.linalg.api.ops.impl.layers.convolution.config.Pooling2DConfig;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.polytopelens.onnx.build.ConvNet;
import org.polytopelens.onnx.build.OnnxModelBuilder;
import org.polytopelens.onnx.proto.Onnx.ModelProto;

/**
 * A ReLU MLP or ConvNet as a SameDiff graph whose variables start at given weights (the ONNX
 * builders' PyTorch-style initialisation, so the untrained twin is exactly the seeded network)
 * and are updated in place by Adam. Weights keep the ONNX layouts ({@code [out, in]} dense,
 * {@code [out, in, k, k]} convolutions), so export is a copy. Call only inside {@link
 * Nd4jContext#call}.
 */
final class TrainableNet {
    static final String INPUT = "input";
    static final String LABEL = "label";
    static final String LOGITS = "logits";

    private final SameDiff sd = SameDiff.create();
    private final ConvNet convTemplate;
    private final OnnxModelBuilder.Mlp mlpTemplate;
    /** Trainable variables in a fixed order (weights then bias, layer by layer). */
    private final List<String> params = new ArrayList<>();
    private final Map<String, INDArray> m = new LinkedHashMap<>();
    private final Map<String, INDArray> v = new LinkedHashMap<>();
    private int step;

    private TrainableNet(ConvNet conv, OnnxModelBuilder.Mlp mlp) {
        this.convTemplate = conv;
        this.mlpTemplate = mlp;
    }

    static TrainableNet of(OnnxModelBuilder.Mlp init) {
        TrainableNet net = new TrainableNet(null, init);
        int[] w = init.widths();
        SDVariable h = net.sd.placeHolder(INPUT, DataType.FLOAT, -1, w[0]);
        for (int l = 0; l < w.length - 1; l++) {
            h = net.dense(h, "fc" + (l + 1), init.weights()[l], init.biases()[l], w[l + 1], w[l], l == w.length - 2);
        }
        net.finish(h, w[w.length - 1]);
        return net;
    }

    static TrainableNet of(ConvNet init) {
        TrainableNet net = new TrainableNet(init, null);
        SDVariable h = net.sd.placeHolder(INPUT, DataType.FLOAT, -1, init.channels(), init.height(), init.width());
        int i = 0;
        for (ConvNet.Conv c : init.convs()) {
            i++;
            // SameDiff's conv2d backprop wants [kH, kW, in, out] (YXIO); ONNX keeps [out, in, kH, kW].
            SDVariable w = net.param("conv" + i + ".weight",
                    Nd4j.create(c.weight(), new long[] {c.out(), c.in(), c.k(), c.k()}, 'c').permute(2, 3, 1, 0).dup('c'));
            SDVariable b = net.param("conv" + i + ".bias", Nd4j.create(c.bias(), new long[] {c.out()}, 'c'));
            h = net.sd.cnn().conv2d(h, w, b, Conv2DConfig.builder().kH(c.k()).kW(c.k()).sH(1).sW(1).dH(1).dW(1)
                    .paddingMode(PaddingMode.VALID).dataFormat("NCHW").weightsFormat(WeightsFormat.YXIO).build());
            h = net.sd.nn().relu(h, 0);
            h = net.sd.cnn().maxPooling2d(h, Pooling2DConfig.builder().kH(2).kW(2).sH(2).sW(2).dH(1).dW(1)
                    .paddingMode(PaddingMode.VALID).isNHWC(false).build());
        }
        // NCHW in C order flattens exactly as ONNX Flatten(axis=1) and torch.flatten(x, 1) do.
        h = h.reshape(-1, init.flatWidth());
        List<ConvNet.Dense> dense = init.dense();
        for (int j = 0; j < dense.size(); j++) {
            ConvNet.Dense d = dense.get(j);
            h = net.dense(h, "fc" + (j + 1), d.weight(), d.bias(), d.out(), d.in(), j == dense.size() - 1);
        }
        net.finish(h, dense.get(dense.size() - 1).out());
        return net;
    }

    private SDVariable dense(SDVariable h, String name, float[] weight, float[] bias, int out, int in, boolean last) {
        SDVariable w = param(name + ".weight", Nd4j.create(weight, new long[] {out, in}, 'c'));
        SDVariable b = param(name + ".bias", Nd4j.create(bias, new long[] {out}, 'c'));
        SDVariable z = sd.mmul(h, w, false, true, false).add(b);
        return last ? z : sd.nn().relu(z, 0);
    }

    private SDVariable param(String name, INDArray value) {
        params.add(name);
        m.put(name, Nd4j.zeros(DataType.FLOAT, value.shape()));
        v.put(name, Nd4j.zeros(DataType.FLOAT, value.shape()));
        return sd.var(name, value);
    }

    private void finish(SDVariable logits, int classes) {
        SDVariable out = sd.identity(LOGITS, logits);
        SDVariable labels = sd.placeHolder(LABEL, DataType.FLOAT, -1, classes);
        SDVariable loss = sd.loss().softmaxCrossEntropy("loss", labels, out, null);
        sd.setLossVariables(loss);
        // SameDiff M2.1 prints "Added differentiated op ..." on System.out for every op while it
        // builds the gradient graph; that would corrupt a command's --json output. Build it now
        // with stdout muted (once per net, before any other output of the command).
        synchronized (System.class) {
            java.io.PrintStream stdout = System.out;
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            try {
                sd.createGradFunction();
            } finally {
                System.setOut(stdout);
            }
        }
    }

    /** One Adam step (Kingma and Ba 2015, bias-corrected) on a batch; returns the batch's mean loss. */
    double step(INDArray x, INDArray oneHot, double lr) {
        Map<String, INDArray> feeds = Map.of(INPUT, x, LABEL, oneHot);
        var result = sd.calculateGradientsAndOutputs(feeds, List.of("loss"), params);
        double loss = result.getOutputs().get("loss").getDouble(0);
        step++;
        double b1 = 0.9;
        double b2 = 0.999;
        double eps = 1e-8;
        double c1 = 1 - Math.pow(b1, step);
        double c2 = 1 - Math.pow(b2, step);
        for (String p : params) {
            INDArray g = result.getGradients().get(p);
            INDArray mp = m.get(p).muli(b1).addi(g.mul(1 - b1));
            INDArray vp = v.get(p).muli(b2).addi(g.mul(g).muli(1 - b2));
            INDArray denom = Transforms.sqrt(vp.div(c2), false).addi(eps);
            sd.getVariable(p).getArr().subi(mp.div(c1).divi(denom).muli(lr));
        }
        return loss;
    }

    /** Logits for a batch. */
    INDArray logits(INDArray x) {
        return sd.output(Map.of(INPUT, x), LOGITS).get(LOGITS);
    }

    private float[] values(String name) {
        return sd.getVariable(name).getArr().dup('c').data().asFloat();
    }

    /** The network at its current weights as ONNX, with the names of the builders it started from. */
    ModelProto export() {
        if (mlpTemplate != null) {
            int layers = mlpTemplate.widths().length - 1;
            float[][] w = new float[layers][];
            float[][] b = new float[layers][];
            for (int l = 0; l < layers; l++) {
                w[l] = values("fc" + (l + 1) + ".weight");
                b[l] = values("fc" + (l + 1) + ".bias");
            }
            return OnnxModelBuilder.mlp(mlpTemplate.widths(), w, b).model();
        }
        List<ConvNet.Conv> convs = new ArrayList<>();
        int i = 0;
        for (ConvNet.Conv c : convTemplate.convs()) {
            i++;
            float[] oiyx = sd.getVariable("conv" + i + ".weight").getArr().permute(3, 2, 0, 1).dup('c').data().asFloat();
            convs.add(new ConvNet.Conv(c.out(), c.in(), c.k(), oiyx, values("conv" + i + ".bias")));
        }
        List<ConvNet.Dense> dense = new ArrayList<>();
        int j = 0;
        for (ConvNet.Dense d : convTemplate.dense()) {
            j++;
            dense.add(new ConvNet.Dense(d.out(), d.in(), values("fc" + j + ".weight"), values("fc" + j + ".bias")));
        }
        return new ConvNet(convTemplate.channels(), convTemplate.height(), convTemplate.width(), convs, dense).model();
    }
}
