package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.platformd.xml.XmlLocation;

/**
 * The indexed matcher must pick exactly the rule Genode's linear scan picks, for any mix of
 * label / prefix / suffix rules, ties included (first written wins), over a small alphabet
 * so that prefixes and suffixes overlap often.
 */
class LabelIndexPropertyTest {

    private static final XmlLocation AT = new XmlLocation("gen.xml", 1, 1);

    @Property(tries = 300)
    void indexAgreesWithGenodeLinearScan(@ForAll("selectors") List<LabelSelector> selectors,
                                        @ForAll("labels") List<String> labels) {
        List<PolicyRule> rules = new ArrayList<>();
        for (LabelSelector s : selectors) {
            rules.add(new PolicyRule(Optional.of(s), PolicyAttributes.DEFAULT, List.of(), AT));
        }
        Policy policy = Policy.of("gen.xml", rules, Optional.empty());
        for (String label : labels) {
            Match indexed = policy.match(label);
            Match linear = policy.matchLinear(label);
            assertSame(rule(linear), rule(indexed), () -> "label \"" + label + "\" with " + selectors);
        }
    }

    private static PolicyRule rule(Match m) {
        return m instanceof Match.Matched matched ? matched.rule() : null;
    }

    private static Arbitrary<String> text() {
        return Arbitraries.strings().withChars("ab ").ofMinLength(0).ofMaxLength(4);
    }

    @Provide
    Arbitrary<List<LabelSelector>> selectors() {
        Arbitrary<Optional<String>> part = text().optional(0.5);
        return Combinators.combine(part, part, part)
                .as((l, p, s) -> l.isEmpty() && p.isEmpty() && s.isEmpty() ? LabelSelector.exact("") : new LabelSelector(l, p, s))
                .list().ofMaxSize(12);
    }

    @Provide
    Arbitrary<List<String>> labels() {
        return text().list().ofMinSize(1).ofMaxSize(10);
    }
}
