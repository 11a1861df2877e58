/** Text for sequence models: sentences of a text file tokenised with a model's own tokenizer.json (WordPiece), one point per token; private to its bundle. */
package org.polytopelens.dataset.text;
