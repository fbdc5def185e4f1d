// Byte counts as people read them in the doctor's lines (KiB, MiB, GiB; binary).
package org.platformd.driver.doctor;

/** Byte counts as people read them in the doctor's lines (KiB, MiB, GiB; binary). */
final class Bytes {
    private Bytes() {}

    static String human(long bytes) {
        if (bytes >= 1L << 30 && bytes % (1L << 30) == 0) {
            return (bytes >> 30) + " GiB";
        }
        if (bytes >= 1L << 20 && bytes % (1L << 20) == 0) {
            return (bytes >> 20) + " MiB";
        }
        if (bytes >= 1L << 10 && bytes % (1L << 10) == 0) {
            return (bytes >> 10) + " KiB";
        }
        return bytes + " bytes";
    }
}
