/** Dataset provider for images and labels in LeCun's IDX format (MNIST); private to its bundle. */
package org.polytopelens.dataset.idx;
