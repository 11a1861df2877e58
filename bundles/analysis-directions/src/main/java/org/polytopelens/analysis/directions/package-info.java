/** The directions-vs-clusters analysis (NMF, PCA); private to its bundle. */
package org.polytopelens.analysis.directions;
