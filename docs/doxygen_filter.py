#!/usr/bin/env python3
"""Doxygen INPUT_FILTER for litepool's public headers.

The headers keep Abseil-style plain `//` comments (see STYLE.md); doxygen only
reads `///`. This filter rewrites, for doxygen's eyes only:

  * the comment block that opens the file  -> the `\\file` overview; its first
    line "litepool/x.hpp — what it is" loses the "litepool/x.hpp — " prefix;
  * every other whole-line comment block   -> `///` documentation of the
    declaration that follows it;
  * a trailing `code;  // text` or `kEnumerator,  // text` -> `///< text`;
  * lines indented two or more extra spaces inside a comment (the code
    examples of the overviews, aligned tables) -> a fenced code block.

Line numbers are kept where possible (a fence replaces an empty `//` line).

  * a sentence "Go name: X." that ends a comment line -> its own paragraph
    (\\par), so it never becomes part of the brief;
  * the `&&` twin of a TaskOptions setter (`TaskOptions SetX(...) && {...}`,
    the rvalue overload of `TaskOptions& SetX(...) &`) is hidden with
    \\cond, so the reference documents each setter once.

For Markdown files (README.md, docs/*.md) it works around what doxygen
1.9 renders differently from GitHub, line for line:

  * a code span holding a quote, `dependency('x')`, is read by doxygen as a
    `quote' pair and swaps every code span after it: -> ``dependency('x')``;
  * a link to a directory or a source file of the tree, [samples](samples),
    stays literal text or points outside the HTML: -> its text, plus the
    path as code when the text does not already say it.

Usage: doxygen_filter.py FILE  (writes the filtered text to stdout).
"""
import os
import re
import sys

COMMENT = re.compile(r'^(\s*)//(?!/)(.*)$')
TRAILING = re.compile(r'^(\s*[^\s/#}].*?[,;])(\s+)//(?!/)\s?(.*)$')
TITLE = re.compile(r'^\s*\S+\.hpp\s+(?:—|--|-)\s+(.*)$')


GO_NAME = re.compile(r'(^\s*|(?<=\. ))(Go name: .*)$')


def is_code(text):
    """A comment line whose text is indented 2+ spaces past `// `."""
    return text.startswith('   ') and text.strip() != ''


def emit_block(indent, texts, is_file_doc, out):
    """Writes one comment block as doxygen `///` lines."""
    lines = []
    if is_file_doc:
        m = TITLE.match(texts[0])
        first = m.group(1) if m else texts[0].strip()
        lines.append(first)
        texts = texts[1:]
    in_code = False
    i = 0
    while i < len(texts):
        t = texts[i]
        if is_code(t) and not in_code:
            # Open a fence: reuse a preceding empty line, else add one.
            if lines and lines[-1].strip() == '':
                lines[-1] = '```cpp'
            elif lines:  # a fence must not continue a paragraph
                lines += ['', '```cpp']
            else:
                lines.append('```cpp')
            in_code = True
        elif in_code and not is_code(t):
            if t.strip() == '':
                lines.append('```')
                in_code = False
                i += 1
                continue
            lines.append('```')
            in_code = False
        t = t[1:] if t.startswith(' ') else t
        if not in_code:  # "Go name: X." ends a comment: its own paragraph
            t = GO_NAME.sub(r'\1\\par \2', t)
        lines.append(t)
        i += 1
    if in_code:
        lines.append('```')
    if is_file_doc:
        lines.append(r'\file')  # last, so the lines above keep their numbers
    for line in lines:
        out.append(f'{indent}/// {line}'.rstrip())


RVALUE_TWIN = re.compile(r'^\s*(requires\b.*?\s)?TaskOptions\s+\w+\(')
TEMPLATE_HEAD = re.compile(r'^\s*(template\s*<|requires\b)')


def hide_rvalue_twins(lines):
    """Wraps each `TaskOptions SetX(...) && {...}` (with its template head)
    in \\cond ... \\endcond, on the same lines."""
    i = 0
    while i < len(lines):
        if not RVALUE_TWIN.match(lines[i]):
            i += 1
            continue
        end, depth, seen_brace, signature = i, 0, False, ''
        while end < len(lines):
            code = lines[end].split('//')[0]
            if not seen_brace:
                signature += code
            for ch in code:
                if ch == '{':
                    depth += 1
                    seen_brace = True
                elif ch == '}':
                    depth -= 1
            if (seen_brace and depth == 0) or (not seen_brace and code.rstrip().endswith(';')):
                break
            end += 1
        if re.search(r'\)\s*&&\s*(\{|;)', signature):
            start = i
            while start > 0 and TEMPLATE_HEAD.match(lines[start - 1]):
                start -= 1
            lines[start] = r'/** \cond */ ' + lines[start]
            lines[end] = lines[end] + r' /** \endcond */'
        i = end + 1
    return lines


def filter_text(src):
    out = []
    lines = hide_rvalue_twins(src.split('\n'))
    i = 0
    seen_code = False
    while i < len(lines):
        m = COMMENT.match(lines[i])
        if m:
            indent = m.group(1)
            texts = []
            while i < len(lines):
                m2 = COMMENT.match(lines[i])
                if not m2 or m2.group(1) != indent:
                    break
                texts.append(m2.group(2))
                i += 1
            emit_block(indent, texts, not seen_code, out)
            seen_code = True
            continue
        line = lines[i]
        if line.strip():
            seen_code = True
        t = TRAILING.match(line)
        if t and not line.lstrip().startswith(('return', '#')):
            line = f'{t.group(1)}{t.group(2)}///< {t.group(3)}'
        out.append(line)
        i += 1
    return '\n'.join(out)


CODE_SPAN = re.compile(r'(`+)(.+?)\1')
LINK = re.compile(r'(?<![!\]])\[([^\]\n]+)\]\(([^)\s]+)\)')
DOC_TARGET = re.compile(r'(^[a-z]+:|^#|\.(md|svg|png)$)')


def filter_markdown(src, path):
    """The Markdown rewrites described in the module docstring."""
    base = os.path.dirname(os.path.abspath(path))
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

    def local_link(m):
        text, target = m.group(1), m.group(2)
        full = os.path.normpath(os.path.join(base, target))
        if DOC_TARGET.search(target) or not os.path.exists(full):
            return m.group(0)
        shown = os.path.relpath(full, root) + ('/' if os.path.isdir(full) else '')
        if text.strip('`').rstrip('/') == shown.rstrip('/'):
            return f'`{shown}`'
        return f'{text} (`{shown}`)'

    out, fence = [], False
    for line in src.split('\n'):
        if line.lstrip().startswith('```'):
            fence = not fence
        elif not fence:
            line = CODE_SPAN.sub(
                lambda m: f'`` {m.group(2)} ``' if m.group(1) == '`' and "'" in m.group(2)
                else m.group(0), line)
            line = LINK.sub(local_link, line)
        out.append(line)
    return '\n'.join(out)


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        text = f.read()
    if sys.argv[1].endswith('.md'):
        sys.stdout.write(filter_markdown(text, sys.argv[1]))
    else:
        sys.stdout.write(filter_text(text))


if __name__ == '__main__':
    main()
