/**
 * A CCID reader as a USB device, pure: the descriptors (USB 2.0 §9.6, CCID 1.1 §5.1) and the handling of control
 * requests (USB 2.0 §9.4) as functions over bytes, with the small per-host state they change. No I/O.
 *
 * <pre>
 * CcidUsbDescriptors d = CcidUsbDescriptors.builder(classDescriptor).ids(0x1209, 0x0001, 0x0100)
 *         .strings("vccid", "vccid Virtual Reader", "0001").build();
 * UsbDeviceState state = new UsbDeviceState();
 * ControlResult r = ControlRequests.handle(d, state, Setup.parse(setup8, 0), outData, classHandler);
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.transport.usbip.usb;
