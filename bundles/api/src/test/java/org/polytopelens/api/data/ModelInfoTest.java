package org.polytopelens.api.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class ModelInfoTest {
    static final List<String> TENSORS = List.of("input", "fc1.out", "relu1.out", "fc2.out", "relu2.out", "output",
            "/encoder/layer.0/intermediate/intermediate_act_fn/Erf_output_0");

    @Test
    void closeMatchesAreTyposAndContainedNamesClosestFirst() {
        assertEquals(List.of("fc1.out"), ModelInfo.closeMatches("fc1.outt", TENSORS));
        assertEquals(List.of("relu1.out"), ModelInfo.closeMatches("relu1.ou", TENSORS));
        assertEquals(List.of("fc1.out", "fc2.out"), ModelInfo.closeMatches("fc.out", TENSORS));
        assertEquals(List.of("input"), ModelInfo.closeMatches("inptu", TENSORS));
        assertEquals(List.of("/encoder/layer.0/intermediate/intermediate_act_fn/Erf_output_0", "output"), ModelInfo.closeMatches("Erf_output_0", TENSORS));
        assertEquals(List.of(), ModelInfo.closeMatches("logits", TENSORS));
        assertEquals("; did you mean 'fc1.out' or 'fc2.out'?", ModelInfo.didYouMean("fc.out", TENSORS));
        assertEquals("", ModelInfo.didYouMean("zzz", TENSORS));
        assertEquals(3, ModelInfo.editDistance("kitten", "sitting"));
        assertEquals(0, ModelInfo.editDistance("", ""));
    }

    @Test
    void anUnknownSiteIsNamedWithItsCloseMatchesAndTheValidOnes() {
        ModelInfo info = new ModelInfo("m.onnx", List.of(), List.of(),
                List.of(new ActivationSite("relu1", "Relu", GateKind.HARD, "fc1.out", new long[] {4}, 4)), List.of("fc1.out"));
        var e = assertThrows(IllegalArgumentException.class, () -> info.site("relu9"));
        assertTrue(e.getMessage().equals("no activation site 'relu9' in m.onnx; did you mean 'relu1'?; valid sites: [relu1]"), e.getMessage());
    }
}
