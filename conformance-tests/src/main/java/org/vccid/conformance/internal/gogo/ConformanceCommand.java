package org.vccid.conformance.internal.gogo;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.framework.ServiceReference;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.vccid.card.Card;
import org.vccid.conformance.internal.cli.Options;
import org.vccid.conformance.internal.runner.Conformance;
import org.vccid.conformance.internal.runner.Library;
import org.vccid.conformance.internal.runner.Runner;
import org.vccid.conformance.internal.runner.ServiceCardSource;
import org.vccid.conformance.internal.runner.Summary;
import org.vccid.conformance.internal.runner.VectorResult;
import org.vccid.conformance.internal.vector.Vector;
import org.vccid.conformance.target.Target;

/**
 * Gogo: {@code vccid:conformance [options] [files]} (the CLI's options, see {@code --help}). Runs against any
 * registered {@link Target} service and any {@link Card} service; prints progress and returns the summary line
 * ({@code N passed, N failed}).
 */
@Component(service = ConformanceCommand.class,
        property = { "osgi.command.scope=vccid", "osgi.command.function=conformance" })
public class ConformanceCommand {

    private final BundleContext context;
    private final Map<String, Target> targets = new ConcurrentHashMap<>();

    @Activate
    public ConformanceCommand(BundleContext context) {
        this.context = context;
    }

    @Reference(cardinality = ReferenceCardinality.MULTIPLE, policy = ReferencePolicy.DYNAMIC)
    void addTarget(Target t, Map<String, Object> props) {
        targets.put(String.valueOf(props.getOrDefault(Target.NAME, t.name())), t);
    }

    void removeTarget(Target t, Map<String, Object> props) {
        targets.remove(String.valueOf(props.getOrDefault(Target.NAME, t.name())), t);
    }

    /** The Gogo function; progress goes to the session's output, the summary line is the value. */
    public String conformance(String... args) throws Exception {
        return run(System.out, args);
    }

    String run(PrintStream out, String... args) throws Exception {
        Options o;
        try {
            o = Options.parse(args);
        } catch (IllegalArgumentException e) {
            return "conformance: " + e.getMessage() + "\n" + Options.USAGE;
        }
        if (o.help) {
            return Options.USAGE + "\ntargets: " + targets.keySet() + "\ncards: " + cardTypes();
        }
        List<Vector> vectors = new ArrayList<>();
        if (o.files.isEmpty()) {
            vectors.addAll(Library.builtIn(o.only));
        } else {
            for (Path p : o.files) {
                vectors.addAll(Library.files(p));
            }
        }
        if (o.list) {
            return vectors.stream().map(v -> v.name() + "  " + String.join("; ", v.clauses()))
                    .collect(Collectors.joining("\n"));
        }
        Target target = targets.get(o.target);
        if (target == null) {
            return "conformance: no target " + o.target + "; registered: " + targets.keySet();
        }
        ServiceReference<Card> card = card(o.card);
        if (card == null) {
            return "conformance: no card service matches " + o.card + "; registered: " + cardTypes();
        }
        List<VectorResult> results = Conformance.run(vectors, target, new ServiceCardSource(context, card),
                new Runner(o.timeout), out, o.report);
        return Summary.line(results);
    }

    private ServiceReference<Card> card(String filter) throws InvalidSyntaxException {
        Collection<ServiceReference<Card>> refs = context.getServiceReferences(Card.class, filter);
        return refs.stream().sorted((a, b) -> b.compareTo(a)).findFirst().orElse(null); // best ranking first
    }

    private String cardTypes() throws InvalidSyntaxException {
        return context.getServiceReferences(Card.class, null).stream()
                .map(r -> "(" + Card.TYPE + "=" + r.getProperty(Card.TYPE) + ")").distinct()
                .collect(Collectors.toList()).toString();
    }
}
