# The emulated host's devices: one QEMU argument per line, read by run.sh.
# VM_DIR is set by the caller (for drive images). Add a device here and it is in every run.
# Drives use snapshot=on: the guest's writes go to a temporary file, so runs can overlap.
#
#   00:02.0 .. : q35's own devices (VGA, ICH9 LPC/SATA/SMBus at 00:1f.*, one group)
#   rp1 -> pcie-pci-bridge -> edu x2   one IOMMU group of three (bridge + 2 edu)
#   edu on the root bus                its own group
#   nvme on the root bus               MSI-X, 65 vectors
#   rp2 -> nvme with SR-IOV (2 VFs)    PF for SR-IOV tests
#   e1000e                             a real netdev for "in use" checks
cat <<ARGS
-device
pcie-root-port,id=rp1,chassis=1,slot=1
-device
pcie-pci-bridge,id=br1,bus=rp1
-device
edu,bus=br1,addr=1
-device
edu,bus=br1,addr=2
-device
edu
-drive
file=$VM_DIR/nvme0.img,if=none,id=nvm0,format=raw,snapshot=on
-device
nvme,serial=vfiox0,drive=nvm0
-device
pcie-root-port,id=rp2,chassis=2,slot=2
-device
nvme-subsys,id=s0
-device
nvme,serial=vfioxsr,subsys=s0,sriov_max_vfs=2,sriov_vq_flexible=4,sriov_vi_flexible=2,max_ioqpairs=6,msix_qsize=3,bus=rp2
-netdev
user,id=n0,restrict=on
-device
e1000e,netdev=n0
ARGS
