package org.platformd.policy;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Random;

/**
 * Makes hostile XML for the reader fuzzers: a valid file mutated (spans cut, doubled or moved; tokens of XML
 * syntax, of the file's own vocabulary and boundary numbers inserted; bytes that are not UTF-8) or a random
 * tree over the vocabulary (any nesting, names, attributes, text). Deterministic per {@link Random}.
 */
final class XmlMutator {
    private static final String[] SYNTAX = {"<", ">", "/>", "</", "\"", "'", "=", " ", "\n", "&amp;", "&#0;", "&#x110000;",
            "&lt;", "&undefined;", "<!--", "-->", "<![CDATA[x]]>", "<?xml version=\"1.0\"?>", "<?pi data?>",
            "<!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;\">]>", "&b;",
            "<!DOCTYPE x SYSTEM \"file:///etc/passwd\">", "xmlns=\"urn:x\"", "xmlns:p=\"urn:p\"", "p:", "\u0000",
            "\uffff", "\ud800", "\u00e9", "\t", "\r"};
    private static final String[] NUMBERS = {"0", "1", "-1", "0x", "0x0", "0xffffffff", "0x100000000", "4294967296",
            "9223372036854775807", "9223372036854775808", "99999999999999999999999", "1K", "1M", "1G", "16E", "8E", "1T",
            "-0x1", "0x-1", " 7 ", "", "1.5", "NaN", "00.0", "1f.7", "20.0", "ff.f", "0000:00:00.0", "*"};

    private final List<String> vocabulary;

    /** @param vocabulary the format's element names, attribute names and values */
    XmlMutator(List<String> vocabulary) {
        this.vocabulary = List.copyOf(vocabulary);
    }

    byte[] mutate(String valid, Random r) {
        StringBuilder s = new StringBuilder(valid);
        int steps = 1 + r.nextInt(r.nextInt(8) == 0 ? 40 : 4);
        for (int i = 0; i < steps && s.length() > 0; i++) {
            int at = r.nextInt(s.length() + 1);
            int to = Math.min(s.length(), at + r.nextInt(r.nextBoolean() ? 8 : 80));
            switch (r.nextInt(7)) {
                case 0 -> s.delete(at, to);
                case 1 -> s.insert(at, s.substring(at, to).repeat(1 + r.nextInt(r.nextInt(10) == 0 ? 200 : 3)));
                case 2 -> {
                    String span = s.substring(at, to);
                    s.delete(at, to);
                    s.insert(r.nextInt(s.length() + 1), span);
                }
                case 3 -> s.insert(at, SYNTAX[r.nextInt(SYNTAX.length)]);
                case 4 -> s.insert(at, vocabulary.get(r.nextInt(vocabulary.size())));
                case 5 -> { // a value replaced by a boundary number
                    int q = s.indexOf("\"", at);
                    int end = q < 0 ? -1 : s.indexOf("\"", q + 1);
                    if (end > q) {
                        s.replace(q + 1, end, NUMBERS[r.nextInt(NUMBERS.length)]);
                    }
                }
                default -> s.setCharAt(Math.min(at, s.length() - 1), (char) (r.nextBoolean() ? r.nextInt(128)
                        : r.nextInt(0x10000)));
            }
        }
        byte[] bytes = s.toString().getBytes(StandardCharsets.UTF_8);
        if (r.nextInt(10) == 0 && bytes.length > 0) { // not UTF-8
            bytes[r.nextInt(bytes.length)] = (byte) (0x80 | r.nextInt(0x80));
        }
        return bytes;
    }

    /** A random tree over the vocabulary, with a random prolog; sometimes nested far deeper than any format allows. */
    byte[] tree(Random r) {
        StringBuilder s = new StringBuilder();
        if (r.nextBoolean()) {
            s.append("<?xml version=\"1.0\" encoding=\"").append(r.nextInt(5) == 0 ? "ISO-8859-1" : "UTF-8")
                    .append("\"?>\n");
        }
        element(s, r, 0, r.nextInt(10) == 0 ? 200 : 5);
        return s.toString().getBytes(r.nextInt(10) == 0 ? StandardCharsets.UTF_16 : StandardCharsets.UTF_8);
    }

    private void element(StringBuilder s, Random r, int depth, int maxDepth) {
        String name = word(r);
        s.append('<').append(name);
        for (int a = r.nextInt(4); a > 0; a--) {
            s.append(' ').append(word(r)).append("=\"").append(r.nextBoolean() ? word(r)
                    : NUMBERS[r.nextInt(NUMBERS.length)]).append('"');
        }
        int children = depth >= maxDepth ? 0 : r.nextInt(depth == 0 ? 6 : 3);
        if (children == 0 && r.nextBoolean()) {
            s.append("/>\n");
            return;
        }
        s.append(">\n");
        for (int c = 0; c < children; c++) {
            if (r.nextInt(10) == 0) {
                s.append(r.nextBoolean() ? "<!-- comment -->" : "text");
            }
            element(s, r, depth + 1, maxDepth);
        }
        s.append("</").append(r.nextInt(20) == 0 ? word(r) : name).append(">\n");
    }

    private String word(Random r) {
        if (r.nextInt(8) == 0) {
            String letters = "abcxyz_-.:0";
            StringBuilder w = new StringBuilder();
            for (int i = 1 + r.nextInt(8); i > 0; i--) {
                w.append(letters.charAt(r.nextInt(letters.length())));
            }
            return w.toString();
        }
        String v = vocabulary.get(r.nextInt(vocabulary.size()));
        return v.isEmpty() ? "x" : v;
    }
}
