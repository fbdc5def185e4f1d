package org.platformd.driver.cli;

import static org.junit.jupiter.api.Assertions.*;

import java.util.List;
import org.junit.jupiter.api.Test;

/** getopt_long's rules, as pciutils' lspci parses its flags, on a table like lspci's. */
class GetoptTest {
    private static final Getopt.Option V = Getopt.Option.flag('v', "verbose");
    private static final Getopt.Option N = Getopt.Option.flag('n', "numeric");
    private static final Getopt.Option S = Getopt.Option.value('s', "SLOT", "slot");
    private static final Getopt.Option DUMP = Getopt.Option.value("dump", "FILE", "a dump");
    private static final Getopt.Option JSON = Getopt.Option.flag("json", "json");
    private static final Getopt.Option HELP = Getopt.Option.flag('h', "help", "help");
    private static final Getopt G = new Getopt("tool sub", List.of(V, N, S, DUMP, JSON, HELP));

    @Test
    void shortFlagsBundleAndCount() {
        Getopt.Parsed p = G.parse(List.of("-vvn", "-v", "-n"));
        assertEquals(3, p.count(V));
        assertEquals(2, p.count(N));
        assertFalse(p.has(JSON));
    }

    @Test
    void aShortValueIsAttachedOrTheNextArgumentAndEndsTheBundle() {
        assertEquals("1f.2", G.parse(List.of("-s1f.2")).value(S));
        assertEquals("1f.2", G.parse(List.of("-s", "1f.2")).value(S));
        Getopt.Parsed p = G.parse(List.of("-vs", "-v"));
        assertEquals("-v", p.value(S), "a value option takes the next argument even when it looks like an option");
        assertEquals(1, p.count(V));
        assertEquals("vn", G.parse(List.of("-svn")).value(S));
    }

    @Test
    void aLongValueFollowsEqualsOrIsTheNextArgument() {
        assertEquals("a=b", G.parse(List.of("--dump=a=b")).value(DUMP));
        assertEquals("f", G.parse(List.of("--dump", "f")).value(DUMP));
        assertEquals("", G.parse(List.of("--dump=")).value(DUMP));
        assertTrue(G.parse(List.of("--json", "--help")).has(HELP));
        assertTrue(G.parse(List.of("-h")).has(HELP), "one option, two names");
    }

    @Test
    void operandsAndTheEndOfOptions() {
        Getopt.Parsed p = G.parse(List.of("x", "-v", "-", "--", "-n", "--json"));
        assertEquals(List.of("x", "-", "-n", "--json"), p.operands());
        assertEquals(1, p.count(V));
        assertFalse(p.has(N));
        assertNull(p.value(S));
    }

    @Test
    void misuseIsRefusedWithWhatIsWrongAndWhereHelpIs() {
        assertEquals("unknown option: '-q' (try 'tool sub --help')", refused("-vq"));
        assertEquals("unknown option: '--nope' (try 'tool sub --help')", refused("--nope=1"));
        assertEquals("option '-s' needs a value: SLOT (try 'tool sub --help')", refused("-v", "-s"));
        assertEquals("option '--dump' needs a value: FILE (try 'tool sub --help')", refused("--dump"));
        assertEquals("option '--json' takes no value (try 'tool sub --help')", refused("--json=yes"));
        assertEquals("option '-s' should be given only once (try 'tool sub --help')", refused("-s", "1", "-s2"));
    }

    private static String refused(String... args) {
        return assertThrows(UsageException.class, () -> G.parse(List.of(args))).getMessage();
    }

    @Test
    void helpListsEveryOptionWithItsValueAndWrapsAtEightyColumns() {
        Getopt g = new Getopt("tool sub", List.of(V, S, DUMP, Getopt.Option.flag("long",
                "word ".repeat(30).trim()), HELP));
        String help = g.help("Does a thing.");
        assertTrue(help.startsWith("Usage: tool sub [OPTIONS]\nDoes a thing.\n"), help);
        assertTrue(help.contains("\n  -v                          verbose\n"), help);
        assertTrue(help.contains("\n  -s SLOT                     slot\n"), help);
        assertTrue(help.contains("\n      --dump=FILE             a dump\n"), help);
        assertTrue(help.contains("\n  -h, --help                  help\n"), help);
        for (String line : help.split("\n")) {
            assertTrue(line.length() <= 80, "wider than 80 columns: " + line);
        }
        assertEquals(4, help.lines().filter(l -> l.contains("word")).count(), help);
    }

    @Test
    void anOptionalValueIsTheNextArgumentUnlessThatIsAnOption() {
        Getopt.Option dir = Getopt.Option.optionalValue("dir", "DIR", "/default", "a directory");
        Getopt.Option tag = Getopt.Option.repeatable("tag", "T", "a tag");
        Getopt.Option hidden = Getopt.Option.value("knob", "N", "tuning").hide();
        Getopt g = new Getopt("d", List.of(dir, tag, hidden, JSON));
        assertEquals("/default", g.parse(List.of("--dir", "--json")).value(dir));
        assertEquals("/default", g.parse(List.of("--dir")).value(dir));
        assertEquals("/x", g.parse(List.of("--dir", "/x")).value(dir));
        assertEquals("/y", g.parse(List.of("--dir=/y")).value(dir));
        assertEquals(List.of("a", "b,c"), g.parse(List.of("--tag", "a", "--tag=b,c")).values(tag));
        assertEquals("3", g.parse(List.of("--knob", "3")).value(hidden));
        String help = g.help("D.");
        assertTrue(help.contains("--dir[=DIR]"), help);
        assertFalse(help.contains("knob"), "hidden: " + help);
    }

    @Test
    void anOptionNeedsAName() {
        assertThrows(IllegalArgumentException.class, () -> Getopt.Option.flag(null, "x"));
        assertThrows(IllegalArgumentException.class,
                () -> new Getopt.Option('x', null, null, Getopt.Kind.VALUE, null, false, "a value needs a label"));
    }
}
