package org.polytopelens.core.internal;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Model;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.ActivationSite;
import org.polytopelens.api.data.CodeLayout;
import org.polytopelens.api.data.ModelInfo;
import org.polytopelens.api.data.SoftCodes;
import org.polytopelens.api.data.SplineCodes;
import org.polytopelens.api.data.Tensor;

/**
 * Codes points of one layer's space: feeds them as the layer tensor (or the model input when the
 * layer is ""), fetches the sites' pre-activations and codes each site with its coder,
 * concatenating site codes in graph order. Thread-safe (the model's run is).
 */
public final class LayerEncoder implements SpaceEncoder {
    private final Model model;
    private final String layer;
    private final String feed;
    private final List<ActivationSite> sites;
    private final List<ActivationCoder> coders;
    private final List<String> fetches;
    private volatile CodeLayout layout;
    /** Every site's code is its pre-activation's sign and the backend computes signs itself. */
    private final boolean bySign;

    private LayerEncoder(Model model, String layer, String feed, List<ActivationSite> sites, List<ActivationCoder> coders) {
        this.model = model;
        this.layer = layer;
        this.feed = feed;
        this.sites = List.copyOf(sites);
        this.coders = List.copyOf(coders);
        Set<String> f = new LinkedHashSet<>();
        sites.forEach(s -> f.add(s.preactivation()));
        this.fetches = List.copyOf(f);
        boolean dynamic = sites.stream().anyMatch(s -> s.neurons() < 0);
        this.layout = dynamic ? null : layoutOf(sites, coders, sites.stream().mapToLong(ActivationSite::neurons).toArray());
        boolean signs = !dynamic && model.signCodes().isPresent();
        for (int i = 0; signs && i < sites.size(); i++) {
            signs = coders.get(i).signCode(sites.get(i));
        }
        this.bySign = signs;
    }

    /** Whether hard codes come from the backend's {@link Model#signCodes()} (no pre-activations fetched). */
    public boolean codesInBackend() {
        return bySign;
    }

    /**
     * Ops of sites that are not gates and are coded only when named: a MaxPool's code (which input
     * wins each window) is optional extra information, not part of the default spline code.
     */
    static final Set<String> CODED_WHEN_NAMED = Set.of("MaxPool");

    /**
     * Plans the encoder: which sites (requested ones, or every gating site downstream of the layer
     * that some coder supports, i.e. not those in {@link #CODED_WHEN_NAMED}) and which coder for
     * each (the first of {@code coders} that supports it). Sites downstream of a layer are those
     * whose pre-activation comes after the layer in {@link ModelInfo#tensors()} (graph order).
     *
     * @param requestedSites site names, or null for the default
     * @param coders candidate coders in preference order
     * @param inputName the model input fed when the layer is ""
     * @param log receives a line per skipped site
     */
    public static LayerEncoder plan(Model model, String layer, List<String> requestedSites, List<ActivationCoder> coders, String inputName,
            java.util.function.Consumer<String> log) {
        ModelInfo info = model.info();
        List<ActivationSite> downstream = downstream(info, layer);
        List<String> problems = new ArrayList<>();
        List<ActivationSite> chosen = new ArrayList<>();
        List<ActivationCoder> chosenCoders = new ArrayList<>();
        if (requestedSites != null) {
            for (String name : requestedSites) {
                ActivationSite s;
                try {
                    s = info.site(name);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                    continue;
                }
                if (!downstream.contains(s)) {
                    problems.add("site '" + name + "' is not downstream of layer '" + layer + "'; downstream sites: "
                            + downstream.stream().map(ActivationSite::name).toList());
                    continue;
                }
                ActivationCoder c = coderFor(s, coders);
                if (c == null) {
                    problems.add("no coder supports site '" + name + "' (op " + s.op() + "); coders tried: " + ids(coders));
                    continue;
                }
                chosen.add(s);
                chosenCoders.add(c);
            }
            // keep graph order whatever the order in the experiment
            List<ActivationSite> ordered = new ArrayList<>();
            List<ActivationCoder> orderedCoders = new ArrayList<>();
            for (ActivationSite s : downstream) {
                int k = chosen.indexOf(s);
                if (k >= 0 && !ordered.contains(s)) {
                    ordered.add(s);
                    orderedCoders.add(chosenCoders.get(k));
                }
            }
            chosen = ordered;
            chosenCoders = orderedCoders;
        } else {
            for (ActivationSite s : downstream) {
                if (CODED_WHEN_NAMED.contains(s.op())) {
                    log.accept("site '" + s.name() + "' (op " + s.op() + ") is coded only when named in sites");
                    continue;
                }
                ActivationCoder c = coderFor(s, coders);
                if (c == null) {
                    log.accept("site '" + s.name() + "' (op " + s.op() + ") skipped: no coder supports it; coders: " + ids(coders));
                } else {
                    chosen.add(s);
                    chosenCoders.add(c);
                }
            }
        }
        if (problems.isEmpty() && chosen.isEmpty()) {
            problems.add("no activation site to code downstream of layer '" + layer + "' in " + info.source() + " (sites: "
                    + info.sites().stream().map(ActivationSite::toString).toList() + "; coders: " + ids(coders) + ")");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new LayerEncoder(model, layer, layer.isEmpty() ? inputName : layer, chosen, chosenCoders);
    }

    static List<ActivationSite> downstream(ModelInfo info, String layer) {
        if (layer.isEmpty() || info.inputs().stream().anyMatch(t -> t.name().equals(layer))) {
            return info.sites();
        }
        int at = info.tensors().indexOf(layer);
        if (at < 0) {
            List<String> t = info.tensors();
            throw new IllegalArgumentException("no tensor '" + layer + "' in " + info.source() + " to use as the layer"
                    + ModelInfo.didYouMean(layer, info.tensors()) + "; tensors: "
                    + (t.size() > 40 ? t.subList(0, 40) + " ... (" + t.size() + " in all)" : t));
        }
        List<ActivationSite> out = new ArrayList<>();
        for (ActivationSite s : info.sites()) {
            int p = info.tensors().indexOf(s.preactivation());
            if (p > at || s.preactivation().equals(layer)) {
                out.add(s);
            }
        }
        return out;
    }

    private static ActivationCoder coderFor(ActivationSite s, List<ActivationCoder> coders) {
        for (ActivationCoder c : coders) {
            if (c.supports(s)) {
                return c;
            }
        }
        return null;
    }

    private static List<String> ids(List<ActivationCoder> coders) {
        return coders.stream().map(ActivationCoder::id).toList();
    }

    private static CodeLayout layoutOf(List<ActivationSite> sites, List<ActivationCoder> coders, long[] neurons) {
        long[] bits = new long[sites.size()];
        for (int i = 0; i < bits.length; i++) {
            bits[i] = neurons[i] * coders.get(i).bitsPerNeuron(sites.get(i));
        }
        return layoutOfBits(sites, bits);
    }

    private static CodeLayout layoutOfBits(List<ActivationSite> sites, long[] bits) {
        List<CodeLayout.Segment> segs = new ArrayList<>();
        int offset = 0;
        for (int i = 0; i < sites.size(); i++) {
            int b = Math.toIntExact(bits[i]);
            segs.add(new CodeLayout.Segment(sites.get(i).name(), offset, b));
            offset += b;
        }
        return new CodeLayout(segs);
    }

    /** The coder of each site, parallel to {@link #sites()}. */
    public List<ActivationCoder> coders() {
        return coders;
    }

    /** The tensor fed with the points (the layer, or the model input). */
    public String feed() {
        return feed;
    }

    @Override
    public String layer() {
        return layer;
    }

    /** Feeds {@code tensor} instead when no site's pre-activation comes before it in graph order. */
    @Override
    public Optional<SpaceEncoder> fedAt(String tensor) {
        if (tensor.equals(feed)) {
            return Optional.of(this);
        }
        List<String> order = model.info().tensors();
        int at = order.indexOf(tensor);
        if (at < 0) {
            return Optional.empty();
        }
        for (ActivationSite s : sites) {
            if (order.indexOf(s.preactivation()) < at) {
                return Optional.empty();
            }
        }
        return Optional.of(new LayerEncoder(model, tensor, tensor, sites, coders));
    }

    @Override
    public List<ActivationSite> sites() {
        return sites;
    }

    @Override
    public CodeLayout layout() {
        CodeLayout l = layout;
        if (l == null) {
            throw new IllegalStateException("the code layout of sites with dynamic shapes " + sites + " is known after the first batch");
        }
        return l;
    }

    private Map<String, Tensor> preactivations(Tensor points) throws Exception {
        Map<String, Tensor> out = model.run(Map.of(feed, points), fetches); // a fetched feed comes back as fed
        for (String f : fetches) {
            if (!out.containsKey(f)) {
                throw new IllegalStateException("the model did not return pre-activation '" + f + "'");
            }
        }
        if (layout == null && points.rows() > 0) {
            // Dynamic shapes: each site's width is that of its coder's code of one point (a
            // MaxPool's groups follow its output, not the pre-activation it reads).
            long[] bits = new long[sites.size()];
            for (int i = 0; i < bits.length; i++) {
                bits[i] = coders.get(i).hard(sites.get(i), out.get(sites.get(i).preactivation()).rows(0, 1)).bits();
            }
            layout = layoutOfBits(sites, bits);
        } else if (layout == null) {
            long[] n = new long[sites.size()];
            for (int i = 0; i < n.length; i++) {
                n[i] = out.get(sites.get(i).preactivation()).rowSize();
            }
            layout = layoutOf(sites, coders, n);
        }
        return out;
    }

    @Override
    public SplineCodes hard(Tensor points) throws Exception {
        if (bySign) {
            return model.signCodes().orElseThrow().codes(feed, points, sites);
        }
        Map<String, Tensor> pre = preactivations(points);
        List<SplineCodes> parts = new ArrayList<>(sites.size());
        for (int i = 0; i < sites.size(); i++) {
            parts.add(coders.get(i).hard(sites.get(i), pre.get(sites.get(i).preactivation())));
        }
        return parts.size() == 1 ? parts.get(0) : SplineCodes.concatBits(parts);
    }

    @Override
    public SoftCodes soft(Tensor points) throws Exception {
        Map<String, Tensor> pre = preactivations(points);
        List<SoftCodes> parts = new ArrayList<>(sites.size());
        for (int i = 0; i < sites.size(); i++) {
            parts.add(coders.get(i).soft(sites.get(i), pre.get(sites.get(i).preactivation())));
        }
        if (parts.size() == 1) {
            return parts.get(0);
        }
        int n = points.rows();
        int width = parts.stream().mapToInt(SoftCodes::neurons).sum();
        float[] p = new float[Math.multiplyExact(n, width)];
        int offset = 0;
        for (SoftCodes part : parts) {
            for (int r = 0; r < n; r++) {
                System.arraycopy(part.p(), r * part.neurons(), p, r * width + offset, part.neurons());
            }
            offset += part.neurons();
        }
        return new SoftCodes(n, width, p);
    }
}
