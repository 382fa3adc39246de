#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""Judge a KUnit suite in a QEMU console log against what must have run.

usage: kunit-verdict.py CONSOLE_LOG SUITE BOOT

The suite's last run in the log (a rerun through debugfs is judged by
itself) is parsed by the kernel's own KTAP parser, "kunit.py parse --json"
of the base tree ($KUNIT_PY). The verdict then holds the results to
EXPECT[(BOOT, SUITE)]: the number of cases and of parameters that ran, a
minimum of passing parameters per walker mode (the mode ends each
parameter's name), and the skips, by the reason the suite's own tally
gives for them ("SUITE: N skipped: REASON", one reason table in
io-pgtable-arm-selftests.c): every skip has a listed reason, and each
reason has its expected count. A boot where everything skipped, or where a
mode or a case did not run, fails.

A boot that ran a subset ($KUNIT_FILTER, kunit.filter_glob: the debug
target) cannot meet the totals: it is held to what a subset can show, at
least one case and one passing parameter, and skips only for the boot's
listed reasons.

Prints one line per case, one per failed parameter, the skip reasons, then
a summary line starting "SUITE: ". Exit: 0 pass, 1 a result or a count is
wrong, 2 the suite did not run or did not finish.
"""

import json
import os
import re
import subprocess
import sys
import tempfile

# What must run, per boot and suite. cases/params: exact totals; pass: the
# least passing parameters per walker mode; skips: exact count per reason
# (a prefix of the suite's reason text). A: swiotlb not forced; C: forced.
EXPECT = {
    ('A', 'io-pgtable-arm'): {
        'cases': 28, 'params': 2200,
        'pass': {'coherent': 486, 'non-coherent': 486, 'bounced': 0,
                 'coherent, DMA offset': 486},
        'skips': {'needs swiotlb=force': 550, 'stage 2 only': 66,
                  'DMA mapping failure is injected': 126},
    },
    ('C', 'io-pgtable-arm'): {
        'cases': 28, 'params': 2200,
        'pass': {'coherent': 486, 'non-coherent': 0, 'bounced': 515,
                 'coherent, DMA offset': 486},
        'skips': {'booted with swiotlb=force': 508, 'stage 2 only': 66,
                  'DMA mapping failure is injected': 126,
                  'alloc_io_pgtable_ops() refused at allocation': 13},
    },
    # The fault suite: at boot, unarmed, every parameter skips; the armed
    # rerun by init is the one judged.
    ('A', 'io-pgtable-arm-faults'): {
        'cases': 1, 'params': 168,
        'pass': {'coherent': 42, 'non-coherent': 42, 'bounced': 0,
                 'coherent, DMA offset': 42},
        'skips': {'needs swiotlb=force': 42},
    },
    ('C', 'io-pgtable-arm-faults'): {
        'cases': 1, 'params': 168,
        'pass': {'coherent': 42, 'non-coherent': 0, 'bounced': 41,
                 'coherent, DMA offset': 42},
        'skips': {'booted with swiotlb=force': 42,
                  'alloc_io_pgtable_ops() refused at allocation': 1},
    },
}

MODES = ('coherent, DMA offset', 'non-coherent', 'bounced', 'coherent')
STAMP = re.compile(r'^\[ *[0-9]+\.[0-9]+\] ?')


def mode_of(name):
    for m in MODES:
        if name.endswith(' ' + m):
            return m
    return None


def last_run(lines, suite):
    """The KTAP lines of SUITE's last run, whether it finished, and the runs."""
    body = [STAMP.sub('', ln) for ln in lines]
    head = [i for i, ln in enumerate(body)
            if ln.strip() == '# Subtest: ' + suite]
    if not head:
        return None, False, 0
    start = head[-1]
    while start > 0 and head[-1] - start < 3 and \
            not body[start].strip().startswith('KTAP version'):
        start -= 1
    done = re.compile(r'^\s*(not )?ok [0-9]+ ' + re.escape(suite) + r'(\s|$)')
    for end in range(head[-1] + 1, len(body)):
        if done.match(body[end]):
            return lines[start:end + 1], True, len(head)
    return lines[start:], False, len(head)


def kunit_parse(ktap):
    """The JSON of "kunit.py parse" for the KTAP lines."""
    tool = os.environ.get('KUNIT_PY')
    if not tool or not os.path.isfile(tool):
        sys.exit('kunit-verdict: KUNIT_PY must name tools/testing/kunit/kunit.py')
    with tempfile.TemporaryDirectory() as tmp:
        src = os.path.join(tmp, 'ktap.log')
        dst = os.path.join(tmp, 'ktap.json')
        with open(src, 'w') as f:
            f.write('\n'.join(ktap) + '\n')
        # Exit 1 on any failure: the JSON says which.
        subprocess.run([sys.executable, tool, 'parse', '--json=' + dst, src],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=False)
        if not os.path.exists(dst):
            sys.exit('kunit-verdict: kunit.py parse wrote no JSON')
        with open(dst) as f:
            return json.load(f)


def suite_group(group, suite):
    """The suite's group; the top group when the KTAP held the suite alone."""
    for g in group['sub_groups']:
        if g['name'] == suite:
            return g
    return group


def status_of(result):
    """PASS, SKIP or FAIL (a crash, ERROR, is a failure)."""
    return result if result in ('PASS', 'SKIP') else 'FAIL'


def tally(group):
    """Cases as (name, status, counts by status, failed parameters), in
    the suite's order (the parameterised ones, then the plain ones), and
    the parameters' counts by walker mode and status."""
    cases = []
    modes = {m: {'PASS': 0, 'FAIL': 0, 'SKIP': 0} for m in MODES}
    for g in group['sub_groups']:
        counts = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
        failed = []
        for p in g['test_cases']:
            st = status_of(p['status'])
            counts[st] += 1
            if st == 'FAIL':
                failed.append(p['name'])
            if mode_of(p['name']):
                modes[mode_of(p['name'])][st] += 1
        st = 'FAIL' if failed else \
            'SKIP' if counts['SKIP'] == len(g['test_cases']) > 0 else 'PASS'
        # a case that skipped as a whole keeps " # SKIP" in its name
        cases.append((g['name'].split(' # ')[0], st, counts, failed))
    for c in group['test_cases']:
        cases.append((c['name'], status_of(c['status']), None, []))
    return cases, modes


def skip_reasons(ktap, suite):
    """The suite's own skip tally: {reason: count}."""
    pat = re.compile(r'\] ' + re.escape(suite) + r': ([0-9]+) skipped: (.*)$')
    found = {}
    for ln in ktap:
        m = pat.search(ln.rstrip())
        if m:
            found[m.group(2)] = int(m.group(1))
    return found


def failure_messages(ktap):
    """{test name: the lines after its EXPECTATION/ASSERTION FAILED reports}"""
    found, msgs, grab = {}, [], False
    for ln in ktap:
        body = STAMP.sub('', ln).strip()
        m = re.match(r'(?:not )?ok [0-9]+ (.*?)(?: # SKIP.*)?$', body)
        if m:
            found[m.group(1)] = msgs
            msgs, grab = [], False
        elif 'EXPECTATION FAILED' in body or 'ASSERTION FAILED' in body:
            grab = True
        elif grab:
            if body:
                msgs.append(body)
            grab = False
    return found


def judge(expect, cases, modes, reasons, total, problems):
    if len(cases) != expect['cases']:
        problems.append('%d cases ran, want %d' % (len(cases), expect['cases']))
    nparams = sum(total.values())
    if nparams != expect['params']:
        problems.append('%d parameters ran, want %d' % (nparams, expect['params']))
    for m, least in expect['pass'].items():
        if modes[m]['PASS'] < least:
            problems.append('%s walker: %d parameters passed, want %d at least'
                            % (m, modes[m]['PASS'], least))
    for reason, n in reasons.items():
        want = [k for k in expect['skips'] if reason.startswith(k)]
        if not want:
            problems.append('%d skipped for a reason this boot does not allow: %s'
                            % (n, reason))
        elif expect['skips'][want[0]] != n:
            problems.append('%d skipped (%s), want %d'
                            % (n, want[0], expect['skips'][want[0]]))
    for k, n in expect['skips'].items():
        if not any(r.startswith(k) for r in reasons):
            problems.append('0 skipped (%s), want %d' % (k, n))
    counted = sum(reasons.values())
    if counted != total['SKIP']:
        problems.append('%d skips, %d of them with a reason from the suite\'s table'
                        % (total['SKIP'], counted))


def judge_subset(expect, cases, total, reasons, subset, problems):
    passed = total['PASS'] + sum(1 for c in cases if c[2] is None and c[1] == 'PASS')
    if not cases:
        problems.append('no case ran (filter %s)' % subset)
    if not passed:
        problems.append('nothing passed (filter %s)' % subset)
    for reason, n in reasons.items():
        if not any(reason.startswith(k) for k in expect['skips']):
            problems.append('%d skipped for a reason this boot does not allow: %s'
                            % (n, reason))


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__.split('\n\n')[1])
    log, suite, boot = sys.argv[1:]
    subset = os.environ.get('KUNIT_FILTER')
    with open(log, newline='', errors='backslashreplace') as f:
        lines = f.read().replace('\r', '').split('\n')
    ktap, finished, runs = last_run(lines, suite)
    if ktap is None:
        print('%s: suite did not run (no "# Subtest: %s" in the log)' % (suite, suite))
        return 2
    cases, modes = tally(suite_group(kunit_parse(ktap), suite))
    reasons = skip_reasons(ktap, suite)
    messages = failure_messages(ktap)

    status = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    total = {'PASS': 0, 'FAIL': 0, 'SKIP': 0}
    for name, st, counts, failed in cases:
        status[st] += 1
        word = {'PASS': 'ok', 'FAIL': 'not ok', 'SKIP': 'skip'}[st]
        extra = ''
        if counts:
            for k in total:
                total[k] += counts[k]
            extra = ' (%d params: %d pass, %d fail, %d skip)' % (
                sum(counts.values()), counts['PASS'], counts['FAIL'], counts['SKIP'])
        print('%-8s %s%s' % (word, name, extra))
        for p in failed:
            print('    not ok %s' % p)
            for msg in messages.get(p, [])[:3]:
                print('           %s' % msg)
    for reason, n in sorted(reasons.items()):
        print('      skip: %d x %s' % (n, reason))

    problems = []
    expect = EXPECT.get((boot, suite))
    if expect is None:
        problems.append('no expectations for boot %s, suite %s' % (boot, suite))
    elif finished and subset:
        judge_subset(expect, cases, total, reasons, subset, problems)
    elif finished:
        judge(expect, cases, modes, reasons, total, problems)
    for p in problems:
        print('COUNT    %s' % p)
    per_mode = ', '.join('%s %d/%d/%d' % (m, modes[m]['PASS'], modes[m]['FAIL'],
                                          modes[m]['SKIP']) for m in reversed(MODES))
    print('%s: %s; %d cases: %d ok, %d not ok, %d skip; %d params: %d pass, %d fail, %d skip (pass/fail/skip by walker: %s); %s%s'
          % (suite, 'DID NOT FINISH' if not finished else
             'suite ok' if not (problems or status['FAIL']) else 'suite not ok',
             len(cases), status['PASS'], status['FAIL'], status['SKIP'],
             sum(total.values()), total['PASS'], total['FAIL'], total['SKIP'],
             per_mode, 'subset %s' % subset if subset and not problems else
             'counts as expected' if not problems else
             '%d count(s) wrong' % len(problems),
             ' (last of %d runs)' % runs if runs > 1 else ''))
    if not finished:
        return 2
    return 1 if problems or status['FAIL'] else 0


if __name__ == '__main__':
    sys.exit(main())
