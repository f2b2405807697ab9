#!/usr/bin/env python3
"""Checks the doxygen HTML for rendering breakages GitHub does not show, and
the diagrams the Markdown pages embed.

Usage: check_html.py HTML_DIR   (run from the source root)
       check_html.py --svg-only  (only the SVG checks; no doxygen needed)

Fails (exit 1, one line per finding) when
  * a Markdown page (README, guide, ...) shows literal Markdown: a link
    `[text](target)`, `**bold**`, a code fence, a Mermaid graph;
  * a code span broke: a `quote' pair (&lsquo;...&rsquo;), an option whose
    `--` became an en dash (`&ndash;buildtype`), bold markers inside code;
  * a class or file page points at text that is not on it ("see the overview
    above"), names a seed of the project (users cannot look those up), has a
    brief that opens with a Go name, or lists a setter's `&&` twin;
  * an SVG under docs/ is not well-formed XML, is not referenced by both
    README.md and docs/guide.md (task_lifecycle.svg) or by some Markdown
    file, or did not reach the HTML.
"""
import glob
import html
import os
import re
import sys
import xml.dom.minidom

FRAGMENT = re.compile(r'<div class="fragment">.*?<!-- fragment -->', re.S)
CODE = re.compile(r'<code>.*?</code>', re.S)
TAG = re.compile(r'<[^>]+>')
PAGE_RULES = [  # (regex on the page text outside code, what it means)
    (re.compile(r'\[[^\]\n]+\]\([^)\s]+\)'), 'a Markdown link shown as text'),
    (re.compile(r'\*\*\S'), 'Markdown bold markers shown as text'),
    (re.compile(r'```'), 'a code fence shown as text'),
    (re.compile(r'flowchart (TD|LR)|-->\|'), 'a Mermaid graph shown as text'),
]
RAW_RULES = [  # (regex on the raw HTML, what it means)
    (re.compile(r'&lsquo;'), "a code span read as a `quote' pair"),
    (re.compile(r'&ndash;[A-Za-z]'), 'an option whose -- became an en dash'),
    (re.compile(r'<code>\*\*'), 'bold markers inside code (code spans out of step)'),
]
API_RULES = [
    (re.compile(r'overview above|see above', re.I), 'points "above" at nothing on this page'),
    (re.compile(r'\bseeds? 0\d\d', re.I), 'names a project seed'),
]
API_RAW_RULES = [
    (re.compile(r'(mdescRight|class="desc")">Go\b'), 'a brief opens with a Go name'),
]
# TaskOptions' pages only: its setters have a hidden && twin each, while
# other &&-qualified members (Future::Then consumes its Future) are the API.
SETTER_TWIN = (re.compile(r'\) &amp;&amp;</td>'), 'an && setter twin listed beside its & setter')


def text_outside_code(raw):
    body = FRAGMENT.sub(' ', raw)
    body = CODE.sub(' ', body)
    return html.unescape(TAG.sub(' ', body))


def main():
    out = None if sys.argv[1] == '--svg-only' else sys.argv[1]
    problems = []
    md_pages = [] if out is None else (
        [os.path.join(out, 'index.html')] + sorted(glob.glob(os.path.join(out, 'md_*.html'))))
    for page in md_pages:
        raw = open(page, encoding='utf-8').read()
        text = text_outside_code(raw)
        for rule, what in PAGE_RULES:
            for m in rule.finditer(text):
                problems.append(f'{os.path.basename(page)}: {what}: {m.group(0)[:60]!r}')
        for rule, what in RAW_RULES:
            for m in rule.finditer(raw):
                at = raw[max(0, m.start() - 30):m.end() + 30].replace('\n', ' ')
                problems.append(f'{os.path.basename(page)}: {what}: ...{at}...')
    api_pages = [] if out is None else sorted(
        glob.glob(os.path.join(out, 'class*.html')) + glob.glob(os.path.join(out, 'struct*.html')) +
        glob.glob(os.path.join(out, '*_8hpp.html')))
    for page in api_pages:
        raw = open(page, encoding='utf-8').read()
        text = text_outside_code(raw)
        for rule, what in API_RULES:
            for m in rule.finditer(text):
                problems.append(f'{os.path.basename(page)}: {what}: {m.group(0)!r}')
        raw_rules = API_RAW_RULES + ([SETTER_TWIN] if 'TaskOptions' in page else [])
        for rule, what in raw_rules:
            for m in rule.finditer(raw):
                at = raw[max(0, m.start() - 40):m.end() + 40].replace('\n', ' ')
                problems.append(f'{os.path.basename(page)}: {what}: ...{TAG.sub("", at)}...')

    markdown = {p: open(p, encoding='utf-8').read()
                for p in ['README.md'] + sorted(glob.glob('docs/*.md'))}
    for svg in sorted(glob.glob('docs/*.svg')):
        name = os.path.basename(svg)
        try:
            xml.dom.minidom.parse(svg)
        except Exception as e:  # any parse error is a finding
            problems.append(f'{svg}: not well-formed XML: {e}')
        users = [p for p, s in markdown.items() if re.search(r'!\[[^\]]*\]\([^)]*' + re.escape(name) + r'\)', s)]
        if not users:
            problems.append(f'{svg}: no Markdown file shows it')
        elif out is not None and not os.path.exists(os.path.join(out, name)):
            problems.append(f'{svg}: shown by {", ".join(users)} but missing from the HTML')
    for must in ['README.md', 'docs/guide.md']:
        if not re.search(r'!\[[^\]]*\]\([^)]*task_lifecycle\.svg\)', markdown[must]):
            problems.append(f'{must}: does not show docs/task_lifecycle.svg')

    for p in problems:
        print(p)
    print(f'{len(md_pages)} Markdown pages, {len(api_pages)} API pages and '
          f'{len(glob.glob("docs/*.svg"))} SVGs checked, {len(problems)} problems')
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
