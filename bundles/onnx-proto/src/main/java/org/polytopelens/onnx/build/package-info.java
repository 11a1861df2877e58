/**
 * Writing ONNX models from Java: {@link org.polytopelens.onnx.build.OnnxModelBuilder} for tests,
 * samples and the integration test (the ONNX protobuf classes are in
 * {@code org.polytopelens.onnx.proto}).
 */
@Version("1.0.0")
@Export
package org.polytopelens.onnx.build;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
