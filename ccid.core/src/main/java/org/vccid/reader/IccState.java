package org.vccid.reader;

/** The card's state in a slot: CCID bmICCStatus (CCID 1.1 §6.2.6). */
public enum IccState {
    /** A card is present and powered (bmICCStatus 0). */
    PRESENT_ACTIVE(0),
    /** A card is present but not powered (bmICCStatus 1). */
    PRESENT_INACTIVE(1),
    /** No card (bmICCStatus 2). */
    ABSENT(2);

    private final int bmIccStatus;

    IccState(int bmIccStatus) {
        this.bmIccStatus = bmIccStatus;
    }

    /** The CCID bmICCStatus value (0, 1 or 2). */
    public int bmIccStatus() {
        return bmIccStatus;
    }
}
