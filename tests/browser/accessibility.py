"""Accessibility checks run inside the browser tests: axe-core (npm, pinned in
package.json) over the whole page. axe cannot judge text drawn over pictures;
`text_over_images_contrast` covers that."""

import json
from pathlib import Path

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
