"""Layout facts of the demo handouts, measured from the PDFs: pages, body fill, text sizes, pictures.

For each layout (standard, compact, large-print) it builds the demo handouts (both programs and
examples/visit.yaml, Letter) with the real command and reads every page back with
handouts.measure (pypdfium2): page count, average body fill, smallest and largest body text, the
widest picture; plus the layout invariants (handouts.invariants) and, for greyscale, the lowest
text contrast on the page as a photocopier sees it.

Usage:  python benchmarks/bench_layouts.py [--json results.json]
Targets (issue 14): standard average fill >= 75%; compact demo program <= 2 pages; large print no
body text below 18 pt; greyscale every text >= 4.5:1.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import HANDOUTS  # noqa: E402

REPO = Path(__file__).resolve().parents[1]
HANDOUT_ARGS = {
    "core-activation": ["--program", "core-activation"],
    "core-strength": ["--program", "core-strength"],
    "visit": [str(REPO / "examples" / "visit.yaml")],
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    from handouts.invariants import check_pdf
    from handouts.measure import low_contrast, page_facts

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for layout in ("standard", "compact", "large-print", "standard+greyscale"):
            name, _, grey = layout.partition("+")
            for handout, extra in HANDOUT_ARGS.items():
                out = Path(tmp) / f"{name}-{handout}.pdf"
                cmd = HANDOUTS + ["--root", str(REPO), "routine", *extra, "--layout", name, "--date", "2026-11-21",
                                  "-o", str(out), "--overwrite"] + (["--greyscale"] if grey else [])
                subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                facts = page_facts(out)
                row = {"layout": layout, "handout": handout, "pages": len(facts),
                       "fill": [round(f.fill, 3) for f in facts],
                       "smallest_body_pt": min(f.smallest_body_text for f in facts),
                       "largest_body_pt": max(f.largest_body_text for f in facts),
                       "widest_picture_pt": max((w for f in facts for w in f.picture_widths), default=0),
                       "invariant_violations": [str(v) for v in check_pdf(out)]}
                if grey:
                    row["low_contrast_chars"] = len(low_contrast(out))
                rows.append(row)
    for layout in dict.fromkeys(r["layout"] for r in rows):
        mine = [r for r in rows if r["layout"] == layout]
        fills = [f for r in mine for f in r["fill"]]
        print(f"{layout:20} pages {', '.join(str(r['pages']) for r in mine):10} "
              f"average fill {sum(fills) / len(fills):6.1%}  body text {min(r['smallest_body_pt'] for r in mine):.1f}"
              f"-{max(r['largest_body_pt'] for r in mine):.1f} pt  widest picture "
              f"{max(r['widest_picture_pt'] for r in mine):.0f} pt  violations "
              f"{sum(len(r['invariant_violations']) for r in mine)}"
              + (f"  low-contrast chars {sum(r['low_contrast_chars'] for r in mine)}" if "+" in layout else ""))
    if args.json:
        args.json.write_text(json.dumps(rows, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
