# Shared by tests/e2e/*/test_python_*.sh (sourced after lib.sh).
# Mounts go under a private XAR_MOUNT_ROOT in $T and are all unmounted at
# exit, so a test leaves no FUSE server behind.

export PATH="$BUILD:$PATH" # "#!/usr/bin/env xarexec" finds ours
export XAR_MOUNT_ROOT="$T/mnt"
mkdir -m 1777 "$XAR_MOUNT_ROOT"
T_CLEANUP_HOOK=py_unmount_all
# The interpreter that mkxar records by default (python3 on PATH, through
# any shim): tests compare against it.
PY=$(python3 -c 'import sys; print(sys.executable)')
PYTAG=$("$PY" -c 'import sys; print(sys.implementation.cache_tag)')
# What mkxar records for it: the versioned program (python3.11) beside it
# when that is the same file, else the real program behind it.
PYREC=$(dirname "$PY")/python$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
[ "$PYREC" -ef "$PY" ] || PYREC=$(readlink -f "$PY")

py_unmount_all() {
	for m in $(awk -v t="$T/" 'index($2, t) == 1 { print $2 }' /proc/mounts); do
		fusermount3 -u -z "$m" 2>/dev/null || umount -l "$m" 2>/dev/null
	done
}

# Stop the test file, visibly, when mkxar or FUSE cannot do the job.
py_require() {
	if ! have_fuse; then
		skip "$1" "no usable /dev/fuse and fusermount3"
		exit 0
	fi
	if ! "$MKXAR" --help 2>&1 | grep -q -- '--python-entry'; then
		fail "$1" "mkxar has no --python-entry option"
		exit 0
	fi
}

# mkpy NAME MKXAR-ARGS...: build $T/NAME.xar quietly.
mkpy() {
	_n=$1; shift
	"$MKXAR" -q -o "$T/$_n.xar" "$@"
}

# header_value XAR KEY
header_value() {
	sed -n "/^#xar_stop/q; s/^$2=\"\\(.*\\)\"\$/\\1/p" "$1"
}

# A small app tree in $T/app exercising the entry point contract.
make_app_tree() {
	mkdir -p "$T/app/app" "$T/app/app-1.0.dist-info"
	cat > "$T/app/app/__init__.py" <<'EOF'
import os, sys

def show():
    print("argv=%r" % (sys.argv,))
    print("name=%s" % __name__)
    return 0

def status():
    return int(sys.argv[1])

def boom():
    raise ValueError("boom from the app")

def echo_stdin():
    data = sys.stdin.read()
    sys.stdout.write("got %d bytes: %s" % (len(data), data))

def interrupt():
    import signal, time
    os.kill(os.getpid(), signal.SIGINT)
    time.sleep(10)

def square(x):
    return x * x

def spawn():
    # multiprocessing's "spawn" starts sys.executable and re-imports us
    import multiprocessing
    with multiprocessing.get_context("spawn").Pool(2) as pool:
        print("squares=%r" % pool.map(square, [1, 2, 3]))

def pids():
    print("pid=%d" % os.getpid())

def env():
    for k in ("PYTHONPATH", "XAR_SAVED_PYTHONPATH", "XAR_PYTHON_COMMAND",
              "XAR_RUNTIME_FILES", "XAR_INVOKED_NAME"):
        print("%s=%s" % (k, os.environ.get(k, "<unset>")))
    print("path0=%s" % sys.path[0])
    import shadowed
    print("shadowed=%s" % shadowed.WHO)
    print("executable=%s" % sys.executable)
EOF
	cat > "$T/app/app/__main__.py" <<'EOF'
import sys
print("main argv=%r name=%s" % (sys.argv, __name__))
if len(sys.argv) > 1 and sys.argv[1] == "exit":
    sys.exit(int(sys.argv[2]))
EOF
	echo 'WHO = "app"' > "$T/app/shadowed.py"
	printf '[console_scripts]\napp-show = app:show\napp-boom = app:boom\n' \
	    > "$T/app/app-1.0.dist-info/entry_points.txt"
	printf 'Metadata-Version: 2.1\nName: app\nVersion: 1.0\n' \
	    > "$T/app/app-1.0.dist-info/METADATA"
}
