package org.vccid.card.cac.internal;

import org.osgi.framework.BundleContext;
import org.osgi.service.component.annotations.Activate;
import org.osgi.service.component.annotations.Component;
import org.osgi.service.component.annotations.ConfigurationPolicy;
import org.osgi.service.component.annotations.Reference;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.service.metatype.annotations.Designate;
import org.vccid.card.Card;

/**
 * The default CAC: exists with no configuration at all (name {@code cac}, generated keys, PIN 12345678); PID
 * {@code org.vccid.card.cac.default} changes it.
 */
@Component(name = DefaultCacCardComponent.PID, configurationPolicy = ConfigurationPolicy.OPTIONAL,
        service = Card.class, immediate = true, property = { Card.TYPE + "=cac", Card.NAME + "=cac" })
@Designate(ocd = CacConfig.class)
public class DefaultCacCardComponent extends CacCardService {

    static final String PID = "org.vccid.card.cac.default";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Activate
    void activate(BundleContext context, CacConfig config) throws Exception {
        card = CacCardComponent.open(context, config, log);
    }
}
