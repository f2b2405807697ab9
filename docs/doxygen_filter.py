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
Usage: doxygen_filter.py FILE  (writes the filtered text to stdout).
"""
import re
import sys

COMMENT = re.compile(r'^(\s*)//(?!/)(.*)$')
TRAILING = re.compile(r'^(\s*[^\s/#}].*?[,;])(\s+)//(?!/)\s?(.*)$')
TITLE = re.compile(r'^\s*\S+\.hpp\s+(?:—|--|-)\s+(.*)$')


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
        lines.append(t[1:] if t.startswith(' ') else t)
        i += 1
    if in_code:
        lines.append('```')
    if is_file_doc:
        lines.append(r'\file')  # last, so the lines above keep their numbers
    for line in lines:
        out.append(f'{indent}/// {line}'.rstrip())


def filter_text(src):
    out = []
    lines = src.split('\n')
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


def main():
    with open(sys.argv[1], encoding='utf-8') as f:
        sys.stdout.write(filter_text(f.read()))


if __name__ == '__main__':
    main()
