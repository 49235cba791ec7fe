package org.vccid.transport.usbip.internal;

import java.util.List;

import org.vccid.transport.CcidDevice;
import org.vccid.transport.usbip.usb.CcidUsbDescriptors;
import org.vccid.transport.usbip.usb.Usb;
import org.vccid.transport.usbip.wire.UsbDeviceInfo;
import org.vccid.transport.usbip.wire.UsbIp;

/** One reader offered under a busid. {@link #owner} is guarded by the server. */
final class Exported {
    final CcidDevice device;
    final String busid;
    final int busnum;
    final int devnum;
    final CcidUsbDescriptors descriptors;
    final UsbDeviceInfo info;
    /** The connection that imported it, or null while it is offered. */
    Connection owner;

    Exported(CcidDevice device, int busnum, int devnum, int idVendor, int idProduct) {
        this.device = device;
        this.busnum = busnum;
        this.devnum = devnum;
        this.busid = busnum + "-" + devnum;
        this.descriptors = CcidUsbDescriptors.builder(device.classDescriptor())
                .ids(idVendor >= 0 ? idVendor : device.vendorId(), idProduct >= 0 ? idProduct : device.productId(),
                        device.bcdDevice())
                .strings(device.manufacturer(), device.name(), device.serialNumber()).build();
        this.info = new UsbDeviceInfo("/sys/devices/platform/vccid-usbip/usb" + busnum + "/" + busid, busid, busnum,
                devnum, UsbIp.SPEED_FULL, descriptors.idVendor(), descriptors.idProduct(), descriptors.bcdDevice(),
                0, 0, 0, CcidUsbDescriptors.CONFIGURATION_VALUE, 1,
                List.of(new UsbDeviceInfo.UsbInterfaceInfo(Usb.CLASS_CSCID, 0, 0)));
    }

    int devid() {
        return UsbIp.devid(busnum, devnum);
    }

    @Override
    public String toString() {
        return busid + " (\"" + device.name() + "\")";
    }
}
