// The RPC data path on one held device: batched register and port accesses with the contract's failure semantics.
package org.platformd.driver.device;

import java.util.List;
import org.platformd.bridge.BridgeException;
import org.platformd.bridge.DmaBuffer;
import org.platformd.bridge.IoMem;
import org.platformd.bridge.IoPort;
import org.platformd.bridge.ResourceInfo;
import org.platformd.driver.error.ErrorCode;
import org.platformd.driver.error.ErrorDetail;
import org.platformd.driver.error.PlatformError;
import org.platformd.pci.config.Bar;

/**
 * The RPC data path on one held device: batched register and port accesses with the
 * contract's failure semantics (validate everything first, nothing applied on a bad op;
 * on a failure while executing, the ops before it applied, it and the rest not; the
 * error message starts with "op N: " and carries a {@link ErrorDetail.BatchFailed}).
 * Stateless; the hardware sessions come from the {@link DeviceHandle}.
 *
 * <p>Ops are domain values; the protocol layer translates the wire's ops and refuses an unspecified kind. It
 * may hand a list that translates as it is read: ops are read in order, each before its own checks, so such a
 * refusal comes at the same point of validation as any other of that op.
 */
public final class DataPath {
    public static final int MAX_OPS = 65536;

    /** Read or write (ports: in or out). */
    public enum Access {
        READ, WRITE
    }

    /** One op of a register batch: {@code value} is written for {@link Access#WRITE}. */
    public record RegisterOp(Access access, long offset, int widthBits, long value) {}

    /** One op of a port batch: {@code port} is read unsigned (uint32 on the wire). */
    public record PortOp(Access access, int port, int widthBits, int value) {}

    private DataPath() {}

    public static List<Long> registers(DeviceHandle h, String device, int barIndex, List<RegisterOp> ops) {
        checkCount(ops.size());
        Bar bar = h.host().decoded() == null ? null : h.host().decoded().bars().stream()
                .filter(b -> b.index() == barIndex && b.size() != null && b.size() > 0).findFirst().orElse(null);
        if (bar == null) {
            throw new PlatformError(ErrorCode.NOT_FOUND, "device " + device + " has no BAR " + barIndex);
        }
        if (bar.io()) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "device " + device + " BAR " + barIndex
                    + " is an I/O BAR; use AccessPorts");
        }
        long size = bar.size();
        for (int i = 0; i < ops.size(); i++) {
            RegisterOp op = ops.get(i);
            int w = op.widthBits();
            if (w != 8 && w != 16 && w != 32 && w != 64) {
                throw invalid(i, 0, ErrorCode.INVALID_ARGUMENT, "width " + w + " bits (expected 8, 16, 32 or 64)");
            }
            long off = op.offset();
            if (off % (w / 8) != 0) {
                throw invalid(i, 0, ErrorCode.INVALID_ARGUMENT, "offset 0x" + Long.toUnsignedString(off, 16)
                        + " is not a multiple of " + w / 8);
            }
            if (off < 0 || off > size - w / 8) { // uint64 on the wire: a negative long is beyond any BAR
                throw invalid(i, 0, ErrorCode.OUT_OF_RANGE, device + " BAR " + barIndex + ": " + w / 8 + "-byte access at 0x"
                        + Long.toUnsignedString(off, 16) + " beyond the BAR's " + size + " bytes");
            }
        }
        IoMem mem = h.ioMem(barIndex);
        Long[] values = new Long[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            RegisterOp op = ops.get(i);
            long off = op.offset();
            boolean write = op.access() == Access.WRITE;
            try {
                values[i] = switch (op.widthBits()) {
                    case 8 -> write ? write8(mem, off, op.value()) : (long) mem.read8(off);
                    case 16 -> write ? write16(mem, off, op.value()) : (long) mem.read16(off);
                    case 32 -> write ? write32(mem, off, op.value()) : mem.read32(off) & 0xffffffffL;
                    default -> write ? write64(mem, off, op.value()) : mem.read64(off);
                };
            } catch (BridgeException e) {
                throw invalid(i, i, BridgeErrors.code(e), e.getMessage()); // CLOSED: ABORTED
            }
        }
        return List.of(values);
    }

    private static long write8(IoMem m, long off, long v) {
        m.write8(off, (int) v & 0xff);
        return v & 0xff;
    }

    private static long write16(IoMem m, long off, long v) {
        m.write16(off, (int) v & 0xffff);
        return v & 0xffff;
    }

    private static long write32(IoMem m, long off, long v) {
        m.write32(off, (int) v);
        return v & 0xffffffffL;
    }

    private static long write64(IoMem m, long off, long v) {
        m.write64(off, v);
        return v;
    }

    public static List<Integer> ports(DeviceHandle h, String device, List<PortOp> ops) {
        checkCount(ops.size());
        List<ResourceInfo> io = h.ioResources();
        int[] target = new int[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            PortOp op = ops.get(i);
            int w = op.widthBits();
            if (w != 8 && w != 16 && w != 32) {
                throw invalid(i, 0, ErrorCode.INVALID_ARGUMENT, "width " + w + " bits (expected 8, 16 or 32)");
            }
            int bytes = w / 8;
            long port = op.port() & 0xffffffffL;
            if (port % bytes != 0) {
                throw invalid(i, 0, ErrorCode.INVALID_ARGUMENT, "port 0x" + Long.toHexString(port) + " is not a multiple of "
                        + bytes);
            }
            target[i] = -1;
            for (ResourceInfo r : io) {
                if (port >= r.start() && port + bytes - 1 <= r.end()) {
                    target[i] = r.index();
                }
            }
            if (target[i] < 0) {
                throw invalid(i, 0, ErrorCode.OUT_OF_RANGE, "port 0x" + Long.toHexString(port) + " (" + bytes
                        + " bytes) is outside the I/O ranges of " + device);
            }
        }
        Integer[] values = new Integer[ops.size()];
        for (int i = 0; i < ops.size(); i++) {
            PortOp op = ops.get(i);
            int port = op.port();
            boolean write = op.access() == Access.WRITE;
            try {
                IoPort p = h.ioPort(target[i]);
                int v = op.value();
                values[i] = switch (op.widthBits()) {
                    case 8 -> {
                        if (write) { p.outb(port, v & 0xff); yield v & 0xff; }
                        yield p.inb(port);
                    }
                    case 16 -> {
                        if (write) { p.outw(port, v & 0xffff); yield v & 0xffff; }
                        yield p.inw(port);
                    }
                    default -> {
                        if (write) { p.outl(port, v); yield v; }
                        yield p.inl(port);
                    }
                };
            } catch (BridgeException e) {
                throw invalid(i, i, BridgeErrors.code(e), e.getMessage());
            }
        }
        return List.of(values);
    }

    private static void checkCount(int n) {
        if (n == 0 || n > MAX_OPS) {
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "a batch has 1.." + MAX_OPS + " ops, not " + n);
        }
    }

    /** A batch failure: "op N: why" plus a BatchFailure detail ({@code applied} ops before it were applied). */
    public static PlatformError invalid(int index, int applied, ErrorCode code, String why) {
        return new PlatformError(code, "op " + index + ": " + why, new ErrorDetail.BatchFailed(index, applied));
    }

    /** A vector index (uint32 on the wire: read unsigned) below the device's current vector count. */
    public static void checkVector(int vector, int count) {
        if (Integer.compareUnsigned(vector, count) >= 0) {
            throw new PlatformError(ErrorCode.OUT_OF_RANGE, "vector " + Integer.toUnsignedString(vector)
                    + " not below the current vector count " + count);
        }
    }

    /** Reads or writes a DMA buffer's bytes with the contract's limits. */
    public static void checkDmaRange(DmaBuffer b, String id, long offset, long length) {
        if (length < 0 || length > (1 << 20)) { // uint64 on the wire: negative is above 2^63
            throw new PlatformError(ErrorCode.INVALID_ARGUMENT, "at most 1 MiB per call, not " + Long.toUnsignedString(length)
                    + " bytes");
        }
        if (offset < 0 || offset > b.size() - length) {
            throw new PlatformError(ErrorCode.OUT_OF_RANGE, "buffer " + id + ": " + length + " bytes at "
                    + Long.toUnsignedString(offset) + " beyond its " + b.size() + " bytes");
        }
    }

}
