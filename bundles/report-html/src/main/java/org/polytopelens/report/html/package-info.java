/** The HTML reporter: one self-contained report.html per run; private to its bundle. */
package org.polytopelens.report.html;
