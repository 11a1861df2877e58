/**
 * Live charts for windows: the visualizer's charts as JFreeChart objects. Exported with the
 * JFreeChart packages this bundle embeds (1.5.6), so a GUI bundle can put them in a ChartPanel.
 */
@Version("1.0.0")
@Export
package org.polytopelens.viz.jfreechart.live;

import org.osgi.annotation.bundle.Export;
import org.osgi.annotation.versioning.Version;
