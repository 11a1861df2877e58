/** Text for sequence models: the WordPiece tokenizer read from a model's tokenizer.json; private to its bundle. */
package org.polytopelens.dataset.text;
