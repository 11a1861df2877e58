/**
 * NumPy {@code .npy} files: format 1.0 and 2.0 headers, C order, dtypes float32 ({@code <f4}),
 * float64 ({@code <f8}), uint8 ({@code |u1}), int64 ({@code <i8}), int32 ({@code <i4}) and bool
 * ({@code |b1}). {@link org.polytopelens.npy.NpyArray} is an in-memory array; {@link
 * org.polytopelens.npy.NpyReader} reads row ranges of a file without loading it; {@link
 * org.polytopelens.npy.NpyWriter} streams rows into a file that appears atomically when complete.
 */
@Version("1.0.0")
@Export
package org.polytopelens.npy;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
