/**
 * QEMU's virtual smart card protocol (VSCard, {@code vscard_common.h}): a pure codec, bytes in and bytes out, no I/O.
 *
 * <p>A stream of messages, each a 12-byte big-endian header ({@code type}, {@code reader_id}, {@code length}) and
 * {@code length} payload bytes. {@link org.vccid.transport.vsc.protocol.VscMessage} builds and encodes one message,
 * {@link org.vccid.transport.vsc.protocol.VscDecoder} cuts a byte stream into messages with a hard size limit,
 * {@link org.vccid.transport.vsc.protocol.VscInit} reads a {@code VSC_Init} payload and
 * {@link org.vccid.transport.vsc.protocol.PassthruAtr} predicts whether QEMU's {@code ccid-card-passthru} takes an ATR.
 *
 * <pre>
 * VscDecoder in = new VscDecoder(Vsc.DEFAULT_MAX_PAYLOAD);
 * in.feed(bytes, 0, n);
 * for (VscMessage m; (m = in.poll()) != null;) { ... }
 * socket.write(VscMessage.init(Vsc.UNDEFINED_READER_ID).encode());
 * </pre>
 */
@org.osgi.annotation.bundle.Export
@org.osgi.annotation.versioning.Version("1.0.0")
package org.vccid.transport.vsc.protocol;
