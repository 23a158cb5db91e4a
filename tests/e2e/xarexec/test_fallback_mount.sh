#!/bin/sh
# Where /dev/fuse opens but the mount itself cannot work, xars still run,
# from the extraction cache, and XAR_DEBUG says why: no_new_privs for a user
# (setpriv --no-new-privs, as systemd services and containers set it), a
# fusermount3 that is not set-uid root (a copy bound over the real one in a
# private mount namespace), and a /dev/fuse that is not the FUSE device
# (/dev/null bound over it). --doctor reports no_new_privs and the
# permission of /dev/fuse. The extraction cache is read-only for the app,
# and --clean still removes it. Creates a user for the run (and removes it);
# widens /dev/fuse to 0666 for the run if it is narrower (and restores it).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
. "$(dirname "$0")/../lib_users.sh"
if ! can_add_user || ! command -v unshare > /dev/null; then
	skip test_fallback_mount "needs root, useradd, setpriv and unshare"
	exit 0
fi
run_setup
user_setup

mkdir -p "$T/app/bin"
printf '#!/bin/sh\necho "ran from $XAR_RUNTIME_FILES"\n' > "$T/app/bin/tool"
chmod 755 "$T/app/bin/tool"
"$MKXAR" -q -o "$T/tool.xar" --exec bin/tool "$T/app" ||
	{ fail setup "mkxar"; exit 1; }
chmod -R a+rX "$T/tool.xar" "$T/app"
uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/tool.xar")
mkdir -m 1777 "$T/cache"
fm=$(command -v fusermount3)
cp "$fm" "$T/fusermount3.plain" && chmod 0755 "$T/fusermount3.plain"
cd "$T" || exit 1

# expect_fallback NAME CACHE REASON OUT: ran from CACHE, debug names REASON,
# nothing of ours is mounted.
expect_fallback() {
	if echo "$4" | grep -qx "ran from $2/xar/$uuid"; then
		pass "$1: runs from the extraction cache"
	else
		fail "$1: runs from the extraction cache" "$(echo "$4" | tail -n 2 | tr '\n' ' ')"
	fi
	if echo "$4" | grep -F "mode: run from the extraction cache" | grep -qF "$3"; then
		pass "$1: XAR_DEBUG names the reason"
	else
		fail "$1: XAR_DEBUG names the reason" "$(echo "$4" | grep -F 'mode:' | tr '\n' ' ')"
	fi
	if grep -qF " $T/mnt/" /proc/mounts; then
		fail "$1: nothing mounted" "$(grep -F " $T/mnt/" /proc/mounts)"
	else
		pass "$1: nothing mounted"
	fi
}

# ---- the user mounts normally: the failures below are the cases' own -----
out=$(as_user env XDG_CACHE_HOME="$T/cache/u0" "$XAREXEC" tool.xar 2>&1)
expect_eq "control: the user mounts" "ran from $T/mnt/uid-$uid/$(basename "$(as_user "$XAREXEC" -n tool.xar)")" "$out"
as_user "$XAREXEC" -u tool.xar > /dev/null 2>&1

# ---- no_new_privs ---------------------------------------------------------
out=$(as_user setpriv --no-new-privs env XAR_DEBUG=1 \
	XDG_CACHE_HOME="$T/cache/u1" "$XAREXEC" tool.xar 2>&1)
expect_fallback no_new_privs "$T/cache/u1" "no_new_privs is set" "$out"
out=$(as_user setpriv --no-new-privs env XDG_CACHE_HOME="$T/cache/u1" \
	"$XAREXEC" --doctor 2>&1)
echo "$out" | grep -q '^problem: no_new_privs is set (NoNewPrivs' &&
	pass "no_new_privs: --doctor names it" ||
	fail "no_new_privs: --doctor names it" "$(echo "$out" | tr '\n' ' ')"
out=$(as_user env XDG_CACHE_HOME="$T/cache/u1" "$XAREXEC" --doctor 2>&1)
echo "$out" | grep -q 'no_new_privs' &&
	fail "without no_new_privs: --doctor is silent about it" "$out" ||
	pass "without no_new_privs: --doctor is silent about it"

# ---- fusermount3 not set-uid ----------------------------------------------
out=$(unshare -m sh -c 'mount --make-rprivate / &&
	mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
	"$T/fusermount3.plain" "$fm" \
	setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env HOME=/ \
	XAR_DEBUG=1 XDG_CACHE_HOME="$T/cache/u2" "$XAREXEC" tool.xar 2>&1)
expect_fallback not-setuid "$T/cache/u2" "'$fm' is not set-uid root" "$out"
out=$(unshare -m sh -c 'mount --make-rprivate / &&
	mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
	"$T/fusermount3.plain" "$fm" \
	setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env HOME=/ \
	XDG_CACHE_HOME="$T/cache/u2" "$XAREXEC" --doctor 2>&1)
echo "$out" | grep -q '^problem: fusermount3 is not set-uid root' &&
	pass "not-setuid: --doctor names it" ||
	fail "not-setuid: --doctor names it" "$(echo "$out" | tr '\n' ' ')"

# ---- /dev/fuse is not FUSE (root: the mount(2) itself fails) ---------------
out=$(unshare -m sh -c 'mount --make-rprivate / &&
	mount --bind /dev/null /dev/fuse && exec "$@"' sh \
	env XAR_DEBUG=1 XDG_CACHE_HOME="$T/cache/r" "$XAREXEC" tool.xar 2>&1)
expect_fallback not-fuse "$T/cache/r" "fuse: mount failed: Invalid argument" "$out"
echo "$out" | grep -F "mode: run from the extraction cache" |
	grep -q "cannot mount on.*cannot mount on" &&
	fail "not-fuse: the reason says 'cannot mount on' once" "$out" ||
	pass "not-fuse: the reason says 'cannot mount on' once"
out=$(unshare -m sh -c 'mount --make-rprivate / &&
	mount --bind /dev/null /dev/fuse && exec "$@"' sh \
	env XDG_CACHE_HOME="$T/cache/r" "$XAREXEC" -m tool.xar 2>&1)
expect_eq "not-fuse: -m (mount only) still fails, naming the cause once" \
	1 "$(echo "$out" | grep -c 'cannot mount on.*Invalid argument')"

# ---- the extraction cache is read-only for the app, as the mount is ---------
# (as the user: root would write through any mode)
mkdir -p "$T/wapp/bin"
cat > "$T/wapp/bin/w" <<'EOF2'
#!/bin/sh
touch "$XAR_RUNTIME_FILES/new" 2>/dev/null && echo "created a file"
mkdir "$XAR_RUNTIME_FILES/bin/d" 2>/dev/null && echo "created a directory"
echo x 2>/dev/null >> "$XAR_RUNTIME_FILES/bin/w" && echo "changed a file"
echo "ran from $XAR_RUNTIME_FILES"
EOF2
chmod 755 "$T/wapp/bin/w"
"$MKXAR" -q -o "$T/w.xar" --exec bin/w "$T/wapp" && chmod a+r "$T/w.xar" ||
	{ fail setup "mkxar w.xar"; exit 1; }
wuuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' "$T/w.xar")
out=$(as_user env XAR_EXTRACT=1 XDG_CACHE_HOME="$T/cache/u3" "$XAREXEC" w.xar 2>&1)
expect_eq "extraction cache: the app cannot write into it" \
	"ran from $T/cache/u3/xar/$wuuid" "$out"
w=$(find "$T/cache/u3/xar/$wuuid" -perm /0222 | head -n 3)
expect_eq "extraction cache: no write bits on anything in it" "" "$w"
out=$(as_user env XDG_CACHE_HOME="$T/cache/u3" "$XAREXEC" --clean --older-than 0 2>&1)
if [ ! -e "$T/cache/u3/xar/$wuuid" ]; then
	pass "extraction cache: --clean still removes it"
else
	fail "extraction cache: --clean still removes it" "$out"
fi
out=$(as_user env XAR_EXTRACT=1 XDG_CACHE_HOME="$T/cache/u3" "$XAREXEC" w.xar 2>&1)
expect_eq "extraction cache: extracted again after --clean" \
	"ran from $T/cache/u3/xar/$wuuid" "$out"

# ---- /dev/fuse not readable and writable by the user: --doctor's fix -------
chmod 0600 /dev/fuse
out=$(as_user env XDG_CACHE_HOME="$T/cache/u1" "$XAREXEC" --doctor 2>&1)
chmod 0666 /dev/fuse
echo "$out" | grep '^problem: cannot open /dev/fuse' | grep -q '0666' &&
	pass "EACCES on /dev/fuse: --doctor names the permission" ||
	fail "EACCES on /dev/fuse: --doctor names the permission" "$(echo "$out" | tr '\n' ' ')"
echo "$out" | grep '^problem: cannot open /dev/fuse' | grep -q 'module' &&
	fail "EACCES on /dev/fuse: --doctor does not blame the module" "$out" ||
	pass "EACCES on /dev/fuse: --doctor does not blame the module"
