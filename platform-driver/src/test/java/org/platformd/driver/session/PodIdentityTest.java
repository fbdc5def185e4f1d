package org.platformd.driver.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The pod a process runs in, from /proc/PID/cgroup as the kubelet's two cgroup drivers lay it out. */
class PodIdentityTest {
    @Test
    void everyContainerOfAPodIsThatPod() {
        String systemdA = "0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f1c2d3e_4a5b_6c7d_8e9f"
                + "_0a1b2c3d4e5f.slice/cri-containerd-aaaa.scope";
        String systemdB = systemdA.replace("cri-containerd-aaaa", "cri-containerd-bbbb");
        assertEquals(PodIdentity.fromCgroupFile(List.of(systemdA)), PodIdentity.fromCgroupFile(List.of(systemdB)));
        assertEquals("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod6f1c2d3e_4a5b_6c7d_8e9f"
                + "_0a1b2c3d4e5f.slice", PodIdentity.fromCgroupFile(List.of(systemdA)));
        String cgroupfs = "12:memory:/kubepods/besteffort/pod0b1e2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e/0123456789abcdef";
        assertEquals("/kubepods/besteffort/pod0b1e2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e",
                PodIdentity.fromCgroupFile(List.of("13:pids:/", cgroupfs, "0::/")));
    }

    @Test
    void anotherPodIsAnotherIdentityAndOutsideKubernetesTheWholeFileIs() {
        String a = "0::/kubepods.slice/kubepods-pod11111111_2222_3333_4444_555555555555.slice/cri-containerd-x.scope";
        String b = "0::/kubepods.slice/kubepods-pod99999999_2222_3333_4444_555555555555.slice/cri-containerd-x.scope";
        assertTrue(!PodIdentity.fromCgroupFile(List.of(a)).equals(PodIdentity.fromCgroupFile(List.of(b))));
        assertEquals("4:memory:/user.slice\n0::/user.slice/session-3.scope",
                PodIdentity.fromCgroupFile(List.of("4:memory:/user.slice", "0::/user.slice/session-3.scope")));
    }

    @Test
    void aProcessIsReadFromProcAndAGoneOneHasNoPod(@TempDir Path proc) throws Exception {
        Files.createDirectories(proc.resolve("42"));
        Files.writeString(proc.resolve("42/cgroup"), "0::/kubepods/pod0b1e2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e/c1\n");
        PodIdentity pods = new PodIdentity(proc);
        assertEquals("/kubepods/pod0b1e2c3d-4f5a-6b7c-8d9e-0f1a2b3c4d5e", pods.of(42).orElseThrow());
        assertTrue(pods.of(43).isEmpty());
        assertTrue(pods.of(0).isEmpty());
        assertTrue(new PodIdentity(Path.of("/proc")).of(ProcessHandle.current().pid()).isPresent(), "this JVM");
    }
}
