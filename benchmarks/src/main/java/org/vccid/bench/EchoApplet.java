package org.vccid.bench;

import javacard.framework.APDU;
import javacard.framework.Applet;
import javacard.framework.ISO7816;
import javacard.framework.ISOException;

/** A Java Card applet for jCardSim: SELECT answers 90 00, INS EE echoes the command data. */
public class EchoApplet extends Applet {

    public static void install(byte[] bArray, short bOffset, byte bLength) {
        new EchoApplet().register();
    }

    @Override
    public void process(APDU apdu) {
        if (selectingApplet()) {
            return;
        }
        byte[] buf = apdu.getBuffer();
        if (buf[ISO7816.OFFSET_INS] != (byte) 0xEE) {
            ISOException.throwIt(ISO7816.SW_INS_NOT_SUPPORTED);
        }
        short n = apdu.setIncomingAndReceive();
        apdu.setOutgoingAndSend(ISO7816.OFFSET_CDATA, n);
    }
}
