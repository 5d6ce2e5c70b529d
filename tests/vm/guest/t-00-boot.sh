# The emulated host is what the other tests assume.
. /tests/tap.sh
check "the IOMMU is on: /sys/kernel/iommu_groups has groups" test -n "$(ls /sys/kernel/iommu_groups)"
check "vfio-pci is loaded" test -d /sys/bus/pci/drivers/vfio-pci
check "/dev/vfio/vfio exists" test -c /dev/vfio/vfio
is "$(find_ids 1234 11e8 | wc -l)" 3 "three edu devices"
check "vfioctl runs" vfioctl --version
