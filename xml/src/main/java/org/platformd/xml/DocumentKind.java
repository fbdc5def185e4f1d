// What kind of file a reader reads, so its messages speak of "a policy" or "a machine description".
package org.platformd.xml;

import java.util.Objects;

/**
 * What kind of file a {@link SafeXmlReader} reads, so that its messages name it as the person who
 * edits it knows it ("a DOCTYPE is not allowed in a policy", "the file is empty; a policy needs at
 * least {@code <config/>}").
 *
 * @param noun        the file's kind, read after "a" ("policy", "machine description")
 * @param root        the root element's name, without brackets ("config")
 * @param nestingHint why deep nesting is wrong, ending without a full stop ("a policy needs three
 *                    (&lt;config&gt;, &lt;policy&gt;, &lt;device&gt;)")
 */
public record DocumentKind(String noun, String root, String nestingHint) {
    public DocumentKind {
        Objects.requireNonNull(noun, "noun");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(nestingHint, "nestingHint");
    }
}
