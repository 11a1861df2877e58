package org.polytopelens.benchmarks;

import java.util.Arrays;

/**
 * Code extraction against plain ONNX Runtime measured in pairs: on this shared VM a JMH fork's
 * throughput drifts by 2-3x within seconds, so two benchmarks run one after the other compare
 * the machine's moods, not the code. Here rounds alternate (baseline, workbench, baseline, ...)
 * in one JVM after a warm-up, and the median of the per-round ratios is reported.
 *
 * <pre>java -cp benchmarks/target/benchmarks.jar org.polytopelens.benchmarks.PairedCodeExtraction [rounds] [batches per round] [workbench method] [baseline method] [ORT threads, 0 = one per core]</pre>
 *
 * The baseline is {@code ortSession} (the input wrapped as a heap buffer, as ONNX Runtime's Java
 * examples do) or {@code ortSessionDirect} (copied into a reused direct buffer: the fastest plain
 * feed, the one the workbench's backend uses).
 */
public final class PairedCodeExtraction {
    private PairedCodeExtraction() {}

    public static void main(String[] args) throws Exception {
        int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 40;
        int batches = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        String other = args.length > 2 ? args[2] : "encoderCodes";
        String baseline = args.length > 3 ? args[3] : "ortSession";
        java.lang.reflect.Method m = CodeExtractionBenchmark.class.getMethod(other);
        java.lang.reflect.Method base0 = CodeExtractionBenchmark.class.getMethod(baseline);
        CodeExtractionBenchmark b = new CodeExtractionBenchmark();
        b.threads = args.length > 4 ? Integer.parseInt(args[4]) : 1;
        b.setUp();
        try {
            for (int i = 0; i < 5 * batches; i++) { // warm-up: JIT and ONNX Runtime's arenas
                base0.invoke(b);
                m.invoke(b);
            }
            double[] base = new double[rounds];
            double[] work = new double[rounds];
            double[] ratio = new double[rounds];
            for (int r = 0; r < rounds; r++) {
                long t0 = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    base0.invoke(b);
                }
                long t1 = System.nanoTime();
                for (int i = 0; i < batches; i++) {
                    m.invoke(b);
                }
                long t2 = System.nanoTime();
                base[r] = batches * (double) CodeExtractionBenchmark.POINTS / ((t1 - t0) / 1e9);
                work[r] = batches * (double) CodeExtractionBenchmark.POINTS / ((t2 - t1) / 1e9);
                ratio[r] = work[r] / base[r];
            }
            System.out.printf("plain ORT (" + baseline + "):       median %,.0f points/s (quartiles %,.0f - %,.0f)%n", median(base), q(base, 0.25), q(base, 0.75));
            System.out.printf("workbench (" + other + "): median %,.0f points/s (quartiles %,.0f - %,.0f)%n", median(work), q(work, 0.25), q(work, 0.75));
            System.out.printf("ratio workbench / plain ORT:  median %.3f (quartiles %.3f - %.3f), %d rounds of %d batches of %d%n", median(ratio),
                    q(ratio, 0.25), q(ratio, 0.75), rounds, batches, CodeExtractionBenchmark.POINTS);
        } finally {
            b.tearDown();
        }
    }

    static double median(double[] v) {
        return q(v, 0.5);
    }

    static double q(double[] v, double p) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[(int) Math.round(p * (s.length - 1))];
    }
}
