#!/usr/bin/env python3
"""Looks at the rendered HTML docs in headless chromium, as a reader would.

For the main page and the guide, at a 1280x900 window:
  * no horizontal scrollbar: neither the page nor doxygen's content pane
    (#doc-content) is wider than what it shows;
  * every SVG chart takes the pointer (its hover titles work): no computed
    `pointer-events: none` on an <object> of type image/svg+xml;
  * links in table headers are readable: their text is light on the dark
    header (luminance of the computed colour above 0.6).
Then it screenshots each page (full length) into SHOT_DIR for a person to
look at.

Usage: check_layout.py HTML_DIR SHOT_DIR
Exit code 0 when every page passes. Chromium runs headless, without the
sandbox when root, and each run is bounded by a timeout, so the check
always stops by itself.
"""
import json
import os
import re
import shutil
import subprocess
import sys

PAGES = {'main': 'index.html', 'guide': 'md_docs_guide.html'}
WINDOW = (1280, 900)
SHOT_HEIGHT = 2400     # px of the page in the screenshot
TIMEOUT_S = 90         # one chromium run; a cold start on a busy VM takes ~10 s
VIRTUAL_TIME_MS = 3000  # lets doxygen's own scripts lay out the tree view

PROBE = """<script>
window.addEventListener('load', function () {
  setTimeout(function () {
    var page = document.scrollingElement || document.documentElement;
    var pane = document.getElementById('doc-content');
    var blocked = 0, svgs = 0, dark = [];
    document.querySelectorAll('object').forEach(function (o) {
      if ((o.getAttribute('type') || '').indexOf('svg') < 0) return;
      svgs++;
      if (getComputedStyle(o).pointerEvents === 'none') blocked++;
    });
    document.querySelectorAll('th a').forEach(function (a) {
      var m = getComputedStyle(a).color.match(/\\d+(\\.\\d+)?/g).map(Number);
      var lum = (0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]) / 255;
      if (lum < 0.6) dark.push(a.textContent.trim().slice(0, 40));
    });
    var wide = [];
    document.querySelectorAll('#doc-content *, body > *').forEach(function (e) {
      var r = e.getBoundingClientRect();
      var limit = pane ? pane.getBoundingClientRect().right : window.innerWidth;
      if (r.right > limit + 1 && wide.length < 3) {
        wide.push(e.tagName + ' "' + e.textContent.trim().slice(0, 50) + '"');
      }
    });
    var out = document.createElement('pre');
    out.textContent = 'LAYOUT ' + JSON.stringify({
      page: page.scrollWidth, viewport: window.innerWidth,
      pane: pane ? pane.scrollWidth : 0, pane_shown: pane ? pane.clientWidth : 0,
      svgs: svgs, svg_blocked: blocked, dark_header_links: dark, wide: wide});
    document.body.appendChild(out);
  }, 500);
});
</script>"""


def chromium():
    for name in ('chromium', 'chromium-browser', 'google-chrome'):
        path = shutil.which(name)
        if path:
            return path
    return None


def run(browser, args):
    cmd = [browser, '--headless', '--disable-gpu', '--hide-scrollbars',
           '--disable-dev-shm-usage', '--no-first-run',
           f'--window-size={WINDOW[0]},{WINDOW[1]}']
    if os.geteuid() == 0:
        cmd.append('--no-sandbox')  # chromium refuses to run as root otherwise
    return subprocess.run(cmd + args, capture_output=True, text=True, timeout=TIMEOUT_S)


def main():
    html_dir, shot_dir = sys.argv[1], sys.argv[2]
    browser = chromium()
    if browser is None:
        print('chromium not installed: layout check skipped')
        return 0
    os.makedirs(shot_dir, exist_ok=True)
    failed = 0
    for name, page in PAGES.items():
        src = os.path.join(html_dir, page)
        probe = os.path.join(html_dir, f'layout-probe-{page}')
        with open(src, encoding='utf-8') as f:
            html = f.read()
        with open(probe, 'w', encoding='utf-8') as f:
            f.write(html.replace('</body>', PROBE + '</body>'))
        dom = run(browser, [f'--virtual-time-budget={VIRTUAL_TIME_MS}', '--dump-dom',
                            'file://' + os.path.abspath(probe)]).stdout
        os.remove(probe)
        m = re.search(r'LAYOUT (\{.*?\})</pre>', dom)
        if not m:
            print(f'FAIL {name}: the probe did not report (chromium output {len(dom)} bytes)')
            failed += 1
            continue
        r = json.loads(m.group(1).replace('&quot;', '"').replace('&amp;', '&'))
        problems = []
        if r['page'] > r['viewport']:
            problems.append(f"page {r['page']} px wide in a {r['viewport']} px window")
        if r['pane'] > r['pane_shown']:
            problems.append(f"content {r['pane']} px wide in {r['pane_shown']} px shown")
        if r['wide']:
            problems.append('too wide: ' + '; '.join(r['wide']))
        if r['svg_blocked']:
            problems.append(f"{r['svg_blocked']} of {r['svgs']} SVGs have pointer-events: none")
        if r['dark_header_links']:
            problems.append('dark links in table headers: ' + ', '.join(r['dark_header_links']))
        shot = os.path.join(shot_dir, f'{name}.png')
        run(browser, [f'--window-size={WINDOW[0]},{SHOT_HEIGHT}', f'--screenshot={shot}',
                      f'--virtual-time-budget={VIRTUAL_TIME_MS}', 'file://' + os.path.abspath(src)])
        if not os.path.exists(shot):
            problems.append('no screenshot written')
        if problems:
            failed += 1
            print(f'FAIL {name} ({page}): ' + '; '.join(problems))
        else:
            print(f"ok   {name} ({page}): {r['pane_shown']} px shown, nothing wider; "
                  f"{r['svgs']} SVGs take the pointer; header links light; screenshot {shot}")
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
