package org.vccid.transport.usbip.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

/** Configuration of the USB/IP transport, PID {@value UsbIpComponent#PID}; works without any (loopback, 3240). */
@ObjectClassDefinition(name = "vccid USB/IP transport", description = "Exports every configured vccid reader as a"
        + " USB device that Linux attaches with `usbip attach -r HOST -b BUSID`.")
public @interface UsbIpConfig {

    @AttributeDefinition(name = "Listen address", description = "IP address to bind; loopback unless you mean it")
    String host() default "127.0.0.1";

    @AttributeDefinition(name = "TCP port", description = "USB/IP port (usbip's default is 3240)", min = "0",
            max = "65535")
    int port() default 3240;

    @AttributeDefinition(name = "Bus number", description = "busnum of the exported devices; busids are"
            + " <busnum>-1, <busnum>-2, ...", min = "1", max = "65535")
    int busnum() default 1;

    @AttributeDefinition(name = "idVendor override", description = "Present every reader with this USB vendor ID"
            + " (0x hex or decimal); empty keeps each reader's own vendorId", required = false)
    String idVendor() default "";

    @AttributeDefinition(name = "idProduct override", description = "Present every reader with this USB product ID;"
            + " empty keeps each reader's own productId", required = false)
    String idProduct() default "";

    @AttributeDefinition(name = "Maximum connections", description = "Connections served at once (imports and"
            + " device lists); more are closed at once", min = "1")
    int maxConnections() default 16;

    @AttributeDefinition(name = "OP request timeout (ms)", description = "A new connection that sends no complete"
            + " OP request within this time is closed", min = "1")
    int opTimeoutMillis() default 30000;
}
