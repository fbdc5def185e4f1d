// Who can reach the daemon (its socket's owner, group and mode) and what its policy says about itself.
package org.platformd.driver.doctor;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.platformd.policy.Problem;

/** Who can reach the daemon (its socket's owner, group and mode) and what its policy says about itself. */
final class SocketAndPolicyChecks {
    private SocketAndPolicyChecks() {}

    static List<Verdict> socket(Examined e) {
        Path socket = e.machine().path(e.socket());
        if (!Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
            return List.of(Verdict.warn("socket", "no socket at " + e.socket() + ": no daemon listens there",
                    "start the daemon (systemctl start platformd), or name its socket with --socket PATH"));
        }
        PosixFileAttributes a;
        int mode;
        try {
            a = Files.readAttributes(socket, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
            mode = (Integer) Files.getAttribute(socket, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        } catch (IOException | UnsupportedOperationException e1) {
            return List.of(Verdict.fail("socket", "cannot read " + e.socket() + ": " + e1.getMessage(),
                    "run platformctl doctor as root or as the daemon's user"));
        }
        if ((mode & 0170000) != 0140000) {
            return List.of(Verdict.fail("socket", e.socket() + " is not a socket", "remove it and restart the daemon;"
                    + " the daemon never deletes a path that is not a socket"));
        }
        String who = a.owner().getName() + ":" + a.group().getName() + ", mode " + octal(a.permissions());
        Set<PosixFilePermission> p = a.permissions();
        if (p.contains(PosixFilePermission.OTHERS_WRITE)) {
            return List.of(Verdict.fail("socket", e.socket() + " (" + who + ") is writable by others: any local user can"
                            + " connect and claim labels with uid=\"*\"",
                    "chmod 0660 " + e.socket() + " (the daemon creates it 0660; UMask=0007 in the unit keeps it so)"));
        }
        List<Verdict> out = new ArrayList<>();
        Path dir = socket.getParent();
        try {
            Set<PosixFilePermission> d = Files.getPosixFilePermissions(dir);
            if (p.contains(PosixFilePermission.GROUP_WRITE) && !d.contains(PosixFilePermission.GROUP_EXECUTE)) {
                out.add(Verdict.warn("socket", e.socket() + " (" + who + "): group " + a.group().getName() + " may connect"
                                + " but cannot reach it: its directory is mode " + octal(d),
                        "chmod 0750 " + e.socket().toAbsolutePath().getParent() + " (RuntimeDirectoryMode=0750)"));
                return out;
            }
        } catch (IOException e1) {
            out.add(Verdict.warn("socket", "cannot read the mode of " + e.socket().toAbsolutePath().getParent() + ": "
                    + e1.getMessage(), "run platformctl doctor as root"));
            return out;
        }
        out.add(Verdict.ok("socket", e.socket() + ": " + who + "; "
                + (p.contains(PosixFilePermission.GROUP_WRITE) ? "members of group " + a.group().getName() + " may connect"
                        : "only " + a.owner().getName() + " may connect")));
        return out;
    }

    private static String octal(Set<PosixFilePermission> p) {
        int m = 0;
        for (PosixFilePermission x : p) {
            m |= 1 << (8 - x.ordinal());
        }
        return String.format("0%o", m);
    }

    static List<Verdict> policy(Examined e) {
        PolicyFacts f = e.policy();
        List<Verdict> out = new ArrayList<>();
        for (Problem problem : f.problems()) {
            String fix = "edit the policy there (`platformctl policy check " + f.source() + "` lists every problem)";
            out.add(problem.isError() ? Verdict.fail("policy", problem + " — the daemon refuses this policy", fix)
                    : Verdict.warn("policy", problem.toString(), fix));
        }
        f.devicesProblem().ifPresent(p -> out.add(Verdict.warn("policy", p + ": grants not checked",
                "run platformctl doctor where /sys is mounted")));
        if (f.policy().isPresent() && out.isEmpty()) {
            out.add(Verdict.ok("policy", f.source() + ": " + f.policy().get().allRules().size() + " rule(s), no"
                    + " warnings; grants " + f.pciFunctions().size() + " PCI function(s) and "
                    + f.platformDevices().size() + " legacy device(s) here"));
        }
        return out;
    }
}
