# Interrupts through VFIO on eventfds: raised by the device (edu INTx and MSI) and
# triggered in software (vfioctl irq-test on nvme MSI-X and edu).
# vfiox-backends: all
. /tests/tap.sh
. /tests/sysfs.sh

edu=$(edu_alone)
nvme=$(nvme_plain)
for a in $edu $nvme; do bind_to vfio-pci "$a"; done

is "$(vfiox-irq "$edu" msi 3 2>&1)" "3/3 delivered" "edu MSI raised by the device arrives on the eventfd, 3 times"
is "$(vfiox-irq "$edu" intx 3 2>&1)" "3/3 delivered" \
	"edu INTx raised by the device arrives, acknowledged and unmasked each time"
is "$(vfiox-irq "$edu" intx-mask 3 2>&1)" "0/3 arrived while masked, 3/3 after unmask" \
	"edu INTx masked through VFIO stays silent while the device raises it, and arrives on unmask"

J=$(vfioctl irq-test --json --type msix --vectors 4 "$nvme"); rc=$?
is "$rc" 0 "irq-test of 4 nvme MSI-X vectors exits 0"
is "$(echo "$J" | jq -r '[.vectors[] | "\(.vector):\(.arrived):\(.stray | length)"] | join(" ")')" \
	"0:true:0 1:true:0 2:true:0 3:true:0" "each MSI-X vector triggered in software arrives on its own eventfd and nowhere else"
out=$(vfioctl irq-test "$nvme"); rc=$?
like "$rc $out" "^0 $nvme: msix loopback, 65 vectors: 65 arrived" "irq-test reports all 65 MSI-X vectors of nvme"
out=$(vfioctl irq-test --type msi "$edu"); rc=$?
like "$rc $out" "^0 $edu: msi loopback, 1 vector: 1 arrived" "irq-test of edu's MSI"
out=$(vfioctl irq-test --type intx "$edu"); rc=$?
like "$rc $out" "^0 $edu: intx loopback, 1 vector: 1 arrived" "irq-test of edu's INTx"
out=$(vfioctl irq-test --type msix "$edu" 2>&1); rc=$?
like "$rc $out" "^1 .*has no msix interrupts" "irq-test of MSI-X on a device without it: exit 1, says so"
out=$(vfioctl irq-test --vectors 70 "$nvme" 2>&1); rc=$?
like "$rc $out" "^1 .*has 65 msix vectors, not 70" "more vectors than the device has: exit 1, says how many"

# MSI-X grows from 2 to 4 vectors; the first two keep their eventfds.
is "$(vfiox-irq "$nvme" grow 2>&1)" "0:ok 1:ok 2:ok 3:ok" \
	"MSI-X grown from 2 to 4 vectors: every vector still arrives on its own eventfd"

# REQ: the kernel asks the holder for the device back when it is unbound.
: > /tmp/req.out # emptied first: the file runs once per backend, and the wait reads it
vfiox-irq "$edu" req 20 > /tmp/req.out 2>&1 &
holder=$!
i=0; while ! grep -q ready /tmp/req.out 2>/dev/null && [ $i -lt 50 ]; do i=$((i + 1)); sleep 0.1; done
echo "$edu" > /sys/bus/pci/devices/$edu/driver/unbind
wait $holder; rc=$?
is "$rc $(tr '\n' ' ' < /tmp/req.out)" "0 ready req " \
	"unbinding a device in use: the holder gets the REQ interrupt and lets go"
is "$(sys_driver $edu)" null "the unbind then completes"

reprobe "$edu" "$nvme"
