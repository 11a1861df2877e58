package org.polytopelens.itest.example;

import java.nio.charset.StandardCharsets;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.Designate;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.polytopelens.api.Analysis;
import org.polytopelens.api.AnalysisContext;
import org.polytopelens.api.Parameters;

/** A hot-deployable analysis for the integration tests: writes {@code example.txt} with a message. */
@Component(service = Analysis.class)
@Designate(ocd = ExampleAnalysis.Config.class)
public final class ExampleAnalysis implements Analysis {

    @ObjectClassDefinition(name = "Example analysis", description = "Writes example.txt containing the message.")
    public @interface Config {
        @AttributeDefinition(description = "Text written to example.txt")
        String message() default "hello from a plugin";
    }

    @Override
    public String id() {
        return "example";
    }

    @Override
    public String name() {
        return "Example analysis (test plugin)";
    }

    @Override
    public String description() {
        return "Writes example.txt with a message; used to test hot deployment.";
    }

    @Override
    public void run(AnalysisContext context, Parameters params) throws Exception {
        String message = params.as(Config.class).message();
        context.results().write("example.txt", out -> out.write((message + "\n").getBytes(StandardCharsets.UTF_8)));
    }
}
