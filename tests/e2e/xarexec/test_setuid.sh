#!/bin/sh
# Images holding set-uid and set-gid files: they are mounted nosuid and
# nodev (root's mount and a user's), so a set-uid program run from the
# mount keeps the caller's ids; --list shows the stored bits; --extract
# and the extraction cache (XAR_EXTRACT=1) drop them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_run.sh"
. "$(dirname "$0")/../lib_users.sh"
if ! is_root; then
	skip test_setuid "needs root to make set-uid files of other owners"
	exit 0
fi
run_setup

# bin/id: set-uid root; bin/id-other: set-uid to uid 12345, the target;
# bin/id-gid: set-gid to gid 12345; bin/sg: a set-gid script. Owners are
# kept.
mkdir -p "$T/src/bin"
cd "$T/src/bin" || exit 1
for f in id id-other id-gid; do
	cp /usr/bin/id "$f"
done
printf '#!/bin/sh\necho sg\n' > sg
chown 12345:12345 id-other
chgrp 12345 id-gid
chmod 4755 id id-other
chmod 2755 id-gid sg
cd "$T" || exit 1
"$MKXAR" -q --keep-owner -o s.xar --exec bin/id-other "$T/src" ||
	{ fail setup "cannot build the test xar"; exit 1; }
chmod -R a+rX "$T/src" s.xar
uuid=$(sed -n 's/^UUID="\(.*\)"$/\1/p' s.xar)

# mount_opts MP: the per-mount options of MP in mountinfo (field 6).
mount_opts() { awk -v m="$1" '$5 == m { print $6 }' /proc/self/mountinfo; }
# has_opts NAME MP: MP's per-mount options hold nosuid and nodev.
has_opts() {
	_o=,$(mount_opts "$2"),
	case $_o in
	*,nosuid,*nodev,* | *,nodev,*nosuid,*) pass "$1" ;;
	*) fail "$1" "options [$_o]" ;;
	esac
}

# (a), root's mount.
expect_eq "root runs a program set-uid to another user: its own euid" 0 \
	"$("$XAREXEC" s.xar -u)"
mp=$("$XAREXEC" -n s.xar)
has_opts "root's mount is nosuid,nodev (mountinfo)" "$mp"
expect_eq "root runs a program set-gid to another group: its own egid" 0 \
	"$("$mp/bin/id-gid" -g)"
check "... the file does carry the set-uid bit" test -u "$mp/bin/id-other"

# (c) The listing shows the stored bits.
list_mode() { "$XAREXEC" --list s.xar "$1" | awk -v p="$1" '$NF == p { print $1 }'; }
expect_eq "--list shows a set-uid file" "-rwsr-xr-x" "$(list_mode bin/id)"
expect_eq "--list shows a set-gid file" "-rwxr-sr-x" "$(list_mode bin/sg)"
expect_eq "--list shows the kept owner" "12345/12345" \
	"$("$XAREXEC" --list s.xar bin/id-other | awk '{ print $2 }')"

# setid_files DIR: files under DIR with a set-uid or set-gid bit.
setid_files() { find "$1" -perm /6000 | sort | tr '\n' ' '; }

# (d) --extract drops the bits unless --keep-setid asks for them.
"$XAREXEC" --extract "$T/ex" s.xar > /dev/null 2> err
expect_eq "--extract: status 0" 0 "$?"
expect_eq "--extract drops the set-uid and set-gid bits" "" "$(setid_files "$T/ex")"
expect_eq "... keeping the rest of the mode" "755 755 755 755" \
	"$(stat -c %a "$T/ex/bin/id" "$T/ex/bin/id-other" "$T/ex/bin/id-gid" "$T/ex/bin/sg" | tr '\n' ' ' | sed 's/ $//')"
expect_eq "... and, as root, the owner" 12345 "$(stat -c %u "$T/ex/bin/id-other")"
"$XAREXEC" --extract "$T/ex-kept" --keep-setid s.xar > /dev/null 2> err
expect_eq "--extract --keep-setid: status 0" 0 "$?"
expect_eq "... keeps the set-uid and set-gid bits" \
	"$T/ex-kept/bin/id $T/ex-kept/bin/id-gid $T/ex-kept/bin/id-other $T/ex-kept/bin/sg " \
	"$(setid_files "$T/ex-kept")"
"$XAREXEC" --list --keep-setid s.xar > /dev/null 2> err
expect_eq "--keep-setid without --extract: usage error" \
	"2 xarexec: --keep-setid goes with --extract" "$? $(head -n 1 err)"

# (e) So does the extraction cache.
out=$(XAR_EXTRACT=1 XDG_CACHE_HOME="$T/cache" "$XAREXEC" s.xar -u 2>&1)
expect_eq "run from the extraction cache" 0 "$out"
check "... extracted there" test -x "$T/cache/xar/$uuid/bin/id-other"
expect_eq "... without set-uid or set-gid bits" "" "$(setid_files "$T/cache/xar/$uuid")"

# (b) A user's mount: set-uid programs keep the user's ids.
if ! can_add_user; then
	skip "set-uid files in a user's mount" "needs useradd and setpriv to create a user"
	exit 0
fi
user_setup
expect_eq "a user runs the xar's set-uid target: the user's euid" "$uid" \
	"$(as_user "$XAREXEC" s.xar -u)"
ump=$(as_user "$XAREXEC" -n s.xar)
has_opts "the user's mount is nosuid,nodev (mountinfo)" "$ump"
expect_eq "a user runs a set-uid root program: the user's euid" "$uid" \
	"$(as_user "$ump/bin/id" -u)"
expect_eq "a user runs a set-gid program: the user's egid" "$gid" \
	"$(as_user "$ump/bin/id-gid" -g)"
expect_eq "... whose bits are there" "-rwsr-xr-x -rwxr-sr-x" \
	"$(as_user ls -l "$ump/bin/id" "$ump/bin/id-gid" | awk '{ print $1 }' | tr '\n' ' ' | sed 's/ $//')"
