"""Accessibility checks run inside the browser tests: axe-core (npm, pinned in
package.json) over the whole page. axe cannot judge text drawn over pictures;
`text_over_images_contrast` covers that (see `assert_text_over_images_readable`)."""

import io
import json
from pathlib import Path

from PIL import Image

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def axe_violations(page):
    """axe's violations of any impact on the page as it is now (rules of WCAG 2.x A/AA and best practices)."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the site's Content-Security-Policy allows no inline script.
        page.evaluate(AXE.read_text() + "\n;undefined")
    return page.evaluate("""async () => {
        const results = await axe.run(document, {resultTypes: ["violations"]});
        return results.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.map(n => n.target.join(" ") + " :: " + n.failureSummary)}));
    }""")


def assert_accessible(page):
    violations = axe_violations(page)
    assert not violations, f"axe found on {page.url}:\n" + json.dumps(violations, indent=1, ensure_ascii=False)


# --- text drawn over pictures ---------------------------------------------------

# Every piece of text inside the selected elements: its colour, size, weight and the
# boxes its glyphs take (viewport coordinates).
_TEXT_BOXES = """(selector) => {
  const found = [];
  document.querySelectorAll(selector).forEach((root) => {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    const byElement = new Map();
    while (walker.nextNode()) {
      const node = walker.currentNode;
      if (!node.textContent.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      const rects = [...range.getClientRects()].filter((r) => r.width >= 2 && r.height >= 2);
      if (!rects.length) continue;
      const entry = byElement.get(node.parentElement) || {text: "", rects: []};
      entry.text += node.textContent;
      entry.rects.push(...rects.map((r) => ({x: r.x, y: r.y, width: r.width, height: r.height})));
      byElement.set(node.parentElement, entry);
    }
    byElement.forEach((entry, element) => {
      const style = getComputedStyle(element);
      if (style.visibility !== "visible") return;
      // What is painted on top at the middle of each box: the text's own element, unless something covers it.
      const covers = entry.rects.map((r) => document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2))
        .filter((hit) => hit && !element.contains(hit) && !hit.contains(element))
        .map((hit) => hit.tagName.toLowerCase() + (hit.className ? "." + String(hit.className).split(" ").join(".") : ""));
      found.push({text: entry.text.trim().replace(/\\s+/g, " "), rects: entry.rects,
                  fontSize: parseFloat(style.fontSize), fontWeight: parseInt(style.fontWeight, 10), coveredBy: covers[0] || null});
    });
  });
  return found;
}"""

# Paints the selected elements' text invisible (glyphs, shadows, underlines), or back as it was.
_HIDE_TEXT = """([selector, hide]) => {
  const properties = {"color": "transparent", "-webkit-text-fill-color": "transparent", "text-shadow": "none",
                      "text-decoration-color": "transparent"};
  document.querySelectorAll(selector).forEach((root) => {
    [root, ...root.querySelectorAll("*")].forEach((element) => {
      for (const [name, value] of Object.entries(properties)) {
        if (hide) element.style.setProperty(name, value, "important"); else element.style.removeProperty(name);
      }
    });
  });
  return new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)));
}"""

_LINEAR = [(c / 12.92) if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (v / 255 for v in range(256))]


def _luminance(rgb):
    r, g, b = (_LINEAR[min(255, max(0, round(c)))] for c in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a, b):
    light, dark = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def _pixels(image, rects, scale):
    for rect in rects:
        box = tuple(
            round(v * scale) for v in (rect["x"], rect["y"], rect["x"] + rect["width"], rect["y"] + rect["height"])
        )
        data = image.crop(box).tobytes()
        yield from zip(data[0::3], data[1::3], data[2::3], strict=False)


def text_over_images_contrast(page, selector):
    """The contrast of each text inside `selector` as the customer sees it, whatever is
    painted over or under it: the page is captured twice, as it is and with its text
    painted invisible. Where the two differ most are the glyphs: their colour as seen
    (the median of those pixels) is compared with every pixel behind the text.
    Returns dicts: text, ratio (the worst background pixel's), required (4.5, or 3 for
    large text: WCAG AA), covered_by (what is painted over the text, e.g. the picture)."""
    page.evaluate(
        "(selector) => { const root = document.querySelector(selector); "
        "const top = root.getBoundingClientRect().top + scrollY; "
        "scrollTo({top: Math.max(0, top - (innerHeight - root.offsetHeight) / 2), behavior: 'instant'}); }",
        selector,
    )
    texts = page.evaluate(_TEXT_BOXES, selector)
    assert texts, f"no text found in {selector}"
    scale = page.evaluate("devicePixelRatio")
    seen = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    page.evaluate(_HIDE_TEXT, [selector, True])
    try:
        behind = Image.open(io.BytesIO(page.screenshot())).convert("RGB")
    finally:
        page.evaluate(_HIDE_TEXT, [selector, False])
    results = []
    for text in texts:
        pairs = list(zip(_pixels(seen, text["rects"], scale), _pixels(behind, text["rects"], scale), strict=True))
        pairs.sort(key=lambda pair: sum(abs(a - b) for a, b in zip(*pair, strict=True)), reverse=True)
        glyphs = [glyph for glyph, _background in pairs[: max(1, len(pairs) // 20)]]  # the 5 % that changed most
        colour = tuple(sorted(channel)[len(channel) // 2] for channel in zip(*glyphs, strict=True))
        worst = min(_contrast(colour, background) for background in {background for _glyph, background in pairs})
        large = text["fontSize"] >= 24 or (text["fontSize"] >= 18.66 and text["fontWeight"] >= 700)
        results.append(
            {
                "text": text["text"],
                "ratio": round(worst, 2),
                "required": 3.0 if large else 4.5,
                "covered_by": text["coveredBy"],
            }
        )
    return results


def assert_text_over_images_readable(page, selector):
    results = text_over_images_contrast(page, selector)
    failing = [r for r in results if r["ratio"] < r["required"] or r["covered_by"]]
    assert not failing, f"text over the picture of {selector} on {page.url} below WCAG AA:\n" + json.dumps(
        failing, indent=1, ensure_ascii=False
    )
    return results
