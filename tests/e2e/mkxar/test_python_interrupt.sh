#!/bin/sh
# An interrupted Python build (issue 16): SIGINT/SIGTERM to mkxar, or a
# Ctrl-C to its whole process group, while the bytecode compiler runs.
# Afterwards no build directory and no child is left, no Python traceback
# reached the user, and mkxar died by the signal (status 128+sig).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_interrupt

# A tree big enough that compiling it takes seconds: the interpreter's
# own standard library, without its bytecode.
stdlib=$("$PY" -c 'import sysconfig; print(sysconfig.get_paths()["stdlib"])')
mkdir -p "$T/big" "$T/tmp"
cp -R "$stdlib/." "$T/big/" 2>/dev/null
find "$T/big" -name __pycache__ -prune -exec rm -rf {} +
rm -rf "$T/big/test" "$T/big/lib2to3/tests" "$T/big/idlelib/idle_test" "$T/big/site-packages"
echo 'print("ok")' > "$T/big/xar_main.py"

# interrupt NAME SIGNAL WHOM: start a build in a session of its own, wait
# for its compiler child, send SIGNAL to mkxar (WHOM=pid) or to its
# process group (WHOM=group), then check what is left.
interrupt() {
	_n=$1 _sig=$2 _whom=$3
	rm -rf "$T/tmp"/* "$T/$_n.xar"
	TMPDIR="$T/tmp" setsid "$MKXAR" -q -o "$T/$_n.xar" --python-entry xar_main \
	    "$T/big" 2>"$T/$_n.err" &
	_pid=$!
	_child="" _i=0
	while [ -z "$_child" ] && [ $_i -lt 300 ]; do
		_child=$(ps -o pid= --ppid "$_pid" 2>/dev/null | tr -d ' ' | head -n 1)
		[ -n "$_child" ] && grep -q py_compile "/proc/$_child/cmdline" 2>/dev/null || _child=""
		sleep 0.05; _i=$((_i + 1))
	done
	if [ -z "$_child" ]; then
		kill -KILL "$_pid" 2>/dev/null; wait "$_pid"
		fail "$_n" "the compiler never started: $(cat "$T/$_n.err")"
		return
	fi
	sleep 0.5
	# (dash's kill takes no "--": procps' does, for the group)
	if [ "$_whom" = group ]; then /bin/kill -s "$_sig" -- "-$_pid"; else kill -s "$_sig" "$_pid"; fi
	wait "$_pid"; _rc=$?
	sleep 0.2
	_left=$(ps -o pid=,args= -g "$_child" 2>/dev/null; ps -o pid=,args= -g "$_pid" 2>/dev/null)
	case $_sig in INT) _want=130 ;; TERM) _want=143 ;; esac
	if [ "$_rc" -ne "$_want" ]; then
		fail "$_n" "status $_rc, not $_want: $(cat "$T/$_n.err")"
	elif [ -n "$(ls -A "$T/tmp")" ]; then
		fail "$_n" "build directory left: $(ls -A "$T/tmp")"
	elif [ -n "$_left" ]; then
		fail "$_n" "processes left: $_left"
		/bin/kill -s KILL -- "-$_child" 2>/dev/null
	elif grep -q 'Traceback\|KeyboardInterrupt' "$T/$_n.err"; then
		fail "$_n" "a traceback reached the user: $(head -c 300 "$T/$_n.err")"
	elif [ -s "$T/$_n.err" ]; then
		fail "$_n" "said something: $(head -c 300 "$T/$_n.err")"
	elif [ -e "$T/$_n.xar" ] || ls -A "$T" | grep -q "^\.$_n\.xar"; then
		fail "$_n" "an output was left"
	else
		pass "$_n"
	fi
}

interrupt sigint_to_mkxar INT pid
interrupt sigterm_to_mkxar TERM pid
interrupt ctrl_c_to_process_group INT group
interrupt sigterm_to_process_group TERM group
