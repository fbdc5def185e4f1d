// One attribute as written, with where its name starts.
package org.platformd.policy.xml;

import org.platformd.policy.SourceLocation;

/** One attribute as written, with where its name starts. */
public record XmlAttribute(String name, String value, SourceLocation location) {}
