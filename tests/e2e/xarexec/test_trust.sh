#!/bin/sh
# Signed xars and the trust policy: mkxar --new-key/--sign, xarexec
# --verify [--key], --info's signer; under a policy in /etc/xar/trusted.d
# (a tmpfs over /etc/xar in a private mount namespace, so nothing outside
# this test sees it) only good signatures of trusted keys run, whatever in
# the header, image, signature or runtime was changed; unsafe policies stop
# everything; a user's policy only narrows; a forged header with a trusted
# image's UUID never reaches its mount; the original runtime's way of
# running a xar still works on a signed one.
if [ -z "${XAR_TRUST_NS:-}" ] && [ "$(id -u)" -eq 0 ] &&
    command -v unshare > /dev/null; then
	created=
	[ -d /etc/xar ] || { mkdir /etc/xar && created=1; }
	XAR_TRUST_NS=1 unshare -m --propagation private sh "$0"
	rc=$?
	[ -n "$created" ] && rmdir /etc/xar
	exit $rc
fi
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
run_setup
cd "$T" || exit 1

# ---- keys and signatures, no policy ----
"$MKXAR" --new-key k1 > out
expect_eq "--new-key: status 0" 0 "$?"
grep -q "key id [0-9a-f]\{16\}$" out && pass "--new-key: says the key id" ||
	fail "--new-key: says the key id" "$(cat out)"
expect_eq "--new-key: secret 0600, public 0644" "600 644" \
	"$(stat -c %a k1.key) $(stat -c %a k1.pub)"
cp k1.key k1.before
"$MKXAR" --new-key k1 2> err
expect_eq "--new-key never overwrites" "1 same" \
	"$? $(cmp -s k1.key k1.before && echo same)"
rm k1.pub
"$MKXAR" --new-key k1 2> err
expect_eq "--new-key: not over a lone secret key either" "1 same" \
	"$? $(cmp -s k1.key k1.before && echo same)"
rm -f k1.pub k1.key k1.before
"$MKXAR" --new-key k1 > /dev/null && "$MKXAR" --new-key k2 > /dev/null
id1=$(sed -n 's/.*key id //p' out)

make_app_tree "$T/src"
"$MKXAR" -q -o s.xar --sign k1.key --exec bin/app src
"$MKXAR" -q -o s2.xar --sign k2.key --exec bin/app src
"$MKXAR" -q -o u.xar --exec bin/app src
"$MKXAR" -q -o sc.xar --self-contained --sign k1.key --exec bin/app src
id1=$("$XAREXEC" --verify s.xar | sed -n 's/.*signed by key \([0-9a-f]*\):.*/\1/p')
[ -n "$id1" ] && pass "--verify: names the signer" || fail "--verify: names the signer" "none"
expect_eq "--verify --key the signer's: status 0" 0 \
	"$("$XAREXEC" --verify --key k1.pub s.xar > /dev/null; echo $?)"
"$XAREXEC" --verify --key k2.pub s.xar > /dev/null 2> err
expect_eq "--verify --key another's: refused" 1 "$?"
grep -q "signed by key $id1, not by k2.pub" err && pass "... naming both keys" ||
	fail "... naming both keys" "$(cat err)"
"$XAREXEC" --verify --key k1.pub u.xar > /dev/null 2> err
expect_eq "--verify --key of an unsigned xar: refused" "1 not signed" \
	"$? $(sed 's/.*: //' err)"
expect_eq "--info: the signer" "signer:       key $id1 (the signature holds)" \
	"$("$XAREXEC" --info s.xar | grep '^signer:')"
expect_eq "--info --json: signer, signature" "$id1 good" \
	"$("$XAREXEC" --info --json s.xar | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["signer"], d["signature"])')"
chmod 644 k1.key
"$MKXAR" -q -o loose.xar --sign k1.key --exec bin/app src 2> err
expect_eq "--sign with a key others can read: refused, nothing written" \
	"1 absent" "$? $([ -e loose.xar ] || echo absent)"
grep -q "chmod 600" err && pass "... saying how to fix it" || fail "... saying how" "$(cat err)"
chmod 600 k1.key
expect_eq "no policy: an unsigned xar runs" "[u.xar]" "$("$XAREXEC" u.xar | head -n 1)"
"$XAREXEC" -u u.xar

# The original runtime reads KEY="value" lines as sh would and runs
# XAREXEC_TARGET from a squashfuse mount: the signature lines change nothing.
hdr=$(sed '/^#xar_stop$/q' s.xar | sed 1d | grep -v '^#')
if (eval "$hdr" && [ -n "$XAREXEC_TARGET" ] && [ -n "$XAR_SIGNATURE" ]) 2> err; then
	pass "original runtime: the signed header parses as sh"
else
	fail "original runtime: the signed header parses as sh" "$(cat err)"
fi
if command -v squashfuse > /dev/null; then
	mkdir -p omnt
	off=$(sed -n 's/^OFFSET="\(.*\)"$/\1/p' s.xar)
	tramp=$(sed -n 's/^XAREXEC_TARGET="\(.*\)"$/\1/p' s.xar)
	if squashfuse -o "offset=$off" s.xar omnt; then
		expect_eq "original runtime: squashfuse mount + its target run the signed xar" \
			"[a]" "$(/bin/sh -e "omnt/$tramp" "$T/s.xar" a | tail -n 1)"
		fusermount3 -u omnt
	else
		fail "original runtime: squashfuse mount" "cannot mount"
	fi
fi

# ---- under a policy ----
if [ -z "${XAR_TRUST_NS:-}" ]; then
	skip "trust policy" "needs root and unshare for a private /etc/xar"
	exit 0
fi
mount -t tmpfs -o mode=755 xar-policy /etc/xar || { fail policy "cannot mount /etc/xar"; exit 1; }
mkdir -m 755 /etc/xar/trusted.d
cp k1.pub /etc/xar/trusted.d/k1.pub
chmod 644 /etc/xar/trusted.d/k1.pub

# refused NAME FILE WANT: exit 1, one line holding WANT, nothing mounted.
refused() {
	"$XAREXEC" "$2" > out 2> err
	rc=$?
	if [ "$rc" -eq 1 ] && [ "$(wc -l < err)" -eq 1 ] && grep -q -- "$3" err &&
	    [ "$(run_mount_count "$T")" -eq "${4:-0}" ] && [ ! -s out ]; then
		pass "policy: $1"
	else
		fail "policy: $1" "status $rc, $(cat err), $(run_mount_count "$T") mounts"
	fi
}
expect_eq "policy: a signed, trusted xar runs" "[s.xar]" "$("$XAREXEC" s.xar | head -n 1)"
mp=$("$XAREXEC" -n s.xar)
case "$mp" in */sha256-*) pass "policy: its mount is named by the full digest" ;;
*) fail "policy: its mount is named by the full digest" "$mp" ;; esac
expect_eq "policy: a self-contained signed xar runs" "[./sc.xar]" "$(./sc.xar | head -n 1)"
"$XAREXEC" -u s.xar; ./sc.xar --xar-unmount
refused "unsigned" u.xar "refused by the trust policy: not signed"
refused "unknown signer" s2.xar "signed by key .*, which it does not trust"

sed 's/^XAR_EXEC="bin\/app"/XAR_EXEC="bin\/apq"/' s.xar > hdr.xar
refused "a changed header" hdr.xar "signature of key $id1 does not hold"
cp s.xar img.xar
off=$(sed -n 's/^OFFSET="\(.*\)"$/\1/p' s.xar)
printf 'Z' | dd of=img.xar bs=1 seek=$((off + 3000)) conv=notrunc 2>/dev/null
refused "a changed image" img.xar "image's SHA-256 does not match"
sed 's/^\(XAR_SIGNATURE="\)./\1f/; s/^\(XAR_SIGNATURE="\)f/\1e/' s.xar > sig.xar
cmp -s sig.xar s.xar && sed 's/^\(XAR_SIGNATURE="\)./\10/' s.xar > sig.xar
refused "a changed signature" sig.xar "does not hold"
cp sc.xar rt.xar
printf '\001' | dd of=rt.xar bs=1 seek=70000 conv=notrunc 2>/dev/null
chmod +x rt.xar
refused "a changed runtime" rt.xar "runtime's SHA-256 does not match"

# A new mount of the very file checked before, unchanged, skips hashing
# it again (a record beside the mount point); a change in place, its size
# and mtime put back, is caught all the same; a record others may write
# vouches for nothing.
cp s.xar keep.xar
sleep 2 # a file changed in the last seconds is not recorded
traced() { XAR_DEBUG=1 "$XAREXEC" keep.xar 2>&1 >/dev/null | grep -c "$1"; "$XAREXEC" -u keep.xar; }
expect_eq "policy: a first mount hashes the file" 1 "$(traced "checking the image's digests")"
rec=$("$XAREXEC" -n keep.xar).verified
expect_eq "policy: ... and records it, 0600" 600 "$(stat -c %a "$rec" 2>&1)"
expect_eq "policy: the next mount of the same file does not" 1 \
	"$(traced "digests were checked here before")"
chmod 620 "$rec"
expect_eq "policy: a record writable by its group is not trusted" 1 \
	"$(traced "checking the image's digests")"
touch -r keep.xar stamp
printf 'Z' | dd of=keep.xar bs=1 seek=$((off + 3000)) conv=notrunc 2>/dev/null
touch -r stamp keep.xar
refused "a file changed in place after a checked mount" keep.xar "image's SHA-256 does not match"

# The forged header: a trusted xar is mounted; a copy claiming its UUID with
# another target is refused, and the trusted mount is untouched.
"$XAREXEC" -m s.xar > /dev/null
sed 's/^XAR_EXEC="bin\/app"/XAR_EXEC="data.txt"/' s.xar > forged.xar
refused "a forged header with a trusted image's UUID" forged.xar "does not hold" 1
is_mounted "$mp" && pass "policy: the trusted mount is untouched" ||
	fail "policy: the trusted mount is untouched" "gone"
"$XAREXEC" -u s.xar

# The extraction fallback under a policy: refused alike, and a trusted
# image's cache is named by its digest.
XAR_EXTRACT=1 XDG_CACHE_HOME="$T/cache" "$XAREXEC" u.xar > /dev/null 2> err
expect_eq "policy, XAR_EXTRACT=1: an unsigned xar is refused, nothing extracted" \
	"1 0" "$? $(ls "$T/cache/xar" 2>/dev/null | grep -vc 'CACHEDIR.TAG')"
expect_eq "policy, XAR_EXTRACT=1: a trusted xar runs" "[s.xar]" \
	"$(XAR_EXTRACT=1 XDG_CACHE_HOME="$T/cache" "$XAREXEC" s.xar | head -n 1)"
ls "$T/cache/xar" | grep -q '^sha256-[0-9a-f]\{64\}$' &&
	pass "policy: the cache is named by the digest" ||
	fail "policy: the cache is named by the digest" "$(ls "$T/cache/xar")"

"$MKXAR" -q -o ex.xar --exec bin/app src
"$XAREXEC" --extract exdir ex.xar 2> err
expect_eq "policy: --extract of an unsigned xar: refused, nothing written" \
	"1 absent" "$? $([ -e exdir ] || echo absent)"

# A user's policy only narrows the system's.
XAR_TRUSTED_KEYS="$T/k2.pub" "$XAREXEC" s2.xar > /dev/null 2> err
expect_eq "user policy: cannot add a key the system does not trust" 1 "$?"
XAR_TRUSTED_KEYS="$T/k2.pub" "$XAREXEC" s.xar > /dev/null 2> err
expect_eq "user policy: narrows away a system key" 1 "$?"
expect_eq "user policy: naming the system's key keeps it" "[s.xar]" \
	"$(XAR_TRUSTED_KEYS="$T/k1.pub" "$XAREXEC" s.xar | head -n 1)"
XAR_TRUSTED_KEYS="$T/nonexistent.pub" "$XAREXEC" s.xar > /dev/null 2> err
expect_eq "user policy: a missing XAR_TRUSTED_KEYS file stops the run" 1 "$?"
"$XAREXEC" -u s.xar

rm /etc/xar/trusted.d/k1.pub
refused "the key removed from the policy" s.xar "which it does not trust"
"$XAREXEC" --doctor > out
grep -q "problem: the trust policy trusts no key" out &&
	pass "--doctor: a policy that trusts no key" || fail "--doctor: no key" "$(cat out)"
cp k1.pub /etc/xar/trusted.d/k1.pub
chmod 664 /etc/xar/trusted.d/k1.pub
refused "a key file writable by its group" s.xar "is writable by its group"
chmod 644 /etc/xar/trusted.d/k1.pub
chown 65534 /etc/xar/trusted.d/k1.pub
refused "a key file of another user" s.xar "owned by uid 65534, not root"
chown 0 /etc/xar/trusted.d/k1.pub
chmod 777 /etc/xar/trusted.d
refused "a policy directory writable by others" u.xar "is writable by others"
"$XAREXEC" --doctor > out
grep -q "problem: trust policy: '/etc/xar/trusted.d' is writable by others" out &&
	pass "--doctor: names the unsafe policy" || fail "--doctor: unsafe policy" "$(cat out)"
chmod 755 /etc/xar/trusted.d
"$XAREXEC" --doctor > out
grep -q "^ok: trust policy from /etc/xar/trusted.d: 1 trusted key" out &&
	grep -q "^  key $id1$" out && pass "--doctor: the policy in force" ||
	fail "--doctor: the policy in force" "$(head -3 out)"
umount /etc/xar
