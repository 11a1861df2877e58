package org.polytopelens.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ParametersTest {
    @interface Config {
        int min_size() default 5;

        String metric() default "hamming";

        boolean leaf() default false;
    }

    @Test
    void viewsValuesThroughTheConfigAnnotationWithDefaults() {
        Config c = Parameters.of(Map.of("min.size", 12, "leaf", "true")).as(Config.class);
        assertEquals(12, c.min_size());
        assertEquals("hamming", c.metric());
        assertEquals(true, c.leaf());
    }

    @Test
    void keepsTheCallersKeyOrder() {
        Map<String, Object> m = new LinkedHashMap<>();
        for (String k : List.of("z", "a", "m", "b")) {
            m.put(k, 1);
        }
        assertEquals(List.of("z", "a", "m", "b"), List.copyOf(Parameters.of(m).asMap().keySet()));
    }
}
