#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Judge a KUnit suite from a QEMU console log.
#
# usage: kunit-verdict.sh CONSOLE_LOG [SUITE]      (SUITE: io-pgtable-arm)
#
# Extracts the suite's KTAP from the log (printk timestamps "[    0.123] "
# and carriage returns are stripped; kernel messages interleaved with the
# KTAP, such as WARNING splats, are ignored), then prints one line per case
# with its result and parameter counts, one line per failed parameter with
# the first messages the test printed for it (every parameter with
# VERBOSE=1), the reasons given for skips, and a summary line with the
# suite's duration, from the timestamps of its first and last KTAP lines.
#
# A suite run more than once (rerun through /sys/kernel/debug/kunit/SUITE/run)
# is judged by its last run, and the summary says how many runs there were.
#
# Exit status: 0 if the suite ran to its end and nothing failed; 1 if a
# case or parameter failed; 2 if the suite did not run or did not finish.
set -euo pipefail

log=${1:?usage: kunit-verdict.sh CONSOLE_LOG [SUITE]}
suite=${2:-io-pgtable-arm}
[ -r "$log" ] || { echo "kunit-verdict: cannot read $log" >&2; exit 2; }

tr -d '\r' <"$log" | awk -v suite="$suite" -v verbose="${VERBOSE:-0}" '
function strip(s) {
	# "[    0.123456] " printk time stamp
	if (match(s, /^\[ *[0-9]+\.[0-9]+\] ?/)) {
		ts = substr(s, 2, RLENGTH - 2) + 0
		have_ts = 1
		return substr(s, RLENGTH + 1)
	}
	have_ts = 0
	return s
}
function indent_of(s) {
	match(s, /^ */)
	return RLENGTH
}
# "ok 3 name # SKIP reason" -> result word, sets r_name, r_skip, r_reason
function parse_result(s,    rest, hash) {
	sub(/^ */, "", s)
	r_ok = (s ~ /^ok /)
	sub(/^(not )?ok [0-9]+ ?/, "", s)
	r_skip = 0
	r_reason = ""
	hash = index(s, " # ")
	if (hash) {
		rest = substr(s, hash + 3)
		s = substr(s, 1, hash - 1)
		if (toupper(rest) ~ /^SKIP/) {
			r_skip = 1
			r_reason = rest
			sub(/^[Ss][Kk][Ii][Pp] ?/, "", r_reason)
		}
	} else if (s ~ /# SKIP/) {
		r_skip = 1
	}
	if (s ~ / # SKIP$/ || s ~ /#SKIP$/)
		r_skip = 1
	r_name = s
	return r_skip ? "skip" : (r_ok ? "ok" : "not ok")
}
function reset() {
	ncases = npass = nfail = nskip = nmsg = grab = 0
	delete cname; delete cres; delete creason
	delete cpass; delete cfail; delete cskip
	delete out; delete why; delete skipwhy
	t_last = ""
}
BEGIN {
	state = 0	# 0 before the suite, 1 inside, 2 done
	runs = 0
	reset()
}
{
	line = strip($0)
	if (state != 1) {
		# The suite KTAP header precedes its Subtest line.
		if (line ~ /^ *KTAP version/) {
			pending_ts = ts
			pending_ts_set = have_ts
		}
		name = line
		if (sub(/^ *# Subtest: /, "", name) && name == suite) {
			# The first run, or a rerun: the last run is judged.
			reset()
			state = 1
			runs++
			base = indent_of(line)
			t_first = have_ts ? (pending_ts_set ? pending_ts : ts) : -1
		}
		next
	}
	ind = indent_of(line)
	body = line
	sub(/^ */, "", body)
	if (have_ts)
		t_last = ts

	if (ind == base - 4 && body ~ /^(not )?ok [0-9]+ /) {
		# The suite result line, one level up.
		suite_res = parse_result(line)
		state = 2
		next
	}
	if (ind == base && body ~ /^(not )?ok [0-9]+ /) {
		res = parse_result(line)
		ncases++
		cname[ncases] = r_name
		cres[ncases] = res
		creason[ncases] = r_reason
		cpass[ncases] = npass
		cfail[ncases] = nfail
		cskip[ncases] = nskip
		npass = nfail = nskip = 0
		delete skipwhy
		nmsg = 0
		next
	}
	if (ind == base + 4 && body ~ /^(not )?ok [0-9]+ /) {
		res = parse_result(line)
		if (res == "ok")
			npass++
		else if (res == "skip") {
			nskip++
			if (!(r_reason in skipwhy)) {
				skipwhy[r_reason] = 1
				why[ncases + 1] = why[ncases + 1] "\n      skip: " r_reason
			}
		} else
			nfail++
		if (res == "not ok" || verbose + 0) {
			out[ncases + 1] = out[ncases + 1] sprintf("\n    %-6s %s", res, r_name)
			if (res == "not ok")
				for (i = 1; i <= nmsg && i <= 3; i++)
					out[ncases + 1] = out[ncases + 1] "\n           " msg[i]
		}
		nmsg = 0
		next
	}
	if (ind == base && body ~ /^# Subtest: /) {
		# A parameterised case starts: its messages follow.
		nmsg = 0
		next
	}
	# Messages: the line after "EXPECTATION FAILED", "after ..." lines.
	if (body ~ /EXPECTATION FAILED|ASSERTION FAILED/) {
		grab = 1
		next
	}
	if (grab) {
		grab = 0
		if (body != "" && nmsg < 8)
			msg[++nmsg] = body
		next
	}
}
END {
	if (state == 0) {
		printf "%s: suite did not run (no \"# Subtest: %s\" in the log)\n", suite, suite
		exit 2
	}
	tc = tp = tf = ts_ = 0
	for (c = 1; c <= ncases; c++) {
		n = cpass[c] + cfail[c] + cskip[c]
		if (n)
			printf "%-8s %s  (%d params: %d pass, %d fail, %d skip)", cres[c], cname[c], n, cpass[c], cfail[c], cskip[c]
		else
			printf "%-8s %s", cres[c], cname[c]
		if (creason[c] != "")
			printf "  # SKIP %s", creason[c]
		printf "%s%s\n", out[c], why[c]
		if (cres[c] == "ok") tc++
		else if (cres[c] == "skip") ts_++
		else tf++
		tp += n
		pp += cpass[c]; pf += cfail[c]; psk += cskip[c]
	}
	if (t_first >= 0 && t_last != "")
		dur = sprintf("%.2f s", t_last - t_first)
	else
		dur = "unknown (no time stamps)"
	finished = (state == 2)
	printf "%s: %s; %d cases: %d ok, %d not ok, %d skip; %d params: %d pass, %d fail, %d skip; duration %s%s\n", \
		suite, finished ? "suite " suite_res : "DID NOT FINISH", ncases, tc, tf, ts_, tp, pp + 0, pf + 0, psk + 0, dur, \
		(runs > 1 ? sprintf(" (last of %d runs)", runs) : "")
	if (!finished)
		exit 2
	if (tf || pf || suite_res == "not ok")
		exit 1
	exit 0
}'
