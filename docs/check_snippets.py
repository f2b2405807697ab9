#!/usr/bin/env python3
"""Checks that every ```cpp block of the given Markdown files is an excerpt
of a sample: its lines appear, in order and contiguous, in one of
samples/*.cpp (indentation may differ by a constant amount). The samples are
built and run by the normal build, so the documentation's code compiles.

Usage: check_snippets.py FILE.md...   (run from the source root)
Exit code 0 when every block was found; otherwise names the missing ones.
"""
import glob
import re
import sys

FENCE = re.compile(r'^```(\S*)\s*$')


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
    print(f'{checked} cpp blocks checked, {missing} not found in samples/')
    return 1 if missing else 0


if __name__ == '__main__':
    sys.exit(main())
