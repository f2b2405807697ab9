#!/usr/bin/env python3
"""Checks that every ```cpp block of the given Markdown files is an excerpt
of a sample: its lines appear, in order and contiguous, in one of
samples/*.cpp (indentation may differ by a constant amount). The samples are
built and run by the normal build, so the documentation's code compiles.

Table snippets too: a table cell made only of code spans joined by <br>
(`line one`<br>`line two`) is a snippet whose lines, each stripped, must
follow each other in one sample. A row that names one of NOT_YET_CHECKED
is skipped (and reported as skipped): its feature is documented ahead of
the sample that will show it.

Usage: check_snippets.py FILE.md...   (run from the source root)
Exit code 0 when every block was found; otherwise names the missing ones.
"""
import glob
import re
import sys

FENCE = re.compile(r'^```(\S*)\s*$')
TABLE_SNIPPET = re.compile(r'^\s*`[^`]+`(\s*<br>\s*`[^`]+`)+\s*$')
SPAN = re.compile(r'`([^`]+)`')
# Rows of README's "Which call for which job" table whose calls land in a
# branch of their own: remove a word here once a sample shows its lines.
# `litepool-lab` is a shell command (scripts/test.d/60-lab runs the lab).
NOT_YET_CHECKED = ('litepool-lab',)


def blocks(path):
    """(first line number, language, lines) of each fenced block."""
    out, lang, start, body = [], None, 0, []
    with open(path, encoding='utf-8') as f:
        for n, line in enumerate(f, 1):
            line = line.rstrip('\n')
            m = FENCE.match(line.strip())
            if lang is None and m:
                lang, start, body = m.group(1).lower(), n, []
            elif lang is not None and line.strip() == '```':
                out.append((start, lang, body))
                lang = None
            elif lang is not None:
                body.append(line)
    return out


def dedent(lines):
    lines = [l.rstrip() for l in lines]
    indents = [len(l) - len(l.lstrip()) for l in lines if l.strip()]
    cut = min(indents) if indents else 0
    return [l[cut:] for l in lines]


def found_in(block, sample_lines):
    want = dedent(block)
    n = len(want)
    for i in range(len(sample_lines) - n + 1):
        if dedent(sample_lines[i:i + n]) == want:
            return True
    return False


def table_snippets(path):
    """(line number, row, snippet lines) of each table snippet cell."""
    out = []
    with open(path, encoding='utf-8') as f:
        in_fence = False
        for n, line in enumerate(f, 1):
            if FENCE.match(line.strip()):
                in_fence = not in_fence
            if in_fence or not line.lstrip().startswith('|'):
                continue
            for cell in line.strip().strip('|').split('|'):
                if TABLE_SNIPPET.match(cell):
                    out.append((n, line, SPAN.findall(cell)))
    return out


def found_stripped(lines, sample_lines):
    want = [l.strip() for l in lines]
    have = [l.strip() for l in sample_lines]
    n = len(want)
    return any(have[i:i + n] == want for i in range(len(have) - n + 1))


def main():
    samples = {p: open(p, encoding='utf-8').read().split('\n')
               for p in sorted(glob.glob('samples/*.cpp'))}
    missing = 0
    checked = 0
    for md in sys.argv[1:]:
        for start, lang, body in blocks(md):
            if lang not in ('cpp', 'c++'):
                continue
            checked += 1
            where = [p for p, lines in samples.items() if found_in(body, lines)]
            if not where:
                missing += 1
                print(f'{md}:{start}: this cpp block is not an excerpt of any samples/*.cpp')
        for n, row, lines in table_snippets(md):
            if any(word in row for word in NOT_YET_CHECKED):
                print(f'{md}:{n}: table snippet not checked yet (NOT_YET_CHECKED)')
                continue
            checked += 1
            if not any(found_stripped(lines, s) for s in samples.values()):
                missing += 1
                print(f'{md}:{n}: this table snippet is not an excerpt of any samples/*.cpp')
    print(f'{checked} cpp blocks and table snippets checked, {missing} not found in samples/')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
