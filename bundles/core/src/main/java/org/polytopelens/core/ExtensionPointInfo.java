package org.polytopelens.core;

import java.util.List;

/** An extension point: its short name (e.g. {@code "analysis"}), interface and providers. */
public record ExtensionPointInfo(String name, String interfaceName, String description, List<ProviderInfo> providers) {
    public ExtensionPointInfo {
        providers = List.copyOf(providers);
    }
}
