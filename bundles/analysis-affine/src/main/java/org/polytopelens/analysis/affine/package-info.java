/** The local affine maps analysis (the paper's footnote 8); private to its bundle. */
package org.polytopelens.analysis.affine;
