package org.platformd.pci.oracle;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The independent side of the differential test: runs the real lspci (pciutils 3.9.0) and
 * turns its text into the JSON of PCI-JSON.md, one object per device in lspci's (bus) order.
 *
 * <p>It shares no code with the decoder in {@code pci/src/main}: every field comes from
 * lspci's words ({@code -D -vvv -nn}), except the few facts lspci never prints — the
 * header-type byte, the interrupt pin when no "Interrupt:" line is printed, and the ID
 * behind the ambiguous "Virtual Channel" name — which come from lspci's own hex dump
 * ({@code -D -xxxx}). When the -nn device line is cut by lspci's 128-byte name buffer, the
 * vendor/device IDs come from {@code lspci -D -n}.
 *
 * <p>Stateless and thread-safe: each call runs its own lspci processes.
 */
public final class LspciOracle {
    private final LspciCommand lspci;

    LspciOracle(LspciCommand lspci) {
        this.lspci = lspci;
    }

    /** lspci's view of a dump file ({@code lspci -F FILE}), with /usr/bin/lspci. */
    public static ArrayNode dumpFile(Path file) {
        return new LspciOracle(new LspciCommand(LspciCommand.DEFAULT_BINARY)).dump(file);
    }

    /** lspci's view of this machine (BAR sizes from sysfs), with /usr/bin/lspci. */
    public static ArrayNode live() {
        return new LspciOracle(new LspciCommand(LspciCommand.DEFAULT_BINARY)).machine();
    }

    ArrayNode dump(Path file) {
        String source = file.toString();
        if (!Files.isRegularFile(file)) {
            throw new LspciException(source + ": no such dump file");
        }
        String f = file.toString();
        ArrayNode devices = devices(source,
                lspci.run(source, "-F", f, "-D", "-vvv", "-nn"),
                lspci.run(source, "-F", f, "-D", "-xxxx"),
                () -> lspci.run(source, "-F", f, "-D", "-n"));
        if (devices.isEmpty()) {
            // lspci -F exits 0 on a file without a single slot line; comparing nothing proves nothing.
            throw new LspciException(source + ": lspci finds no devices in this dump file");
        }
        return devices;
    }

    ArrayNode machine() {
        String source = "live";
        return devices(source,
                lspci.run(source, "-D", "-vvv", "-nn"),
                lspci.run(source, "-D", "-xxxx"),
                () -> lspci.run(source, "-D", "-n"));
    }

    static ArrayNode devices(String source, String verbose, String hex, Supplier<String> numeric) {
        List<DeviceBlock> blocks = DeviceBlock.split(source, verbose);
        RawConfigDumps raw = RawConfigDumps.parse(source, hex);
        if (raw.deviceCount() != blocks.size()) {
            throw new LspciException(source + ": lspci -vvv lists " + blocks.size()
                    + " devices but lspci -xxxx " + raw.deviceCount());
        }
        Supplier<String> numericOnce = memoize(numeric);
        ArrayNode devices = JsonNodeFactory.instance.arrayNode();
        for (DeviceBlock block : blocks) {
            devices.add(DeviceJson.build(block, raw.config(source, block.slot()),
                    slot -> SlotLine.numericIds(numericOnce.get(), slot)));
        }
        return devices;
    }

    private static Supplier<String> memoize(Supplier<String> supplier) {
        return new Supplier<>() {
            private Optional<String> value = Optional.empty();

            @Override
            public String get() {
                if (value.isEmpty()) {
                    value = Optional.of(supplier.get());
                }
                return value.get();
            }
        };
    }
}
