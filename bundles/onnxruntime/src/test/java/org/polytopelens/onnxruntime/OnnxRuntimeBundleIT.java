package org.polytopelens.onnxruntime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.osgi.framework.Bundle;
import org.osgi.framework.Constants;
import org.osgi.framework.launch.Framework;
import org.osgi.framework.launch.FrameworkFactory;
import org.osgi.framework.wiring.FrameworkWiring;
import org.polytopelens.onnx.build.OnnxModelBuilder;

/**
 * The packaged bundle in a real Felix: it resolves, loads its natives through Bundle-NativeCode,
 * runs a model, and still runs after an update + refresh (a new revision, new class loader).
 * Reflection because the test's own class path has no ai.onnxruntime classes.
 */
class OnnxRuntimeBundleIT {
    @Test
    void runsAModelInsideFelixAndSurvivesRefresh(@TempDir Path dir) throws Exception {
        Path jar = Path.of(System.getProperty("bundle.jar"));
        byte[] model = new OnnxModelBuilder("relu")
                .input("x", -1, 3)
                .relu("relu1", "x", "y")
                .output("y", -1, 3)
                .toBytes();
        Framework fw = ServiceLoader.load(FrameworkFactory.class).iterator().next().newFramework(Map.of(
                Constants.FRAMEWORK_STORAGE, dir.resolve("felix").toString(),
                Constants.FRAMEWORK_STORAGE_CLEAN, Constants.FRAMEWORK_STORAGE_CLEAN_ONFIRSTINIT));
        fw.start();
        try {
            Bundle b = fw.getBundleContext().installBundle(jar.toUri().toString());
            b.start();
            assertEquals(Bundle.ACTIVE, b.getState());
            assertEquals("1.29.0", b.adapt(org.osgi.framework.wiring.BundleRevision.class)
                    .getDeclaredCapabilities("osgi.wiring.package").get(0).getAttributes().get("version").toString());
            assertArrayEquals(new float[] {0, 2, 0}, runRelu(b, model, new float[] {-1, 2, -3}));

            b.update(Files.newInputStream(jar));
            CountDownLatch refreshed = new CountDownLatch(1);
            fw.adapt(FrameworkWiring.class).refreshBundles(List.of(b), e -> refreshed.countDown());
            refreshed.await(30, TimeUnit.SECONDS);
            assertEquals(Bundle.ACTIVE, b.getState());
            assertArrayEquals(new float[] {4, 0, 0.5f}, runRelu(b, model, new float[] {4, -2, 0.5f}));
        } finally {
            fw.stop();
            fw.waitForStop(10_000);
        }
    }

    /** {@code session.run({"x": [[x]]}).get(0).getValue()[0]} through the bundle's class loader. */
    private static float[] runRelu(Bundle b, byte[] model, float[] x) throws Exception {
        Class<?> envClass = b.loadClass("ai.onnxruntime.OrtEnvironment");
        Class<?> tensorClass = b.loadClass("ai.onnxruntime.OnnxTensor");
        Object env = envClass.getMethod("getEnvironment").invoke(null);
        try (AutoCloseable session = (AutoCloseable) envClass.getMethod("createSession", byte[].class).invoke(env, model);
                AutoCloseable tensor = (AutoCloseable) tensorClass.getMethod("createTensor", envClass, Object.class)
                        .invoke(null, env, new float[][] {x});
                AutoCloseable result = (AutoCloseable) session.getClass().getMethod("run", Map.class)
                        .invoke(session, Map.of("x", tensor))) {
            Object value = result.getClass().getMethod("get", int.class).invoke(result, 0);
            float[][] y = (float[][]) value.getClass().getMethod("getValue").invoke(value);
            assertNotNull(y);
            return y[0];
        }
    }
}
