package org.vccid.card.cac.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.AttributeType;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** Configuration of one CAC card (the default card, PID org.vccid.card.cac.default, or factory PID org.vccid.card.cac). */
@ObjectClassDefinition(name = "vccid CAC card", description = "A Common Access Card accepted by OpenSC's cac driver")
public @interface CacConfig {

    @AttributeDefinition(name = "Card name", description = "Service property vccid.card.name; unique per JVM. It also "
            + "names the default state directory.")
    String vccid_card_name() default "cac";

    @AttributeDefinition(name = "State directory", description = "Where the PIN counter and generated keys live; "
            + "empty: the bundle's data area, cards/<name>", required = false)
    String stateDirectory() default "";

    @AttributeDefinition(name = "PKCS#12 file", description = "RSA keys with certificates for the PKI applets (key "
            + "entries in alias order); empty: generate a CA and keys on the first start", required = false)
    String pkcs12Path() default "";

    @AttributeDefinition(name = "PKCS#12 password", type = AttributeType.PASSWORD, required = false)
    String pkcs12Password() default "";

    @AttributeDefinition(name = "Initial PIN", description = "4 to 8 digits; used only when the card state is first "
            + "created (afterwards CHANGE REFERENCE DATA rules)", type = AttributeType.PASSWORD)
    String pin() default "12345678";

    @AttributeDefinition(name = "PIN tries", description = "Wrong PINs before the card locks (1..15); only when the "
            + "card state is first created", min = "1", max = "15")
    int pinTries() default 3;

    @AttributeDefinition(name = "PKI applets", description = "Number of generated keys (1..10), or the most keys taken "
            + "from the PKCS#12 file", min = "1", max = "10")
    int pkiApplets() default 3;

    @AttributeDefinition(name = "ATR", options = {
        @Option(label = "libcacard VCARD_NSS (3B 89 00 56 43 41 52 44 5F 4E 53 53)", value = "vcard"),
        @Option(label = "CAC, libcacard 2.7+ (3B 7A 18 00 00 73 66 74 65 20 63 64 31 34 34)", value = "cac") })
    String atr() default "vcard";
}
