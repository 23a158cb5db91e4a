#!/bin/sh
# What a build says (issue 16, item 4): one summary line at the end unless
# -q (files, input size -> xar size, seconds), and -q silences pip too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_progress
make_app_tree

if "$MKXAR" -o "$T/s.xar" --python-entry app:show "$T/app" 2>"$T/err"; then
	if [ "$(wc -l < "$T/err")" -eq 1 ] &&
	   grep -Eq "^mkxar: $T/s.xar: [0-9]+ files, [0-9.]+ (bytes|KB|MB) -> [0-9.]+ (bytes|KB|MB) in [0-9]+\.[0-9] s$" "$T/err"; then
		pass summary_line
	else
		fail summary_line "$(cat "$T/err")"
	fi
else
	fail summary_build "$(cat "$T/err")"
fi
if "$MKXAR" -q -o "$T/q.xar" --python-entry app:show "$T/app" 2>"$T/err" && [ ! -s "$T/err" ]; then
	pass quiet_build_says_nothing
else
	fail quiet_build_says_nothing "$(cat "$T/err")"
fi

# On a terminal (script(1) gives one): the phases are named, the bytecode
# phase with its number of modules and a running count; the summary still
# ends it.
if ! command -v script >/dev/null 2>&1; then
	skip terminal_progress "script(1) is not installed"
else
	nmod=$(find "$T/app" -name '*.py' | wc -l)
	script -qec "'$MKXAR' -o '$T/t.xar' --python-entry app:show '$T/app'" /dev/null \
	    > "$T/tty" 2>&1 < /dev/null
	if grep -q "^mkxar: compiling Python modules to bytecode ($nmod)" "$T/tty" &&
	   tr '\r' '\n' < "$T/tty" | grep -q "^mkxar: compiled $nmod of $nmod modules" &&
	   grep -q "mkxar: packing 100%" "$T/tty" && grep -q "^mkxar: $T/t.xar: " "$T/tty"; then
		pass terminal_progress
	else
		fail terminal_progress "$(tr '\r' '\n' < "$T/tty" | head -n 5)"
	fi
	if "$MKXAR" -o "$T/n.xar" --python-entry app:show "$T/app" 2>&1 | grep -q "compiling\|packing"; then
		fail no_progress_off_terminal "progress on a pipe"
	else
		pass no_progress_off_terminal
	fi
fi

# The first extraction-mode run says, on a terminal, what it unpacks and
# why; the second reuses the cache and says nothing.
if command -v script >/dev/null 2>&1 && [ -e "$T/s.xar" ]; then
	mkdir -p "$T/xdg"
	run_tty() {
		script -qec "env XDG_CACHE_HOME='$T/xdg' XAR_EXTRACT=1 '$T/s.xar'" /dev/null < /dev/null 2>&1
	}
	first=$(run_tty); second=$(run_tty)
	if echo "$first" | grep -q "^xarexec: unpacking $T/s.xar ([0-9.]* MB) into $T/xdg/xar.*, once, because XAR_EXTRACT is set" &&
	   ! echo "$second" | grep -q "unpacking" && echo "$second" | grep -q "^name=app"; then
		pass extraction_announced_once
	else
		fail extraction_announced_once "first: $first; second: $second"
	fi
	out=$(XDG_CACHE_HOME="$T/xdg2" XAR_EXTRACT=1 "$T/s.xar" 2>&1)
	if echo "$out" | grep -q unpacking; then fail extraction_quiet_off_terminal "$out"
	else pass extraction_quiet_off_terminal; fi
fi

# -q reaches pip: a local project installed offline prints nothing.
PIPPY=""
for p in "$PY" /usr/bin/python3; do
	"$p" -c 'import setuptools, wheel' 2>/dev/null && { PIPPY=$p; break; }
done
mkdir -p "$T/lib/tinylib" "$T/tmp"
printf 'from setuptools import setup\nsetup(name="tinylib", version="1.0", packages=["tinylib"])\n' > "$T/lib/setup.py"
echo 'def greet(): return "hi"' > "$T/lib/tinylib/__init__.py"
if [ -z "$PIPPY" ]; then
	skip quiet_pip "no interpreter with setuptools and wheel"
else
	TMPDIR="$T/tmp" "$MKXAR" --python "$PIPPY" -o "$T/p.xar" --python-entry app:show \
	    --pip --no-index --pip --no-build-isolation --pip "$T/lib" "$T/app" >"$T/out" 2>"$T/err"
	if grep -qi "tinylib" "$T/out" "$T/err"; then pass pip_speaks_without_q
	else fail pip_speaks_without_q "$(cat "$T/out" "$T/err")"; fi
	if TMPDIR="$T/tmp" "$MKXAR" -q --python "$PIPPY" -o "$T/p.xar" --python-entry app:show \
	    --pip --no-index --pip --no-build-isolation --pip "$T/lib" "$T/app" >"$T/out" 2>"$T/err" &&
	   [ ! -s "$T/out" ] && [ ! -s "$T/err" ]; then
		pass quiet_pip
	else
		fail quiet_pip "$(cat "$T/out" "$T/err")"
	fi
fi
