/** The desktop window over the workbench's services (Swing, FlatLaf, live JFreeChart panels); private to its bundle. */
package org.polytopelens.gui.internal;
