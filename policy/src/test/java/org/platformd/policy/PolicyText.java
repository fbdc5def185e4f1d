package org.platformd.policy;

import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;

/** Test helper: policy XML text through the real loader. */
final class PolicyText {

    static final String FILE = "test.xml";

    private PolicyText() {}

    static LoadResult load(String xml) {
        return new PolicyLoader().parse(FILE, xml.getBytes(StandardCharsets.UTF_8));
    }

    /** Loads {@code <config>body</config>} and insists it has no errors. */
    static Policy policy(String configBody) {
        LoadResult r = load("<config>\n" + configBody + "\n</config>\n");
        if (r instanceof LoadResult.Rejected rej) {
            fail("expected a policy, got:\n" + lines(rej.problems()));
        }
        return ((LoadResult.Loaded) r).policy();
    }

    static List<Problem> rejected(String xml) {
        LoadResult r = load(xml);
        assertInstanceOf(LoadResult.Rejected.class, r, () -> "expected rejection of:\n" + xml);
        return r.problems();
    }

    static String lines(List<Problem> problems) {
        return problems.stream().map(Problem::toString).collect(Collectors.joining("\n"));
    }

    static String labelOf(Match m) {
        if (m instanceof Match.Matched matched) {
            return matched.rule().isDefault() ? "default" : matched.rule().selector().orElseThrow().describe();
        }
        return "refused";
    }
}
