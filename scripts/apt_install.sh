#!/usr/bin/env bash
# Install the Debian packages named that are missing (`make install`). When another apt or dpkg
# process (unattended-upgrades, a second terminal) holds apt's locks, wait for it and say so, rather
# than fail: apt-get waits for the dpkg lock itself with DPkg::Lock::Timeout, but `apt-get update`
# fails at once on the package lists' lock, so the wait is done here first.
set -euo pipefail

TIMEOUT="${APT_LOCK_TIMEOUT:-600}"
LOCKS="${APT_LOCK_FILES:-/var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock /var/cache/apt/archives/lock}"
SUDO="${SUDO-$([ "$(id -u)" = 0 ] || echo sudo)}"

missing=()
for package in "$@"; do
    dpkg -s "$package" >/dev/null 2>&1 || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

# The process holding a lock on one of LOCKS, from /proc/locks (readable without root, unlike the
# lock files and other users' file descriptors), whose lines name the locked file's device and inode;
# "->" lines are processes waiting for a lock, not holding it.
lock_holder() {
    local file dev id
    for file in $LOCKS; do
        [ -e "$file" ] || continue
        dev=$(stat -c %d "$file")
        id=$(printf '%02x:%02x:%s' $(((dev >> 8) & 0xfff)) $(((dev & 0xff) | ((dev >> 12) & 0xfff00))) "$(stat -c %i "$file")")
        awk -v id="$id" '$2 != "->" && $6 == id { print $5; exit }' /proc/locks
    done | head -n 1
}

waited=0
while holder=$(lock_holder) && [ -n "$holder" ] && [ "$waited" -lt "$TIMEOUT" ]; do
    if [ "$waited" = 0 ]; then
        name=$(cat "/proc/$holder/comm" 2>/dev/null || echo "?")
        echo "apt: another package manager (process $holder, $name) holds apt's lock; waiting for it to finish (up to ${TIMEOUT} s)…"
    fi
    sleep 1
    waited=$((waited + 1))
done
if [ -n "$holder" ]; then
    echo "apt: still locked after ${TIMEOUT} s; trying anyway."
elif [ "$waited" -gt 0 ]; then
    echo "apt: the lock is free after ${waited} s."
fi

echo "apt: installing ${missing[*]}"
$SUDO apt-get -o DPkg::Lock::Timeout="$TIMEOUT" update -qq
$SUDO apt-get -o DPkg::Lock::Timeout="$TIMEOUT" install -y -qq --no-install-recommends "${missing[@]}"
