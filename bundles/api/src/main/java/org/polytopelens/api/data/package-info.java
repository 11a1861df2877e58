/**
 * Immutable values that flow between plugins: tensors, model descriptions, bit-packed spline
 * codes, soft codes, point sets, clusterings and results. Arrays inside records are owned by the
 * record: callers must not modify them after construction.
 */
@Version("1.3.0")
@Export
package org.polytopelens.api.data;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
