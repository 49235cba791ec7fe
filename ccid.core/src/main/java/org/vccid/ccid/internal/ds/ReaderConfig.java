package org.vccid.ccid.internal.ds;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** A virtual reader: one factory configuration of PID {@value ReaderComponent#PID} per reader. */
@ObjectClassDefinition(name = "vccid reader", description = "A virtual USB CCID smart-card reader. One factory"
        + " configuration per reader; transports (USB/IP, serial, ...) present every configured reader to hosts.")
public @interface ReaderConfig {

    @AttributeDefinition(name = "Name", description = "Reader name, unique in the JVM; also the USB product string")
    String name() default "vccid Virtual Reader";

    @AttributeDefinition(name = "Slots", description = "Number of card slots (1..64)", min = "1", max = "64")
    int slots() default 1;

    @AttributeDefinition(name = "Exchange level", description = "How the host talks to cards (CCID dwFeatures)",
            options = { @Option(label = "Short APDU", value = "SHORT_APDU"),
                    @Option(label = "Short and extended APDU, with chaining", value = "EXTENDED_APDU"),
                    @Option(label = "TPDU (the reader plays T=0 / T=1)", value = "TPDU") })
    String exchangeLevel() default "EXTENDED_APDU";

    @AttributeDefinition(name = "Protocols", description = "dwProtocols mask: 1 = T=0, 2 = T=1, 3 = both")
    int protocols() default 3;

    @AttributeDefinition(name = "dwFeatures", description = "dwFeatures override (decimal or 0x hex); empty or 0"
            + " derives 0x000004FE plus the exchange level bit", required = false)
    String features() default "0";

    @AttributeDefinition(name = "dwMaxCCIDMessageLength", description = "Longest message, header included; 0"
            + " derives it from the level (271 for short APDU and TPDU, 65555 for extended APDU)")
    int maxMessageLength() default 0;

    @AttributeDefinition(name = "USB vendor ID", description = "idVendor, decimal or 0x hex")
    String vendorId() default "0x1209";

    @AttributeDefinition(name = "USB product ID", description = "idProduct, decimal or 0x hex")
    String productId() default "0x0001";

    @AttributeDefinition(name = "Manufacturer", description = "USB manufacturer string")
    String manufacturer() default "vccid";

    @AttributeDefinition(name = "Serial number", description = "USB serial number string; empty derives one from"
            + " the name", required = false)
    String serialNumber() default "";

    @AttributeDefinition(name = "Cards per slot", description = "One LDAP filter per slot, slot 0 first, on the"
            + " properties of org.vccid.card.Card services, e.g. (vccid.card.type=cac); empty leaves the slot"
            + " for manual insertion", required = false)
    String[] slot_cards() default {};

    @AttributeDefinition(name = "Time extension period (ms)", description = "While a card is slow, the host gets a"
            + " CCID time extension this often")
    long timeExtensionMillis() default 1000;
}
