/**
 * Shared reading of ONNX graphs, so every backend lists nodes, tensors and activation sites in the
 * same order under the same names (a site name is a contract between backends, experiments and
 * results).
 */
@Version("1.1.0")
@Export
package org.polytopelens.onnx.graph;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
