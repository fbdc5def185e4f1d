// Reads a policy file and returns a Policy or every problem with it.
package org.platformd.policy;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import org.platformd.xml.DocumentKind;
import org.platformd.xml.SafeXmlReader;
import org.platformd.xml.XmlLimits;
import org.platformd.xml.XmlLocation;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reads a policy file and returns a {@link Policy} or every problem with it. The entry
 * point for the daemon (start and reload) and for {@code platformctl policy check}.
 *
 * <p>The size limit is checked on the file's size before anything is read, and reading is
 * bounded again in case the file grows or is not a regular file (a FIFO, /dev/zero).
 * Stateless and thread-safe.
 */
public final class PolicyLoader {

    /** Class-path resource of the policy shipped for the emulated machine. */
    public static final String SHIPPED_EXAMPLE = "/org/platformd/policy/default-policy.xml";
    /** Class-path resource of the XML Schema of the language. */
    public static final String SCHEMA = "/org/platformd/policy/platformd-policy.xsd";

    private static final Logger LOG = LoggerFactory.getLogger(PolicyLoader.class);
    /** How the XML reader names a policy file in its messages. */
    private static final DocumentKind POLICY_FILE =
            new DocumentKind("policy", "config", "a policy needs three (<config>, <policy>, <device>)");

    /**
     * The bounds a policy file is read within unless the caller sets others ({@code platformctl policy check
     * --max-bytes}): the xml module's defaults, 1 MiB, nesting 16 deep (the language needs 3), 100,000 elements,
     * attribute values of 4096 characters.
     */
    public static final XmlLimits DEFAULT_LIMITS = XmlLimits.DEFAULT;

    private final SafeXmlReader reader;

    public PolicyLoader() {
        this(DEFAULT_LIMITS);
    }

    public PolicyLoader(XmlLimits limits) {
        this.reader = new SafeXmlReader(POLICY_FILE, Objects.requireNonNull(limits, "limits"));
    }

    public XmlLimits limits() {
        return reader.limits();
    }

    /** Loads {@code file}; problems name it as given. Never throws for a bad or unreadable file. */
    public LoadResult load(Path file) {
        String name = file.toString();
        XmlLocation top = new XmlLocation(name, 1, 1);
        SafeXmlReader.Result read;
        try {
            if (Files.isDirectory(file)) {
                return rejected(top, "is a directory, not a policy file");
            }
            if (Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS) || Files.isRegularFile(file)) {
                long size = Files.size(file);
                if (size > reader.limits().maxBytes()) {
                    return rejected(top, reader.tooLargeMessage(size));
                }
            }
            try (InputStream in = Files.newInputStream(file)) {
                read = reader.read(name, in);
            }
        } catch (NoSuchFileException e) {
            return rejected(top, "no such file");
        } catch (IOException e) {
            return rejected(top, "cannot read the file: " + e);
        }
        return validate(name, read);
    }

    /** Loads a policy from a stream (read at most up to the size limit + 1 byte). */
    public LoadResult load(String name, InputStream in) {
        try {
            return validate(name, reader.read(name, in));
        } catch (IOException e) {
            return rejected(new XmlLocation(name, 1, 1), "cannot read: " + e);
        }
    }

    /** Parses and validates policy text already in memory. */
    public LoadResult parse(String name, byte[] content) {
        return validate(name, reader.read(name, content));
    }

    /** Every problem the reader found is an error: a file with one never yields a Policy. */
    private static LoadResult validate(String name, SafeXmlReader.Result read) {
        List<Problem> problems = read.problems().stream()
                .map(p -> Problem.error(p.location(), p.message())).toList();
        LoadResult result = read.root().isPresent() && problems.isEmpty()
                ? new PolicyValidator(name).validate(read.root().get())
                : new LoadResult.Rejected(problems);
        if (result instanceof LoadResult.Loaded loaded) {
            LOG.debug("loaded {} with {} problems", loaded.policy(), result.problems().size());
        } else {
            LOG.debug("rejected {}: {} problems", name, result.problems().size());
        }
        return result;
    }

    /** The policy shipped for the emulated machine (see {@link #SHIPPED_EXAMPLE}). */
    public LoadResult loadShippedExample() {
        try (InputStream in = PolicyLoader.class.getResourceAsStream(SHIPPED_EXAMPLE)) {
            if (in == null) throw new IllegalStateException("resource missing from the jar: " + SHIPPED_EXAMPLE);
            return load("default-policy.xml", in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static LoadResult rejected(XmlLocation at, String message) {
        return new LoadResult.Rejected(List.of(Problem.error(at, message)));
    }
}
