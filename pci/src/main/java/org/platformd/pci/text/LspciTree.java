// lspci -t (and -tv): the bus as a tree, drawn the way pciutils 3.9.0's ls-tree.c does.
package org.platformd.pci.text;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;
import org.platformd.pci.config.ConfigSpace;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.names.LspciNames;

/**
 * {@code lspci -t} (and {@code -tv}): the bus as a tree, built and drawn the way pciutils
 * 3.9.0's ls-tree.c does from the bridges' bus-number registers — including its choices, e.g.
 * every bridge hangs off the host bridge in the bridge tree and a device's bus is found by the
 * most recently listed bridge whose secondary..subordinate range holds it. Sources here know no
 * parent links (libpci's PCI_FILL_PARENT), so the tree is what lspci draws for a dump.
 */
public final class LspciTree {
    private static final int LINE_BUF_SIZE = 1024;

    private final LspciNames names;

    public LspciTree(LspciNames names) {
        this.names = names;
    }

    private static final class Bridge {
        final int domain;
        final long primary;
        final long secondary;
        final long subordinate;
        final DecodedDevice device;
        final List<Bridge> children = new ArrayList<>(); // first = most recently attached, as lspci prepends
        final List<Bus> buses = new ArrayList<>();

        Bridge(int domain, long primary, long secondary, long subordinate, DecodedDevice device) {
            this.domain = domain;
            this.primary = primary;
            this.secondary = secondary;
            this.subordinate = subordinate;
            this.device = device;
        }

        Bus find(int domain, long number) {
            for (Bus b : buses) {
                if (b.domain == domain && b.number == number) {
                    return b;
                }
            }
            return null;
        }
    }

    private record Bus(int domain, long number, List<DecodedDevice> devices) {
    }

    /** The tree of {@code devices}; with a {@code filter} (lspci -s/-d) only branches leading to a match. */
    public String render(List<DecodedDevice> devices, Predicate<DecodedDevice> filter, boolean verbose) {
        List<DecodedDevice> sorted = new ArrayList<>(devices);
        sorted.sort(Comparator.comparing(DecodedDevice::address));
        Bridge host = new Bridge(0, 0xffffffffL, 0, 0xffffffffL, null);
        List<Bridge> chain = new ArrayList<>();
        chain.add(host);
        for (DecodedDevice d : sorted) {
            ConfigSpace cfg = d.config();
            int ht = cfg.u8(0x0e, 0) & 0x7f;
            if ((d.classCode() >> 16) == 0x06 && (ht == 1 || ht == 2)) {
                int at = 0x18; // primary, secondary (card bus) and subordinate bus: 0x18..0x1a in both headers
                chain.add(new Bridge(d.address().domain(), cfg.u8(at, 0), cfg.u8(at + 1, 0), cfg.u8(at + 2, 0), d));
            }
        }
        for (Bridge b : chain) {
            Bridge best = null;
            for (Bridge c : chain) {
                if (c != b && (c == host || b.domain == c.domain) && b.primary >= c.secondary
                        && b.primary <= c.subordinate
                        && (best == null || ((best.subordinate - best.primary) & 0xffffffffL)
                        > ((c.subordinate - c.primary) & 0xffffffffL))) {
                    best = c;
                }
            }
            if (best != null) {
                best.children.add(0, b);
            }
        }
        for (Bridge b : chain) {
            if (b.find(b.domain, b.secondary) == null) {
                b.buses.add(new Bus(b.domain, b.secondary, new ArrayList<>()));
            }
        }
        for (DecodedDevice d : sorted) {
            insert(d, host);
        }
        Drawing drawing = new Drawing(chain, filter, verbose);
        drawing.bridge(host, host, 0);
        return drawing.out.toString();
    }

    private static void insert(DecodedDevice d, Bridge b) {
        int domain = d.address().domain();
        int number = d.address().bus();
        Bus bus = b.find(domain, number);
        if (bus == null) {
            for (Bridge c : b.children) {
                if (c.domain == domain && c.secondary <= number && number <= c.subordinate) {
                    insert(d, c);
                    return;
                }
            }
            bus = new Bus(domain, number, new ArrayList<>());
            b.buses.add(bus);
        }
        bus.devices.add(d);
    }

    /** ls-tree.c's drawing: one line buffer, rewritten in place, whose prefix becomes '|' and ' '. */
    private final class Drawing {
        final char[] line = new char[LINE_BUF_SIZE];
        final StringBuilder out = new StringBuilder();
        final List<Bridge> chain;
        final Predicate<DecodedDevice> filter;
        final boolean verbose;

        Drawing(List<Bridge> chain, Predicate<DecodedDevice> filter, boolean verbose) {
            this.chain = chain;
            this.filter = filter;
            this.verbose = verbose;
        }

        int printf(int p, String s) {
            int space = LINE_BUF_SIZE - 1 - p;
            if (space <= 0) {
                return p;
            }
            int n = Math.min(s.length(), space - 1);
            s.getChars(0, n, line, p);
            return s.length() >= space ? p + space : p + n;
        }

        void printIt(int p) {
            int end = Math.min(p, LINE_BUF_SIZE - 1);
            out.append(line, 0, end);
            if (p >= LINE_BUF_SIZE - 1) {
                out.append("...");
            }
            out.append('\n');
            for (int i = 0; i < end; i++) {
                line[i] = line[i] == '+' || line[i] == '|' ? '|' : ' ';
            }
        }

        Bridge bridgeOf(DecodedDevice d) {
            for (Bridge b : chain) {
                if (b.device == d) {
                    return b;
                }
            }
            return null;
        }

        void device(DecodedDevice d, int p) {
            p = printf(p, String.format("%02x.%x", d.address().device(), d.address().function()));
            Bridge b = bridgeOf(d);
            if (b != null) {
                if (b.secondary == 0) {
                    p = printf(p, "-");
                } else if (b.secondary == b.subordinate) {
                    p = printf(p, String.format("-[%02x]-", b.secondary));
                } else {
                    p = printf(p, String.format("-[%02x-%02x]-", b.secondary, b.subordinate));
                }
                bridge(b, null, p);
                return;
            }
            if (verbose) {
                p = printf(p, "  " + names.device(d.vendorId(), d.deviceId(), 256));
            }
            printIt(p);
        }

        boolean deviceShown(DecodedDevice d) {
            if (filter == null || filter.test(d)) {
                return true;
            }
            Bridge br = bridgeOf(d);
            if (br != null) {
                for (Bus b : br.buses) {
                    if (busShown(b)) {
                        return true;
                    }
                }
            }
            return false;
        }

        boolean busShown(Bus b) {
            if (filter == null) {
                return true;
            }
            for (DecodedDevice d : b.devices) {
                if (deviceShown(d)) {
                    return true;
                }
            }
            return false;
        }

        void bus(Bus b, int p) {
            List<DecodedDevice> devs = b.devices;
            if (devs.isEmpty()) {
                printIt(p);
            } else if (devs.size() == 1) {
                if (deviceShown(devs.get(0))) {
                    device(devs.get(0), printf(p, "--"));
                } else {
                    printIt(p);
                }
            } else {
                boolean empty = true;
                for (int i = 0; i < devs.size() - 1; i++) {
                    if (deviceShown(devs.get(i))) {
                        device(devs.get(i), printf(p, "+-"));
                        empty = false;
                    }
                }
                DecodedDevice last = devs.get(devs.size() - 1);
                if (deviceShown(last)) {
                    device(last, printf(p, "\\-"));
                    empty = false;
                }
                if (empty) {
                    printIt(p);
                }
            }
        }

        void bridge(Bridge b, Bridge host, int p) {
            line[p++] = '-';
            List<Bus> buses = b.buses;
            if (buses.size() == 1) {
                Bus only = buses.get(0);
                if (busShown(only)) {
                    if (b == host) {
                        p = printf(p, String.format("[%04x:%02x]-", b.domain, only.number));
                    }
                    bus(only, p);
                } else {
                    printIt(p);
                }
            } else {
                boolean empty = true;
                for (int i = 0; i < buses.size(); i++) {
                    Bus u = buses.get(i);
                    if (busShown(u)) {
                        String mark = i < buses.size() - 1 ? "+-" : "\\-";
                        bus(u, printf(p, String.format("%s[%04x:%02x]-", mark, u.domain, u.number)));
                        empty = false;
                    }
                }
                if (empty) {
                    printIt(p);
                }
            }
        }
    }
}
