package org.vccid.conformance.internal.inprocess;

import org.osgi.framework.BundleContext;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;
import org.vccid.conformance.target.CardSource;
import org.vccid.conformance.target.ReaderSpec;
import org.vccid.conformance.target.Target;
import org.vccid.conformance.target.TargetSession;

/** The in-process target as a service: readers come from ConfigAdmin, as in a user's distribution. */
@Component(service = Target.class, property = Target.NAME + "=" + InProcessTarget.NAME)
public class InProcessTargetComponent implements Target {

    private final InProcessTarget target;

    @Activate
    public InProcessTargetComponent(BundleContext context, @Reference ConfigurationAdmin configAdmin) {
        this.target = new InProcessTarget(new ConfigAdminReaders(context, configAdmin, 10_000));
    }

    @Override
    public String name() {
        return target.name();
    }

    @Override
    public TargetSession open(ReaderSpec reader, CardSource cards) throws Exception {
        return target.open(reader, cards);
    }
}
