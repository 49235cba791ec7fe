package org.vccid.card.pcsc.mirror.internal;

import org.vccid.pcsc.JdkPcsc;
import java.util.Hashtable;

import org.osgi.framework.BundleContext;
import org.osgi.framework.ServiceRegistration;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Deactivate;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.component.annotations.ReferenceCardinality;
import org.osgi.service.component.annotations.ReferencePolicy;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.vccid.card.Card;

/**
 * The PC/SC mirror as a DS component (PID {@code org.vccid.card.pcsc.mirror}, optional configuration: without
 * one every host reader is mirrored, shared). It registers one {@link Card} service per card present in a
 * mirrored host reader and unregisters it when the card or the reader goes away. A configuration change restarts
 * the mirror.
 */
@Component(name = PcscMirrorComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL, immediate = true,
        service = {})
@Designate(ocd = MirrorConfig.class)
public class PcscMirrorComponent {

    static final String PID = "org.vccid.card.pcsc.mirror";

    @Reference(service = LoggerFactory.class, cardinality = ReferenceCardinality.OPTIONAL,
            policy = ReferencePolicy.DYNAMIC)
    private volatile Logger logger;

    private HostMirror mirror;

    @Activate
    void activate(BundleContext context, MirrorConfig config) {
        Settings settings = Settings.of(config); // a bad configuration fails activation with its message
        HostMirror.Registrar registrar = (card, properties) -> {
            ServiceRegistration<Card> reg = context.registerService(Card.class, card, new Hashtable<>(properties));
            return () -> {
                try {
                    reg.unregister();
                } catch (IllegalStateException alreadyGone) {
                    // bundle stopping: the framework unregistered it already
                }
            };
        };
        mirror = new HostMirror(new JdkPcsc(), settings, registrar, new LoggerLog());
        mirror.start();
    }

    @Deactivate
    void deactivate() {
        mirror.stop();
    }

    /** The DS logger when a LoggerFactory is present, else System.Logger. */
    private final class LoggerLog implements MirrorLog {
        private final System.Logger fallback = System.getLogger(PID);

        @Override
        public void debug(String message) {
            Logger l = logger;
            if (l != null) {
                l.debug(message);
            } else {
                fallback.log(System.Logger.Level.DEBUG, message);
            }
        }

        @Override
        public void info(String message) {
            Logger l = logger;
            if (l != null) {
                l.info(message);
            } else {
                fallback.log(System.Logger.Level.INFO, message);
            }
        }

        @Override
        public void warn(String message) {
            Logger l = logger;
            if (l != null) {
                l.warn(message);
            } else {
                fallback.log(System.Logger.Level.WARNING, message);
            }
        }

        @Override
        public void error(String message, Throwable t) {
            Logger l = logger;
            if (l != null) {
                l.error(message, t);
            } else {
                fallback.log(System.Logger.Level.ERROR, message, t);
            }
        }
    }
}
