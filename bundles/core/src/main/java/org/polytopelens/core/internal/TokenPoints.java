package org.polytopelens.core.internal;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.polytopelens.api.Model;
import org.polytopelens.api.TokenDataset;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.Tensor;
import org.polytopelens.api.data.TokenInContext;

/**
 * Points of a {@link TokenDataset} in a layer's space: the model runs on whole sequences (with
 * their attention masks) and each point is one token position's row of the layer tensor {@code
 * [batch, seq, ...]}, returned as {@code [points, 1, ...]} so that it can be fed back into the
 * layer tensor as a batch of one-token sequences.
 *
 * <p>That feeding is exact only for sites that depend on a token's own row of the layer and on
 * nothing else (an FFN's gates seen from its input or its pre-activation); attention downstream
 * mixes tokens. {@link #tokenLocal} tests each site on real sequences and keeps those for which
 * a fed row reproduces the pre-activation of the full run.
 */
final class TokenPoints {
    /** Sequences run per model call. */
    static final int SEQUENCES_PER_RUN = 16;

    private TokenPoints() {}

    static String needsLayer(TokenDataset ds) {
        return "the dataset's points are tokens (" + ds.size() + " tokens of " + ds.sequences() + " sequences): they exist inside the model only, "
                + "so the experiment needs a 'layer', a tensor with a sequence axis [batch, seq, ...] such as an FFN's pre-activation";
    }

    /** Layer rows of points {@code [from, to)}: {@code [to - from, 1, ...]}. */
    static Tensor gather(Model model, TokenDataset ds, String layer, int from, int to) throws Exception {
        if (layer.isEmpty()) {
            throw new IllegalArgumentException(needsLayer(ds));
        }
        int n = to - from;
        if (n <= 0) {
            throw new IllegalArgumentException("empty range of points [" + from + ", " + to + ")");
        }
        int s0 = ds.token(from).sequence();
        int s1 = ds.token(to - 1).sequence() + 1;
        float[] out = null;
        long[] pointShape = null;
        int width = 0;
        int i = from;
        for (int s = s0; s < s1; s += SEQUENCES_PER_RUN) {
            int e = Math.min(s1, s + SEQUENCES_PER_RUN);
            Tensor t = model.run(ds.feeds(s, e), List.of(layer)).get(layer);
            long[] shape = t.shape();
            if (shape.length < 3 || shape[0] != e - s) {
                throw new IllegalArgumentException("layer '" + layer + "' has shape " + Arrays.toString(shape) + " for " + (e - s)
                        + " sequences; token points need a tensor [batch, seq, ...] (a transformer block's hidden states or an FFN's pre-activation)");
            }
            if (out == null) {
                pointShape = shape.clone();
                pointShape[1] = 1;
                pointShape = Arrays.copyOfRange(pointShape, 1, pointShape.length);
                width = (int) Tensor.size(pointShape);
                out = new float[Math.multiplyExact(n, width)];
            }
            int seq = (int) shape[1];
            for (; i < to && ds.token(i).sequence() < e; i++) {
                TokenInContext tok = ds.token(i);
                if (tok.position() >= seq) {
                    throw new IllegalStateException("token " + i + " at position " + tok.position() + " of a batch " + seq + " long");
                }
                int row = (tok.sequence() - s) * seq + tok.position();
                System.arraycopy(t.data(), row * width, out, (i - from) * width, width);
            }
        }
        return Tensor.batch(n, pointShape, out);
    }

    /**
     * The sites among {@code sites} whose pre-activations a batch of fed layer rows reproduces
     * (relative error 1e-3) on the dataset's first sequences, and the reason for each other one.
     */
    static Map<ActivationSite, String> nonLocal(Model model, TokenDataset ds, String layer, List<ActivationSite> sites) throws Exception {
        int k = Math.min(4, ds.sequences());
        int to = 0;
        while (to < ds.size() && ds.token(to).sequence() < k) {
            to++;
        }
        Map<ActivationSite, String> bad = new LinkedHashMap<>();
        if (to == 0) {
            return bad;
        }
        List<String> fetches = new ArrayList<>(List.of(layer));
        sites.forEach(s -> fetches.add(s.preactivation()));
        Map<String, Tensor> full = model.run(ds.feeds(0, k), fetches.stream().distinct().toList());
        Tensor rows = gather(model, ds, layer, 0, to);
        for (ActivationSite site : sites) {
            Tensor fed;
            try {
                fed = model.run(Map.of(layer, rows), List.of(site.preactivation())).get(site.preactivation());
            } catch (Exception e) {
                bad.put(site, "its pre-activation cannot be computed from layer '" + layer + "' alone (" + e.getMessage().lines().findFirst().orElse("") + ")");
                continue;
            }
            Tensor ref = full.get(site.preactivation());
            long seq = ref.shape().length >= 2 ? ref.shape()[1] : -1;
            if (fed.rows() != to || ref.shape().length < 3 || fed.rowSize() * seq * k != ref.data().length) {
                bad.put(site, "its pre-activation has shape " + Arrays.toString(ref.shape()) + ", not one row per token");
                continue;
            }
            int w = fed.rowSize();
            double worst = 0;
            for (int i = 0; i < to; i++) {
                TokenInContext t = ds.token(i);
                int base = (int) ((t.sequence() * seq + t.position()) * w);
                for (int j = 0; j < w; j++) {
                    double a = ref.data()[base + j];
                    worst = Math.max(worst, Math.abs(a - fed.data()[i * w + j]) / Math.max(1, Math.abs(a)));
                }
            }
            if (!(worst <= 1e-3)) {
                bad.put(site, String.format(java.util.Locale.ROOT,
                        "it depends on other tokens than the one fed (attention downstream of the layer): relative error %.3g on %d tokens", worst, to));
            }
        }
        return bad;
    }

    /**
     * Plans the encoder of token points: the requested sites must all be token-local (else an
     * error naming each and why); by default the token-local ones among the downstream sites.
     */
    static LayerEncoder plan(Model model, TokenDataset ds, String layer, List<String> requested, java.util.function.Function<List<String>, LayerEncoder> planner,
            Consumer<String> log) {
        if (layer.isEmpty()) {
            throw new IllegalArgumentException(needsLayer(ds));
        }
        LayerEncoder all = planner.apply(requested);
        Map<ActivationSite, String> bad;
        try {
            bad = nonLocal(model, ds, layer, all.sites());
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException("checking which sites read layer '" + layer + "' token by token: " + e.getMessage(), e);
        }
        if (bad.isEmpty()) {
            return all;
        }
        List<String> why = new ArrayList<>();
        bad.forEach((s, reason) -> why.add("site '" + s.name() + "': " + reason));
        if (requested != null || bad.size() == all.sites().size()) {
            throw new IllegalArgumentException("token points of layer '" + layer + "' cannot be coded at these sites, each point being fed alone:\n  "
                    + String.join("\n  ", why) + "\nname sites that read the layer token by token (e.g. the FFN gate whose pre-activation is the layer)");
        }
        why.forEach(w -> log.accept(w + "; skipped"));
        List<String> keep = all.sites().stream().filter(s -> !bad.containsKey(s)).map(ActivationSite::name).toList();
        return planner.apply(keep);
    }
}
