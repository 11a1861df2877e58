package org.example.polytope.firing;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Model;
import org.polytopelens.api.Parameters;
import org.polytopelens.api.SpaceEncoder;
import org.polytopelens.api.data.Histogram;
import org.polytopelens.api.data.Table;

/**
 * An analysis plugin: a Declarative Services component providing {@link Analysis}, with its
 * parameters declared as a Metatype {@link Config} (the workbench validates an experiment's
 * {@code params} against it and fills the defaults). Found by its {@link #id()}.
 */
@Component(service = Analysis.class)
@Designate(ocd = FiringRatesAnalysis.Config.class)
public final class FiringRatesAnalysis implements Analysis {
    @ObjectClassDefinition(name = "Firing rates", description = "How often each neuron fires on the dataset and how many polytopes the data occupies.")
    public @interface Config {
        @AttributeDefinition(name = "Max points", description = "Use the first N examples; 0 for all.", min = "0")
        int max_points() default 0;

        @AttributeDefinition(name = "Batch size", description = "Examples coded at a time (memory stays O(batch x bits)).", min = "1")
        int batch_size() default 256;
    }

    @Override
    public String id() {
        return "firing-rates";
    }

    @Override
    public String name() {
        return "Firing rates (example plugin)";
    }

    @Override
    public String description() {
        return "Per neuron the fraction of points whose code bit is on; dead and always-on neurons; distinct codes (polytopes occupied). "
                + "Publishes firing-rates-summary and firing-rates-histogram. " + edition();
    }

    @Override
    public void run(AnalysisContext ctx, Parameters params) throws Exception {
        Config c = params.as(Config.class);
        if (c.batch_size() < 1 || c.max_points() < 0) {
            throw new IllegalArgumentException("firing-rates: batch_size must be >= 1 and max_points >= 0, got " + c.batch_size() + " and " + c.max_points());
        }
        int n = c.max_points() > 0 ? Math.min(c.max_points(), ctx.dataset().size()) : ctx.dataset().size();
        List<List<Object>> rows = new ArrayList<>();
        int m = 0;
        for (Map.Entry<String, Model> e : ctx.models().entrySet()) {
            SpaceEncoder encoder = ctx.encoder(e.getValue());
            FiringRates rates = new FiringRates(encoder.layout().bits());
            for (int from = 0; from < n; from += c.batch_size()) {
                ctx.progress().checkCancelled(); // long loops must stop when the run is cancelled
                int to = Math.min(n, from + c.batch_size());
                rates.add(encoder.hard(ctx.points(e.getValue(), from, to)));
                ctx.progress().report((m + (double) to / n) / ctx.models().size(), e.getKey() + ": " + to + " of " + n + " points");
            }
            rows.add(List.of(e.getKey(), rates.points(), encoder.layout().bits(), rates.neverOn(), rates.alwaysOn(), rates.polytopes()));
            ctx.results().publish(new Histogram("firing-rates-histogram" + (ctx.models().size() > 1 ? "-" + e.getKey() : ""),
                    "Firing rates of the " + encoder.layout().bits() + " neurons (" + e.getKey() + ")", "fraction of points whose bit is on",
                    rates.rates(), null, null, 20));
            ctx.log("firing-rates " + e.getKey() + ": " + rates.polytopes() + " polytopes occupied by " + rates.points() + " points");
            m++;
        }
        ctx.results().publish(new Table("firing-rates-summary", "Neurons and polytopes on the data (layer '" + ctx.layer() + "')",
                List.of("model", "points", "neurons (bits)", "never on", "always on", "polytopes occupied"), rows));
    }

    /** Which build this is (set by Maven resource filtering); lets a hot update be seen. */
    static String edition() {
        Properties p = new Properties();
        try (InputStream in = FiringRatesAnalysis.class.getResourceAsStream("edition.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            // no edition: a build without resources
        }
        return "Edition: " + p.getProperty("edition", "unknown") + ".";
    }
}
