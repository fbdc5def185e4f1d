// A getopt_long-style command-line parser driven by a table of options.
package org.platformd.driver.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * A getopt_long-style command-line parser driven by a table of options, for the commands a person
 * runs most and waits for ({@code platformctl lspci}). picocli builds its model of a command by
 * reflection over annotations and ships Java 5 class files that JDK 17 cannot put into a class-data
 * archive: ~0.1 s of CPU on an idle machine, a third of what such a run costs. This parser loads
 * three classes.
 *
 * <p>Semantics are getopt_long's, as pciutils' own tools parse: short options bundle ({@code -vvn},
 * {@code -tv}), a short option's value is attached or the next argument ({@code -s1f.2},
 * {@code -s 1f.2}), a long option's value follows {@code =} or is the next argument, {@code --} ends
 * the options, and any other argument is an operand. A value option given twice is refused (the
 * second would silently win). Errors are {@link UsageException}s with a message a person understands.
 * Immutable and thread-safe.
 */
public final class Getopt {

    /** How an option takes a value. */
    public enum Kind {
        /** No value; may be given more than once ({@code -vvv} counts three). */
        FLAG,
        /** One value, attached or the next argument; given once. */
        VALUE,
        /**
         * A value when attached ({@code --dir=D}) or when the next argument is not an option, else the
         * option's fallback (picocli's arity 0..1): {@code --cdi-dir --socket S} and {@code --cdi-dir D}.
         */
        OPTIONAL_VALUE,
        /** One value per occurrence, any number of occurrences ({@link Parsed#values}). */
        REPEATABLE
    }

    /**
     * One option. {@code shortName} is {@code 0} when there is none, {@code longName} null when there
     * is none; {@code fallback} is what an {@link Kind#OPTIONAL_VALUE} given without a value means;
     * a hidden option works but help does not list it (tuning knobs for tests).
     */
    public record Option(char shortName, String longName, String paramLabel, Kind kind, String fallback,
            boolean hidden, String description) {
        public Option {
            if (shortName == 0 && longName == null) {
                throw new IllegalArgumentException("an option needs a short or a long name");
            }
            if ((kind == Kind.FLAG) != (paramLabel == null)) {
                throw new IllegalArgumentException("a flag has no value label, any other option has one");
            }
        }

        /** A flag with a short name only. */
        public static Option flag(char shortName, String description) {
            return new Option(shortName, null, null, Kind.FLAG, null, false, description);
        }

        /** A flag with a long name only. */
        public static Option flag(String longName, String description) {
            return new Option((char) 0, longName, null, Kind.FLAG, null, false, description);
        }

        /** A flag with both names. */
        public static Option flag(char shortName, String longName, String description) {
            return new Option(shortName, longName, null, Kind.FLAG, null, false, description);
        }

        /** A value option with a short name only. */
        public static Option value(char shortName, String paramLabel, String description) {
            return new Option(shortName, null, paramLabel, Kind.VALUE, null, false, description);
        }

        /** A value option with a long name only. */
        public static Option value(String longName, String paramLabel, String description) {
            return new Option((char) 0, longName, paramLabel, Kind.VALUE, null, false, description);
        }

        /** A long option whose value may be left out, meaning {@code fallback}. */
        public static Option optionalValue(String longName, String paramLabel, String fallback, String description) {
            return new Option((char) 0, longName, paramLabel, Kind.OPTIONAL_VALUE, fallback, false, description);
        }

        /** A long option that may be given any number of times. */
        public static Option repeatable(String longName, String paramLabel, String description) {
            return new Option((char) 0, longName, paramLabel, Kind.REPEATABLE, null, false, description);
        }

        /** This option, left out of help. */
        public Option hide() {
            return new Option(shortName, longName, paramLabel, kind, fallback, true, description);
        }

        public boolean takesValue() {
            return kind != Kind.FLAG;
        }

        /** How errors name it: {@code -s} or {@code --dump}. */
        public String displayName() {
            return shortName != 0 ? "-" + shortName : "--" + longName;
        }

        /** How help lists it: {@code -h, --help}, {@code -s SLOT}, {@code     --dump=FILE}, {@code --dir[=DIR]}. */
        String synopsis() {
            StringBuilder b = new StringBuilder(shortName != 0 ? "-" + shortName : "  ");
            if (longName != null) {
                b.append(shortName != 0 ? ", " : "  ").append("--").append(longName);
                if (kind == Kind.OPTIONAL_VALUE) {
                    b.append("[=").append(paramLabel).append(']');
                } else if (takesValue()) {
                    b.append('=').append(paramLabel);
                }
            } else if (takesValue()) {
                b.append(' ').append(paramLabel);
            }
            return b.toString();
        }
    }

    /** What a command line said: each option's occurrences in order, and the operands. */
    public record Parsed(List<Occurrence> occurrences, List<String> operands) {
        public Parsed {
            occurrences = List.copyOf(occurrences);
            operands = List.copyOf(operands);
        }

        /** How many times {@code o} was given ({@code -vvv} is three). */
        public int count(Option o) {
            return (int) occurrences.stream().filter(x -> x.option() == o).count();
        }

        public boolean has(Option o) {
            return count(o) > 0;
        }

        /** Every value {@code o} was given, in order (a {@link Kind#REPEATABLE} option's). */
        public List<String> values(Option o) {
            return occurrences.stream().filter(x -> x.option() == o).map(Occurrence::value).toList();
        }

        /** {@code o}'s value, or null when it was not given. */
        public String value(Option o) {
            String v = null;
            for (Occurrence x : occurrences) {
                if (x.option() == o) {
                    v = x.value();
                }
            }
            return v;
        }
    }

    /** One option as given, with its value (null for a flag). */
    public record Occurrence(Option option, String value) {}

    private final String command;
    private final List<Option> options;
    private final Map<Character, Option> byShort;
    private final Map<String, Option> byLong;

    /** A parser for {@code command} (how errors and help name it, e.g. {@code platformctl lspci}). */
    public Getopt(String command, List<Option> options) {
        this.command = command;
        this.options = List.copyOf(options);
        this.byShort = this.options.stream().filter(o -> o.shortName() != 0)
                .collect(Collectors.toUnmodifiableMap(Option::shortName, Function.identity()));
        this.byLong = this.options.stream().filter(o -> o.longName() != null)
                .collect(Collectors.toUnmodifiableMap(Option::longName, Function.identity()));
    }

    /** Parses {@code args} (the command's own, without its name). */
    public Parsed parse(List<String> args) {
        List<Occurrence> seen = new ArrayList<>();
        List<String> operands = new ArrayList<>();
        for (int i = 0; i < args.size(); i++) {
            String a = args.get(i);
            if (a.equals("--")) {
                operands.addAll(args.subList(i + 1, args.size()));
                break;
            } else if (a.startsWith("--")) {
                int eq = a.indexOf('=');
                String name = a.substring(2, eq < 0 ? a.length() : eq);
                Option o = byLong.get(name);
                if (o == null) {
                    throw unknown("--" + name);
                }
                if (!o.takesValue()) {
                    if (eq >= 0) {
                        throw new UsageException("option '--" + name + "' takes no value (" + usageHint() + ")");
                    }
                    seen.add(new Occurrence(o, null));
                } else if (eq >= 0) {
                    add(seen, o, a.substring(eq + 1));
                } else if (o.kind() == Kind.OPTIONAL_VALUE) {
                    boolean given = i + 1 < args.size() && !args.get(i + 1).startsWith("-");
                    add(seen, o, given ? args.get(++i) : o.fallback());
                } else {
                    add(seen, o, next(args, ++i, o));
                }
            } else if (a.startsWith("-") && a.length() > 1) {
                for (int k = 1; k < a.length(); k++) {
                    Option o = byShort.get(a.charAt(k));
                    if (o == null) {
                        throw unknown("-" + a.charAt(k));
                    }
                    if (!o.takesValue()) {
                        seen.add(new Occurrence(o, null));
                    } else {
                        add(seen, o, k + 1 < a.length() ? a.substring(k + 1) : next(args, ++i, o));
                        break;
                    }
                }
            } else {
                operands.add(a);
            }
        }
        return new Parsed(seen, operands);
    }

    /** Refuses {@code p}'s operands, for a command that takes none. */
    public void refuseOperands(Parsed p) {
        if (!p.operands().isEmpty()) {
            throw new UsageException("unexpected argument '" + p.operands().get(0) + "' (" + usageHint() + ")");
        }
    }

    private void add(List<Occurrence> seen, Option o, String value) {
        if (o.kind() != Kind.REPEATABLE && seen.stream().anyMatch(x -> x.option() == o)) {
            throw new UsageException("option '" + o.displayName() + "' should be given only once (" + usageHint() + ")");
        }
        seen.add(new Occurrence(o, value));
    }

    private String next(List<String> args, int i, Option o) {
        if (i >= args.size()) {
            throw new UsageException("option '" + o.displayName() + "' needs a value: " + o.paramLabel()
                    + " (" + usageHint() + ")");
        }
        return args.get(i);
    }

    private UsageException unknown(String name) {
        return new UsageException("unknown option: '" + name + "' (" + usageHint() + ")");
    }

    private String usageHint() {
        return "try '" + command + " --help'";
    }

    /** Help is laid out for a terminal this wide, as picocli's is. */
    private static final int HELP_WIDTH = 80;
    /** Where descriptions start; a longer synopsis puts its description on the next line. */
    private static final int DESCRIPTION_COLUMN = 30;

    /** The help text: a usage line, the description, then each option with its description wrapped. */
    public String help(String description) {
        StringBuilder b = new StringBuilder("Usage: ").append(command).append(" [OPTIONS]\n");
        wrap(b, description, 0);
        for (Option o : options) {
            if (o.hidden()) {
                continue;
            }
            String left = "  " + o.synopsis();
            b.append(left);
            if (left.length() + 2 > DESCRIPTION_COLUMN) {
                b.append('\n').append(" ".repeat(DESCRIPTION_COLUMN));
            } else {
                b.append(" ".repeat(DESCRIPTION_COLUMN - left.length()));
            }
            wrap(b, o.description(), DESCRIPTION_COLUMN);
        }
        return b.toString();
    }

    /** Appends {@code text} word by word, breaking lines at {@link #HELP_WIDTH} and indenting them by {@code indent}. */
    private static void wrap(StringBuilder b, String text, int indent) {
        int column = indent;
        boolean first = true;
        for (String word : text.split(" ")) {
            if (!first && column + 1 + word.length() > HELP_WIDTH) {
                b.append('\n').append(" ".repeat(indent + 2));
                column = indent + 2;
            } else if (!first) {
                b.append(' ');
                column++;
            }
            b.append(word);
            column += word.length();
            first = false;
        }
        b.append('\n');
    }
}
