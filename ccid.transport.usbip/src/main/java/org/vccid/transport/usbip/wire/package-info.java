/**
 * The USB/IP wire format (Linux tools/usb/usbip, usbip_protocol.rst), pure: bytes in, values out, no I/O. All
 * fields are big-endian; the 8-byte setup packet inside CMD_SUBMIT is raw USB (little-endian words).
 *
 * <pre>
 * byte[] req = OpMessages.importRequest("1-1");          // OP_REQ_IMPORT
 * CmdSubmit s = CmdSubmit.parse(header48, data);         // CMD_SUBMIT
 * byte[] ret = RetSubmit.encode(s.seqnum(), 0, in, 0, n); // RET_SUBMIT with n bytes of IN data
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.transport.usbip.wire;
