#!/bin/sh
# /init of the kernel unpack test: reports what Linux unpacked and powers off.
export PATH=/bin
/bin/busybox --install -s /bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
echo "UNPACKED: $(ls /ok | tr '\n' ' ')"
[ /etc/hello -ef /etc/hello2 ] && [ "$(cat /etc/hello2)" = "hello, kernel" ] && echo "HARDLINK-OK"
[ -c /dev/console ] && echo "CONSOLE-NODE-OK"
[ "$(readlink /bin/sh)" = busybox ] && echo "SYMLINK-OK"
if modprobe ext4 && grep -q '^ext4 ' /proc/modules && grep -q '^jbd2 ' /proc/modules; then echo "MODPROBE-OK"; fi
echo "INITRAMFS-TEST-DONE"
poweroff -f
