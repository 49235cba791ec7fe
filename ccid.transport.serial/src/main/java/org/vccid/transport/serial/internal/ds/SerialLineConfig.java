package org.vccid.transport.serial.internal.ds;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;
import org.osgi.service.metatype.annotations.Option;

/** One serial line: one factory configuration of PID {@value SerialLineComponent#PID} per line. */
@ObjectClassDefinition(name = "vccid serial line", description = "Presents one configured reader as a GemPC Twin"
        + " serial reader for libccid's libccidtwin.so: on a pty of its own (pty=/tmp/vccid-serial-0, Linux, JNA),"
        + " or on a TCP port that socat turns into a pty (socat PTY,link=...,rawer TCP:host:port). The reader itself"
        + " is a separate org.vccid.reader configuration (exchangeLevel TPDU).")
public @interface SerialLineConfig {

    @AttributeDefinition(name = "Pty link", description = "Create a pty and a symbolic link to it at this path"
            + " (pcscd's DEVICENAME, e.g. /tmp/vccid-serial-0:GemPCTwin); empty for the TCP mode. The pty lives as"
            + " long as this configuration: stop pcscd before deleting it", required = false)
    String pty() default "";

    @AttributeDefinition(name = "Listen address", description = "TCP address to listen on (TCP mode)")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "Port", description = "TCP port (1..65535) that socat connects to (TCP mode;"
            + " required when no pty is set)", min = "0", max = "65535")
    int port() default 0;

    @AttributeDefinition(name = "Reader type", description = "Must match the DEVICENAME suffix in pcscd's"
            + " reader.conf: it decides the echo and the number of slots libccid opens",
            options = { @Option(label = "GemPC Twin (1 slot, echo)", value = "GemPCTwin"),
                    @Option(label = "SEC1210 (2 slots)", value = "SEC1210"),
                    @Option(label = "GemCore POS Pro (5 slots)", value = "GemCorePOSPro") })
    String readerType() default "GemPCTwin";

    @AttributeDefinition(name = "Reader name", description = "Serve the reader with this name"
            + " (vccid.reader.name); empty to rely on the filter only", required = false)
    String reader() default "";

    @AttributeDefinition(name = "Reader filter", description = "LDAP filter on the properties of"
            + " org.vccid.transport.CcidDevice services, e.g. (vccid.reader.level=TPDU); combined with the name",
            required = false)
    String filter() default "";

    @AttributeDefinition(name = "Firmware string", description = "Answer to the firmware escape (Escape 02), at"
            + " most 49 ASCII characters; libccid only logs it", required = false)
    String firmware() default "";

    @AttributeDefinition(name = "Inter-character timeout (ms)", description = "A frame still incomplete after"
            + " this much quiet is dropped and answered with NAK")
    int interCharTimeoutMillis() default 100;

    @AttributeDefinition(name = "Settle time (ms)", description = "After a (re)connection, bytes are dropped"
            + " until the line has been quiet this long (they answer commands the driver gave up on)")
    int settleMillis() default 100;
}
