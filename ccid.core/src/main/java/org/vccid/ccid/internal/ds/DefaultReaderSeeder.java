package org.vccid.ccid.internal.ds;

import java.io.IOException;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.InvalidSyntaxException;
import org.osgi.service.cm.Configuration;
import org.osgi.service.cm.ConfigurationAdmin;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.Reference;

/**
 * A distribution that wants a reader out of the box sets the framework property {@value #PROPERTY} to the LDAP
 * filter of the card for slot 0 (the default distribution: {@code (vccid.card.type=cac)}). On a first start, when
 * ConfigAdmin holds no reader configuration at all, this creates one ("vccid Virtual Reader", one slot). After that
 * the configuration is the user's: edit or delete it through ConfigAdmin, FileInstall or Gogo; it is never
 * re-created while any reader configuration exists.
 */
@Component
public class DefaultReaderSeeder {

    public static final String PROPERTY = "vccid.seed.reader";

    private static final System.Logger LOG = System.getLogger(DefaultReaderSeeder.class.getName());

    @Activate
    public DefaultReaderSeeder(BundleContext context, @Reference ConfigurationAdmin configAdmin)
            throws IOException, InvalidSyntaxException {
        String cards = context.getProperty(PROPERTY);
        if (cards == null || cards.isBlank()) {
            return;
        }
        Configuration[] existing = configAdmin.listConfigurations(
                "(service.factoryPid=" + ReaderComponent.PID + ")");
        if (existing != null && existing.length > 0) {
            return;
        }
        context.createFilter(cards.trim()); // refuse a bad filter loudly rather than seed it
        Configuration c = configAdmin.getFactoryConfiguration(ReaderComponent.PID, "default", "?");
        Hashtable<String, Object> props = new Hashtable<>();
        props.put("name", "vccid Virtual Reader");
        props.put("slots", 1);
        props.put("slot.cards", new String[] { cards.trim() });
        c.update(props);
        LOG.log(System.Logger.Level.INFO, "created the default reader configuration {0} (slot 0: {1})", c.getPid(),
                cards);
    }
}
