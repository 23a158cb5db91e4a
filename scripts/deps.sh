#!/bin/sh
# Make sure the Debian packages xar builds and tests with are installed.
# As root, install what is missing; otherwise print the exact command and fail.
set -eu
PKGS="build-essential pkg-config libzstd-dev libsquashfuse-dev libfuse3-dev fuse3 \
libsodium-dev check squashfs-tools squashfs-tools-ng squashfuse python3 python3-pip \
python3-venv python3-dev python3-setuptools python3-wheel python3-pygments strace attr \
clang libclang-rt-14-dev valgrind liblz4-dev liblzo2-dev"
missing=""
for p in $PKGS; do
	st=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
	[ "$st" = installed ] || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
	echo "xar: missing Debian packages; run:" >&2
	echo "  sudo apt-get install -y$missing" >&2
	exit 1
fi
echo "xar: installing Debian packages:$missing" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
