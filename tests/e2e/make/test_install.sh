#!/bin/sh
# make install DESTDIR=... PREFIX=/usr: the programs, the xarexec_fuse link
# and the man pages land where they belong, the installed programs run
# (xarexec_fuse runs an original-format xar), the man pages render without
# warnings and name every option and environment variable --help does;
# make uninstall removes it all.
. "$(dirname "$0")/../lib.sh"
D="$T/destdir"
P="$D/usr"
MAN1="$P/share/man/man1"

if ! make -C "$TOP" BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr install \
    >"$T/make.out" 2>&1; then
	fail install "$(tail -n 3 "$T/make.out" | tr '\n' ' ')"
	exit 0
fi
pass install

is_file_mode() { # NAME PATH MODE
	if [ -f "$2" ] && [ ! -L "$2" ] && [ "$(stat -c %a "$2")" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "$2: $(ls -ld "$2" 2>&1)"
	fi
}
is_file_mode installed-mkxar "$P/bin/mkxar" 755
is_file_mode installed-xarexec "$P/bin/xarexec" 755
is_file_mode installed-mkxar-man "$MAN1/mkxar.1" 644
is_file_mode installed-xarexec-man "$MAN1/xarexec.1" 644
expect_eq installed-xarexec_fuse-link xarexec "$(readlink "$P/bin/xarexec_fuse")"
expect_eq installed-xarexec_fuse-man-link xarexec.1 "$(readlink "$MAN1/xarexec_fuse.1")"
check installed-mkxar-runs "$P/bin/mkxar" --version
check installed-xarexec-runs "$P/bin/xarexec" --version
is_file_mode installed-runtime "$P/lib/xar/xar-runtime" 755
# the installed mkxar finds the installed runtime on its own
mkdir -p "$T/tree/bin" && cp "$P/bin/xarexec" "$T/tree/bin/tool"
check installed-mkxar-self-contained "$P/bin/mkxar" -q -o "$T/sc.xar" \
	--self-contained --exec bin/tool "$T/tree"
expect_eq installed-runtime-embedded 0 \
	"$(cmp -s -n "$(stat -c %s "$P/lib/xar/xar-runtime")" \
	   "$P/lib/xar/xar-runtime" "$T/sc.xar"; echo $?)"

# ---- the man pages ------------------------------------------------------
if command -v man >/dev/null 2>&1; then
	for page in mkxar xarexec xarexec_fuse; do
		MANWIDTH=80 man --warnings -l "$MAN1/$page.1" >"$T/$page.txt" 2>"$T/$page.warn"
		if [ -s "$T/$page.warn" ]; then
			fail "man-$page-renders" "$(head -n 3 "$T/$page.warn" | tr '\n' ' ')"
		elif ! grep -q '^NAME' "$T/$page.txt"; then
			fail "man-$page-renders" "no NAME section in the output"
		else
			pass "man-$page-renders"
		fi
	done
else
	skip man-renders "man is not installed"
fi

# Every option and XAR_/XDG_ variable that --help names is in the page.
documents_help() { # NAME PROGRAM PAGE
	missing=""
	for w in $("$2" --help | grep -o -e '--[a-z][a-z-]*' -e '\bXA[A-Z_]*' -e '\bXDG_[A-Z_]*' -e '\bSOURCE_DATE_EPOCH' | sort -u); do
		roff=$(printf '%s' "$w" | sed 's/-/\\\\-/g')
		grep -q -e "$roff" "$3" || missing="$missing $w"
	done
	if [ -z "$missing" ]; then pass "$1"; else fail "$1" "not in $3:$missing"; fi
}
documents_help man-mkxar-options "$P/bin/mkxar" "$MAN1/mkxar.1"
documents_help man-xarexec-options "$P/bin/xarexec" "$MAN1/xarexec.1"

# ---- the installed xarexec_fuse runs an original-format xar ----------------
if ! have_fuse; then
	skip installed-xarexec_fuse-runs "no usable /dev/fuse and fusermount3"
elif ! command -v mksquashfs >/dev/null 2>&1; then
	skip installed-xarexec_fuse-runs "mksquashfs is not installed"
else
	export XAR_MOUNT_ROOT="$T/mnt" XAR_MOUNT_TIMEOUT=0
	mkdir -m 1777 "$XAR_MOUNT_ROOT"
	T_CLEANUP_HOOK='for m in $(awk -v t="$T/" "index(\$2, t) == 1 { print \$2 }" /proc/mounts); do fusermount3 -u -z "$m" 2>/dev/null; done'
	mkdir -p "$T/orig"
	printf 'echo "xar: ${1##*/}"; shift; echo "args: $*"\n' > "$T/orig/run.sh"
	mksquashfs "$T/orig" "$T/orig.img" -comp zstd -noappend -quiet -no-progress >/dev/null
	python3 "$TOP/tests/tools/craft-xar.py" --no-digest \
	    --shebang '#!/usr/bin/env xarexec_fuse' --header XAREXEC_TARGET=run.sh \
	    "$T/orig.img" "$T/orig.xar"
	chmod 755 "$T/orig.xar"
	out=$(PATH="$P/bin:$PATH" "$T/orig.xar" one "two words" 2>&1)
	expect_eq installed-xarexec_fuse-runs "xar: orig.xar
args: one two words" "$out"
	"$P/bin/xarexec_fuse" -u "$T/orig.xar" >/dev/null 2>&1
fi

# ---- make uninstall ------------------------------------------------------
if make -C "$TOP" BUILD="$BUILD" DESTDIR="$D" PREFIX=/usr uninstall \
    >"$T/make.out" 2>&1; then
	left=$(find "$D" ! -type d)
	expect_eq uninstall-removes-all "" "$left"
else
	fail uninstall "$(tail -n 3 "$T/make.out" | tr '\n' ' ')"
fi
