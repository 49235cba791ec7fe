package org.vccid.card.pcsc.mirror.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

@ObjectClassDefinition(name = "vccid PC/SC mirror",
        description = "Mirrors the cards in host PC/SC readers as vccid Card services "
                + "(vccid.card.type=pcsc-mirror, vccid.card.name=<host reader name>), one per present card.")
@interface MirrorConfig {

    @AttributeDefinition(name = "Host readers",
            description = "Regular expression matched against the whole host reader name; default: every reader")
    String readerPattern() default ".*";

    @AttributeDefinition(name = "Excluded host readers",
            description = "Regular expression of reader names never mirrored, e.g. the readers vccid itself "
                    + "puts into the same pcscd; empty: none", required = false)
    String readerExclude() default "";

    @AttributeDefinition(name = "Share mode",
            description = "shared: other PC/SC clients may use the card too; exclusive: only the mirror",
            options = { @Option(label = "shared", value = "shared"), @Option(label = "exclusive", value = "exclusive") })
    String shareMode() default "shared";

    @AttributeDefinition(name = "Protocol", description = "Protocol asked of the host reader",
            options = { @Option(label = "T=0 or T=1", value = "*"), @Option(label = "T=0", value = "T=0"),
                    @Option(label = "T=1", value = "T=1") })
    String protocol() default "*";

    @AttributeDefinition(name = "Change wait (ms)",
            description = "Longest single wait for PC/SC change notifications; bounds how fast a newly "
                    + "plugged reader is seen and the mirror stops", min = "50", max = "60000")
    int waitMillis() default 1000;

    @AttributeDefinition(name = "Retry (s)",
            description = "Pause before trying again when no PC/SC service is reachable", min = "1", max = "3600")
    int retrySeconds() default 5;
}
