// AccessRegisters/AccessPorts ops from the wire as DataPath's domain ops, translated as DataPath reads them.
package org.platformd.driver.server;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.platformd.driver.device.DataPath;
import org.platformd.driver.error.ErrorCode;
import org.platformd.proto.v1.PortOp;
import org.platformd.proto.v1.RegisterOp;

/**
 * A batch's wire ops as {@link DataPath}'s domain ops. The view translates op {@code i} when DataPath reads it
 * (it reads each op before its own checks, after the batch's), so an op of unspecified kind is refused as
 * "op N: kind unspecified" (INVALID_ARGUMENT, BatchFailed N/0) at the same point of validation as before the
 * domain had its own ops: after the count and BAR checks, before that op's width and offset.
 */
final class WireOps {
    private WireOps() {}

    static List<DataPath.RegisterOp> registers(List<RegisterOp> ops) {
        return new View<>(ops.size()) {
            @Override
            public DataPath.RegisterOp get(int i) {
                RegisterOp op = ops.get(i);
                return new DataPath.RegisterOp(access(op.getKind(), i), op.getOffset(), op.getWidthBits(), op.getValue());
            }
        };
    }

    static List<DataPath.PortOp> ports(List<PortOp> ops) {
        return new View<>(ops.size()) {
            @Override
            public DataPath.PortOp get(int i) {
                PortOp op = ops.get(i);
                return new DataPath.PortOp(access(op.getKind(), i), op.getPort(), op.getWidthBits(), op.getValue());
            }
        };
    }

    private static DataPath.Access access(org.platformd.proto.v1.AccessKind kind, int index) {
        return WireEnums.access(kind).orElseThrow(() -> DataPath.invalid(index, 0, ErrorCode.INVALID_ARGUMENT,
                "kind unspecified"));
    }

    private abstract static class View<T> extends AbstractList<T> implements RandomAccess {
        private final int size;

        View(int size) {
            this.size = size;
        }

        @Override
        public int size() {
            return size;
        }
    }
}
