package org.platformd.pci.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.infra.Blackhole;
import org.platformd.pci.PciDevice;
import org.platformd.pci.decode.DecodedDevice;
import org.platformd.pci.decode.DeviceDecoder;
import org.platformd.pci.json.DeviceJson;
import org.platformd.pci.names.LspciNames;
import org.platformd.pci.names.PciIds;
import org.platformd.pci.source.LspciDumpReader;
import org.platformd.pci.testing.PciDumps;
import org.platformd.pci.text.LspciText;

/**
 * Decoding the whole shared corpus (158 files, 1,273 functions) per operation. {@code readBytes}
 * is the raw baseline: just reading the files. {@code parseDecodeJson} is the full path the
 * differential test and {@code platformctl lspci --json} take; the others split it up.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class DecodeBenchmark {
    private List<Path> files;
    private List<List<PciDevice>> parsed;
    private LspciText text;

    @Setup
    public void setup() throws IOException {
        files = PciDumps.files();
        parsed = new ArrayList<>();
        for (Path f : files) {
            parsed.add(LspciDumpReader.read(f));
        }
        text = new LspciText(new LspciNames(PciIds.system()));
    }

    @Benchmark
    public void readBytes(Blackhole bh) throws IOException {
        for (Path f : files) {
            bh.consume(Files.readAllBytes(f));
        }
    }

    @Benchmark
    public void parse(Blackhole bh) throws IOException {
        for (Path f : files) {
            bh.consume(LspciDumpReader.read(f));
        }
    }

    @Benchmark
    public void decode(Blackhole bh) {
        for (List<PciDevice> devs : parsed) {
            bh.consume(DeviceDecoder.decodeAll(devs));
        }
    }

    @Benchmark
    public void parseDecodeJson(Blackhole bh) throws IOException {
        for (Path f : files) {
            bh.consume(DeviceJson.toJson(LspciDumpReader.read(f)));
        }
    }

    @Benchmark
    public void parseDecodeText(Blackhole bh) throws IOException {
        for (Path f : files) {
            List<DecodedDevice> d = DeviceDecoder.decodeAll(LspciDumpReader.read(f));
            bh.consume(text.render(d, 3));
        }
    }
}
