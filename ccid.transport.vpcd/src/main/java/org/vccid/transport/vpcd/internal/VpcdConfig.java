package org.vccid.transport.vpcd.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** One vpcd slot (factory PID org.vccid.transport.vpcd). */
@ObjectClassDefinition(name = "vccid vpcd slot", description = "Puts one card service into a slot of vsmartcard's "
        + "vpcd driver inside pcscd (vpcd listens on 35963 + slot number by default)")
public @interface VpcdConfig {

    @AttributeDefinition(name = "Host", description = "Where pcscd with vpcd runs")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "vpcd slot N listens on its base port (35963) + N",
            min = "1", max = "65535")
    int port() default 35963;

    @AttributeDefinition(name = "Card filter", description = "LDAP filter choosing the Card service for this slot")
    String card_target() default "(vccid.card.type=*)";

    @AttributeDefinition(name = "Reconnect delay (ms)", min = "10")
    int reconnectMillis() default 1000;

    @AttributeDefinition(name = "Connect timeout (ms)", min = "100")
    int connectTimeoutMillis() default 2000;
}
