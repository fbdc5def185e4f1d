// The policy in force, with what the admin view shows about it.
package org.platformd.driver.session;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import org.platformd.policy.Policy;

/**
 * The policy in force, with what the admin view shows about it.
 *
 * @param sourceKind {@code file} (--policy) or {@code shipped} (the built-in example)
 * @param version    1 for the policy loaded at start, +1 per applied reload
 */
public record PolicyState(Policy policy, String text, String sourcePath, String sourceKind, Instant loadTime,
        long version) {

    public String sha256() {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("JDK without SHA-256", e);
        }
    }
}
