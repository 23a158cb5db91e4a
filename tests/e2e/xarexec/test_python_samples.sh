#!/bin/sh
# The samples (samples/build.sh) build and do their job from the mount:
# data files, pip-installed dependencies and a native .so all load from
# under XAR_RUNTIME_FILES; the app can run itself again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib_python.sh"
py_require python_samples

S="$T/samples"
if ! SAMPLES_OUT="$S" sh "$TOP/samples/build.sh" "$BUILD" >"$T/out" 2>&1; then
	fail samples_build "$(tail -n 5 "$T/out" | tr '\n' ' ')"
	exit 0
fi
pass samples_build

# under ROOT PATH: PATH lies inside the mount ROOT, itself under our root
under() {
	case $2 in "$1"/*) case $1 in "$XAR_MOUNT_ROOT"/*) return 0 ;; esac ;; esac
	return 1
}
field() { echo "$2" | sed -n "s/^$1: //p"; }

# --- licenses: a package with data files and sub-command modules ----------
L="$S/licenses.xar"
expect_eq licenses_list "0BSD BSD-2-Clause ISC MIT" "$("$L" list | awk '{print $1}' | tr '\n' ' ' | sed 's/ $//')"
expect_eq licenses_show "Copyright (c) 2001 Ada Lovelace" \
    "$("$L" show mit --year 2001 --holder 'Ada Lovelace' | sed -n 3p)"
expect_eq licenses_detect_stdin ISC "$("$L" show ISC | "$L" detect | cut -d' ' -f1)"
"$L" show GPL-9 >/dev/null 2>&1
expect_eq licenses_error_status 2 $?
out=$("$L" where)
root=$(field XAR_RUNTIME_FILES "$out")
if under "$root" "$(field module "$out")" && under "$root" "$(field data "$out")"; then
	pass licenses_module_and_data_from_mount
else
	fail licenses_module_and_data_from_mount "$out"
fi
expect_eq licenses_argv0 "$L" "$(field argv0 "$out")"
expect_eq licenses_reruns_itself "rerun: same 4" "$("$L" where --rerun | tail -n 1)"

# --- csvtable: an app and its library, installed by pip -------------------
C="$S/csvtable.xar"
expect_eq csvtable_table "planet   moons  radius_km
-------  -----  ---------
Mercury      0     2439.7
Jupiter     95      69911" \
    "$(printf 'planet,moons,radius_km\nMercury,0,2439.7\nJupiter,95,69911\n' | "$C")"
expect_eq csvtable_markdown "| a | 1 |" "$(printf 'a,1\nb,2\n' | "$C" --markdown | head -n 1)"
lib=$("$C" --version | sed -n 's/.*(tabulite from \(.*\))$/\1/p')
case $lib in
"$XAR_MOUNT_ROOT"/*/tabulite/__init__.py) pass csvtable_dependency_from_mount ;;
*) fail csvtable_dependency_from_mount "$("$C" --version 2>&1)" ;;
esac
"$C" "$T/no such.csv" 2>"$T/err"
expect_eq csvtable_missing_file "1 csvtable: $T/no such.csv: No such file or directory" "$? $(cat "$T/err")"

# --- crc32c: a C extension module loaded from the mount -------------------
X="$S/crc32c.xar"
expect_eq crc32c_check_value "e3069283  -" "$(printf 123456789 | "$X")"
printf 'hello\n' > "$T/a file"
expect_eq crc32c_file "$(printf 'hello\n' | "$X" | cut -c1-8)  $T/a file" "$("$X" "$T/a file")"
out=$("$X" --where)
so=$(field extension "$out")
if under "$(field XAR_RUNTIME_FILES "$out")" "$so" && [ "${so%.so}" != "$so" ]; then
	pass crc32c_extension_from_mount
else
	fail crc32c_extension_from_mount "$out"
fi

# --- cheat: raw mode, a shell script and its data ---------------------------
H="$S/cheat.xar"
expect_eq cheat_topics "find git tar" "$("$H" | awk 'NR > 1 {print $1}' | tr '\n' ' ' | sed 's/ $//')"
expect_eq cheat_sheet "tar -tvf in.tar                 list with details" "$("$H" tar | tail -n 1)"
"$H" nope 2>/dev/null
expect_eq cheat_error_status 1 $?
