package org.polytopelens.core.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.core.ExtensionPointInfo;
import org.polytopelens.core.ProviderInfo;

class RegistryTest {
    @Test
    void listsAllSixExtensionPointsEvenWhenEmpty() {
        Registry r = TestPlugins.registry(Map.of());
        List<ExtensionPointInfo> points = r.extensionPoints();
        assertEquals(List.of("backend", "coder", "dataset", "clustering", "analysis", "visualizer", "reporter", "trainer"),
                points.stream().map(ExtensionPointInfo::name).toList());
        assertTrue(points.stream().allMatch(p -> p.providers().isEmpty()));
        assertEquals("org.polytopelens.api.ModelBackend", points.get(0).interfaceName());
    }

    @Test
    void providersSortedByIdAndDynamic() {
        TestPlugins.Slow slow = new TestPlugins.Slow();
        TestPlugins.Boom boom = new TestPlugins.Boom();
        Registry r = TestPlugins.registry(TestPlugins.schemas(), slow, boom, new TestPlugins.SignCoder());
        assertEquals(List.of("boom", "slow"), r.ids(Analysis.class));
        assertSame(slow, r.provider(Analysis.class, "slow"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.provider(Analysis.class, "codes"));
        assertEquals("no analysis 'codes'; valid analysis ids: [boom, slow]", e.getMessage());
        r.remove(Analysis.class, slow);
        assertEquals(List.of("boom"), r.ids(Analysis.class));
        assertEquals(1, r.providers(ActivationCoder.class).size());
    }

    @Test
    void describeAndValidateUseTheSchema() {
        TestPlugins.Slow slow = new TestPlugins.Slow();
        TestPlugins.SignCoder sign = new TestPlugins.SignCoder();
        Registry r = TestPlugins.registry(TestPlugins.schemas(), slow, sign);
        ProviderInfo info = r.describe(slow);
        assertEquals("slow", info.id());
        assertEquals("test.bundle", info.bundle());
        assertEquals("slow", info.pid());
        assertEquals("millis", info.parameters().get(0).key());
        assertEquals(60000L, r.validate(slow, Map.of()).get("millis").orElseThrow());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> r.validate(sign, Map.of("x", 1)));
        assertTrue(e.getMessage().startsWith("invalid parameters for coder 'sign'"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> r.describe(new TestPlugins.Boom()), "unregistered");
    }
}
