package org.vccid.card.cac.internal;

import java.io.File;
import java.nio.file.Path;
import java.util.Map;

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
 * CAC cards configured by factory PID {@code org.vccid.card.cac} (one card per configuration; set
 * {@code vccid.card.name}).
 */
@Component(name = CacCardComponent.FACTORY_PID, configurationPid = CacCardComponent.FACTORY_PID,
        configurationPolicy = ConfigurationPolicy.REQUIRE, service = Card.class, immediate = true,
        property = { Card.TYPE + "=cac" })
@Designate(ocd = CacConfig.class, factory = true)
public class CacCardComponent extends CacCardService {

    static final String FACTORY_PID = "org.vccid.card.cac";

    @Reference(service = LoggerFactory.class)
    private Logger log;

    @Activate
    void activate(BundleContext context, CacConfig config, Map<String, Object> properties) throws Exception {
        if (!(properties.get(Card.NAME) instanceof String)) {
            // the annotation default would not become a service property: a nameless card cannot be chosen
            log.error("CAC factory configuration {} has no {}: card not started", properties.get("service.pid"),
                    Card.NAME);
            throw new IllegalArgumentException("factory configuration without " + Card.NAME);
        }
        card = open(context, config, log);
    }

    static CacCard open(BundleContext context, CacConfig config, Logger log) throws Exception {
        String name = config.vccid_card_name();
        Path dir = config.stateDirectory().isEmpty()
                ? context.getDataFile("cards" + File.separator + safe(name)).toPath()
                : Path.of(config.stateDirectory());
        Path p12 = config.pkcs12Path().isEmpty() ? null : Path.of(config.pkcs12Path());
        byte[] atr = switch (config.atr()) {
        case "cac" -> CacCard.ATR_CAC;
        case "vcard" -> CacCard.ATR_VCARD;
        default -> throw new IllegalArgumentException("unknown atr choice '" + config.atr() + "' (vcard, cac)");
        };
        long t0 = System.nanoTime();
        try {
            CacCard c = CacCard.open(new CacCard.Settings(name, dir, p12, config.pkcs12Password().toCharArray(),
                    config.pin(), config.pinTries(), config.pkiApplets(), atr), log::warn);
            log.info("CAC card {} ready: {} PKI applets, state in {} ({} ms)", name, c.pkiApplets(), dir,
                    (System.nanoTime() - t0) / 1_000_000);
            return c;
        } catch (Exception e) {
            log.error("CAC card {} cannot start (state directory {}): {}", name, dir, e.toString());
            throw e;
        }
    }

    private static String safe(String name) {
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
