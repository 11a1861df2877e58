/** Clustering plugins on Smile 3.1.1 (k-means, DBSCAN, hierarchical); private to their bundle. */
package org.polytopelens.cluster.smile;
