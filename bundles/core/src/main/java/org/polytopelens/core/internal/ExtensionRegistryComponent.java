package org.polytopelens.core.internal;

import org.osgi.framework.Bundle;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.metatype.MetaTypeInformation;
import org.osgi.service.metatype.MetaTypeService;
import org.osgi.service.metatype.ObjectClassDefinition;
import org.polytopelens.api.ActivationCoder;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.ClusteringAlgorithm;
import org.polytopelens.api.DatasetProvider;
import org.polytopelens.api.ModelBackend;
import org.polytopelens.api.Provider;
import org.polytopelens.api.Reporter;
import org.polytopelens.api.Trainer;
import org.polytopelens.api.Visualizer;
import org.polytopelens.core.ExtensionRegistry;

/**
 * Tracks every provider of every extension point as they come and go, and reads their parameter
 * schemas from the Metatype service: the object class definition designated for the provider's
 * component PID ({@code component.name}) in its bundle. A provider without one takes no
 * parameters.
 */
@Component(service = ExtensionRegistry.class)
public final class ExtensionRegistryComponent extends Registry {
    @Activate
    public ExtensionRegistryComponent(@Reference(name = "metatype") MetaTypeService metatype) {
        super(origin -> read(metatype, origin));
    }

    private static Schema read(MetaTypeService metatype, Origin origin) {
        if (!(origin.handle() instanceof Bundle bundle) || origin.pid() == null || bundle.getState() == Bundle.UNINSTALLED) {
            return Schema.NONE;
        }
        MetaTypeInformation info = metatype.getMetaTypeInformation(bundle);
        if (info == null) {
            return Schema.NONE;
        }
        try {
            ObjectClassDefinition ocd = info.getObjectClassDefinition(origin.pid(), null);
            return ocd == null ? Schema.NONE : Schema.of(origin.pid(), ocd);
        } catch (IllegalArgumentException e) { // no OCD designated for this PID
            return Schema.NONE;
        }
    }

    private static Origin origin(ServiceReference<?> ref) {
        Bundle b = ref.getBundle();
        Object pid = ref.getProperty("component.name");
        return new Origin(b == null ? "?" : b.getSymbolicName(), b == null ? "?" : b.getVersion().toString(), pid == null ? null : pid.toString(), b);
    }

    private void bind(Class<? extends Provider> type, Provider p, ServiceReference<?> ref) {
        add(type, p, origin(ref));
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeBackend")
    void addBackend(ModelBackend p, ServiceReference<ModelBackend> ref) {
        bind(ModelBackend.class, p, ref);
    }

    void removeBackend(ModelBackend p) {
        remove(ModelBackend.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeCoder")
    void addCoder(ActivationCoder p, ServiceReference<ActivationCoder> ref) {
        bind(ActivationCoder.class, p, ref);
    }

    void removeCoder(ActivationCoder p) {
        remove(ActivationCoder.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeDataset")
    void addDataset(DatasetProvider p, ServiceReference<DatasetProvider> ref) {
        bind(DatasetProvider.class, p, ref);
    }

    void removeDataset(DatasetProvider p) {
        remove(DatasetProvider.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeClustering")
    void addClustering(ClusteringAlgorithm p, ServiceReference<ClusteringAlgorithm> ref) {
        bind(ClusteringAlgorithm.class, p, ref);
    }

    void removeClustering(ClusteringAlgorithm p) {
        remove(ClusteringAlgorithm.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeAnalysis")
    void addAnalysis(Analysis p, ServiceReference<Analysis> ref) {
        bind(Analysis.class, p, ref);
    }

    void removeAnalysis(Analysis p) {
        remove(Analysis.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeVisualizer")
    void addVisualizer(Visualizer p, ServiceReference<Visualizer> ref) {
        bind(Visualizer.class, p, ref);
    }

    void removeVisualizer(Visualizer p) {
        remove(Visualizer.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeReporter")
    void addReporter(Reporter p, ServiceReference<Reporter> ref) {
        bind(Reporter.class, p, ref);
    }

    void removeReporter(Reporter p) {
        remove(Reporter.class, p);
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC, unbind = "removeTrainer")
    void addTrainer(Trainer p, ServiceReference<Trainer> ref) {
        bind(Trainer.class, p, ref);
    }

    void removeTrainer(Trainer p) {
        remove(Trainer.class, p);
    }
}
