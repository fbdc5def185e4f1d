# examples-edu: examples/run edu, unchanged, against QEMU's real edu through the daemon on --backend linux
# (--take-over: edu on vfio-pci; the shipped default policy, label edu-driver) with the fast path: BAR 0
# mapped from resource0, interrupts as VFIO eventfds (MSI and INTx), DMA buffers mapped memfds behind VFIO
# IOMMU mappings. Every check of the example passes, and its values (ID, liveness, factorials, DMA bytes,
# checks passed) equal the same example's on the emulated machine (run on the host before the boot).
source "$(dirname "$0")/lib/check.sh"
source "$(dirname "$0")/lib/examples.sh"

shared_daemon
trap shared_daemon_release EXIT
out="$CHECK_FILES/edu.out"
run_example edu "$out" || true
cat "$out"
example_passed "$out" edu

edu_matches_sim "$out" "Java here"
echo "register rate here: $(line "$out" PASS "register rate"); on the sim: $(line "$SIM/edu.out" PASS "register rate")"
