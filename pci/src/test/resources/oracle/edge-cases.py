# Generates pci/src/test/resources/oracle/edge-cases.lspci: synthetic config spaces that
# exercise the chain-ending and unknown-ID paths no real dump in shared/pci-dumps reaches.
import struct
def le32(c, off, v): c[off:off+4] = struct.pack('<I', v)
def le16(c, off, v): c[off:off+2] = struct.pack('<H', v)
def base(n, vendor, device, cls=0x020000, htype=0, status_cap=True):
    c = bytearray(n)
    le16(c, 0, vendor); le16(c, 2, device)
    le16(c, 4, 0x0006)                      # Mem+ BusMaster+
    if status_cap: le16(c, 6, 0x0010)
    c[8] = 0x01                              # revision
    c[9] = cls & 0xff; c[10] = (cls >> 8) & 0xff; c[11] = cls >> 16
    c[0x0e] = htype
    return c
def ecap(c, off, cid, ver, nxt): le32(c, off, cid | (ver << 16) | (nxt << 20))
devs = []
# 00:01.0 standard chain loops: PM@40 -> MSI@50 -> PM@40
c = base(256, 0x1af4, 0x0001); c[0x34] = 0x40
c[0x40:0x44] = bytes([0x01, 0x50, 0x03, 0x00])
c[0x50:0x54] = bytes([0x05, 0x40, 0x86, 0x00])   # MSI: 64-bit, MMC=3 (8 vectors), MME=0
c[0x3d] = 1
devs.append(("00:01.0", c))
# 00:02.0 standard chain broken: PM@40 -> id 0xff @50
c = base(256, 0x1af4, 0x0002); c[0x34] = 0x40
c[0x40:0x44] = bytes([0x01, 0x50, 0x02, 0x00]); c[0x50] = 0xff
devs.append(("00:02.0", c))
# 00:03.0 unknown standard ID 0x15, Express endpoint, extended chain with both Virtual
# Channel IDs, an unknown extended ID and a loop back to 0x100
c = base(4096, 0x1af4, 0x0003, htype=0x80); c[0x34] = 0x40
c[0x40:0x44] = bytes([0x15, 0x50, 0x00, 0x00])
c[0x50:0x54] = bytes([0x10, 0x00, 0x02, 0x00])   # Express v2 endpoint
le32(c, 0x5c, 0x0000003f | (0x3f << 4))          # LnkCap: speed 15 (unknown), width x63
le16(c, 0x62, 0x0000)                            # LnkSta: speed 0 (unknown), width x0
ecap(c, 0x100, 0x0009, 1, 0x140)
ecap(c, 0x140, 0x0002, 1, 0x180)
ecap(c, 0x180, 0x1234, 15, 0x1c0)
ecap(c, 0x1c0, 0x0001, 2, 0x100)
devs.append(("00:03.0", c))
# 00:04.0 PCI-to-PCI bridge, Subsystem capability, 64-bit prefetchable BAR0
c = base(256, 0x1af4, 0x0004, cls=0x060400, htype=0x01); c[0x34] = 0x40
le32(c, 0x10, 0x0000000c); le32(c, 0x14, 0x00000001)  # BAR0/1: 64-bit pref at 0x1_00000000
c[0x18] = 0x00; c[0x19] = 0x05; c[0x1a] = 0x07
c[0x40:0x44] = bytes([0x0d, 0x00, 0x00, 0x00]); le16(c, 0x44, 0x1234); le16(c, 0x46, 0x5678)
c[0x3d] = 2
devs.append(("00:04.0", c))
# 00:05.0 CardBus bridge: lspci prints "Bus:" but the contract keeps bus numbers for header 1 only
c = base(256, 0x1af4, 0x0005, cls=0x060700, htype=0x02, status_cap=False)
c[0x18] = 0x00; c[0x19] = 0x08; c[0x1a] = 0x09
le16(c, 0x40, 0xabcd); le16(c, 0x42, 0x0001)
devs.append(("00:05.0", c))
# 00:06.0 unknown header type 0x05 (multi-function), pin B in the raw bytes
c = base(256, 0x1af4, 0x0006, htype=0x85, status_cap=False); c[0x3d] = 2
devs.append(("00:06.0", c))
# 00:07.0 BAR forms: I/O unassigned, low-1M, 32-bit prefetchable, type 3; pin out of range
c = base(256, 0x1af4, 0x0007, status_cap=False)
le32(c, 0x10, 0x00000001); le32(c, 0x14, 0x000c0002); le32(c, 0x18, 0xe0000008); le32(c, 0x1c, 0x00000006)
c[0x3c] = 10; c[0x3d] = 5
devs.append(("00:07.0", c))
out = ""
for slot, c in devs:
    out += slot + " Synthetic test device\n"
    for i in range(0, len(c), 16):
        out += "%02x: " % i + " ".join("%02x" % b for b in c[i:i+16]) + "\n"
    out += "\n"
import sys
open(sys.argv[1], "w").write(out)
