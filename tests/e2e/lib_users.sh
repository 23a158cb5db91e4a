# Helpers for the tests that need an unprivileged user besides root,
# sourced after lib.sh and lib_run.sh (after run_setup).

# Can this run create a user and act as it?
can_add_user() {
	is_root && command -v useradd > /dev/null && command -v setpriv > /dev/null
}

# user_setup: create a user for the run: $user, $uid, $gid; widen
# /dev/fuse to 0666 if it is narrower. Both are undone at exit (the
# cleanup joins T_CLEANUP_HOOK). Needs can_add_user.
user_setup() {
	user=xaru$$
	fuse_mode=$(stat -c %a /dev/fuse)
	T_CLEANUP_HOOK="${T_CLEANUP_HOOK:+$T_CLEANUP_HOOK; }user_cleanup"
	useradd -M -N -r -d /nonexistent -s /bin/sh "$user" ||
		{ fail setup "useradd failed"; exit 1; }
	uid=$(id -u "$user")
	gid=$(id -g "$user")
	chmod 0666 /dev/fuse
}

user_cleanup() {
	pkill -9 -u "$user" 2>/dev/null
	wait_until 10 user_gone
	userdel "$user" 2>/dev/null
	chmod "$fuse_mode" /dev/fuse
}
user_gone() { ! pgrep -u "$user" > /dev/null; }

# as_user CMD...: run CMD as the user, keeping the environment.
as_user() {
	setpriv --reuid="$uid" --regid="$gid" --clear-groups -- env HOME=/ "$@"
}
