package org.polytopelens.core;

import java.util.List;
import java.util.Map;
import org.osgi.annotation.versioning.ProviderType;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.Provider;

/**
 * Every extension point and the providers currently registered for it (dynamic: plugins come
 * and go). Thread-safe.
 */
@ProviderType
public interface ExtensionRegistry {
    /** The extension points in a fixed order, each with its providers sorted by id. */
    List<ExtensionPointInfo> extensionPoints();

    /**
     * The provider of {@code type} with {@code id}; an {@link IllegalArgumentException} naming the
     * extension point and listing the valid ids otherwise.
     */
    <T extends Provider> T provider(Class<T> type, String id);

    /** Every provider of {@code type}, sorted by id. */
    <T extends Provider> List<T> providers(Class<T> type);

    /** Description of {@code provider}, with its parameter schema read from Metatype. */
    ProviderInfo describe(Provider provider);

    /**
     * Checks {@code raw} against the provider's Metatype schema and fills defaults: an unknown
     * key, a value of the wrong type or a missing required key throws one {@link
     * IllegalArgumentException} whose message lists every problem and the valid keys with types.
     */
    Parameters validate(Provider provider, Map<String, ?> raw);
}
