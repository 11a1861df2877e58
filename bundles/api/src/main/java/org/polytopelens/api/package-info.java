/**
 * The workbench's extension points. Each is a small service interface; a plugin is a
 * Declarative Services component that provides one of them, designates a Metatype
 * {@code @ObjectClassDefinition} as its parameter schema, and is found by its {@link
 * org.polytopelens.api.Provider#id() id}. The core never names an implementation.
 *
 * <p>Data flows one way: {@link org.polytopelens.api.DatasetProvider dataset} -&gt; {@link
 * org.polytopelens.api.ModelBackend backend} -&gt; activations -&gt; {@link
 * org.polytopelens.api.ActivationCoder codes} -&gt; {@link org.polytopelens.api.Analysis analyses}
 * (which may use a {@link org.polytopelens.api.ClusteringAlgorithm clustering}) -&gt; results
 * -&gt; {@link org.polytopelens.api.Visualizer visualizers}.
 */
@Version("1.3.0")
@Export
package org.polytopelens.api;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
