#!/usr/bin/env python3
"""Benchmark: packets per second, ms and KB per packet by script, peak memory, and the
plain-reportlab floor. Prints figures; asserts nothing (tests do not time things).

    python benchmarks/bench.py              # N=60 per measurement, 3 repeats, medians
    python benchmarks/bench.py -n 200 --repeats 5 --memory

Measurements:
- throughput with --jobs 1 and with all cores, through packets.batch (files written to a temp dir);
- per script (Latin: en/es, Chinese: zh-Hans, Arabic: ar): median ms per packet and KB per packet;
- the floor: the same localized text laid out by plain reportlab (one font, no chrome, no
  calendar, no fallback/bidi layers), to show what the project's layers cost;
- with --memory: peak RSS of a child process rendering 100 and 1000 packets (flat in N?);
- the production gate's cost per packet: what build_packet asks packets.review for every packet
  (warm: catalog checks cached per catalog version), and the one-off check of a catalog version;
- the locales folder listing: calls per packet, cost per call kept or rescanned, and packets
  built in alternation with the listing kept and rescanned on every call.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from packets.batch import run_batch  # noqa: E402
from packets.build import Options, build_packet  # noqa: E402
from packets.content import load_content  # noqa: E402
from packets.i18n.context import make_context  # noqa: E402
from packets.localize import Bullets, Callout, Heading, Paragraph, Resource, Table, localize, plain  # noqa: E402
from packets.patient import parse_patient  # noqa: E402
from packets.program import load_program  # noqa: E402
from packets.roster import Row  # noqa: E402
from packets.schedule import build_schedule  # noqa: E402

SCRIPTS = {"Latin": ["en", "es-US"], "Chinese": ["zh-Hans"], "Arabic": ["ar"]}
NAMES = {"en": "Jordan Smith", "es-US": "Ana María Ruiz", "zh-Hans": "王小明", "ar": "فاطمة السيد"}


def patient(lang: str, i: int):
    return parse_patient({"name": NAMES[lang], "mrn": f"{100000 + i:08d}", "language": lang,
                          "schedule": {"first_admission": str(dt.date(2027, 1, 4) + dt.timedelta(days=i % 60))}},
                         "bench")


def mix(n: int) -> list[str]:
    langs = [l for group in SCRIPTS.values() for l in group]
    return [langs[i % len(langs)] for i in range(n)]


def per_script(program, n: int, repeats: int) -> dict:
    out = {}
    for script, langs in SCRIPTS.items():
        times, sizes = [], []
        for r in range(repeats):
            for i in range(n):
                lang = langs[i % len(langs)]
                t = time.perf_counter()
                pdf = build_packet(patient(lang, i), program, Options(allow_fallback=True)).pdf
                times.append(time.perf_counter() - t)
                sizes.append(len(pdf))
        out[script] = (statistics.median(times) * 1000, statistics.median(sizes) / 1024)
    return out


def floor(program, n: int, repeats: int) -> dict:
    """Plain reportlab drawing the same content: the same localized text, date table, month
    grids, QR codes, headings and bold terms in the bold face, language-help lines (each in its
    own language's regular and bold faces, so the same font subsets are embedded) and a header
    and footer on every page, with stock flowables, SimpleDocTemplate and the same font files
    registered with reportlab's defaults. Left out are the project's layers: catalogs and
    localization (done before the clock starts), font fallback inside a line, bidi ordering,
    styled calendar cells, list markers and page-count labels. Each script is set the way plain
    reportlab sets it correctly: CJK line breaking for Chinese, and its right-to-left path with
    HarfBuzz shaping for Arabic, Persian and Hindi (the packet joins Arabic letters and forms
    Devanagari conjuncts too)."""
    from reportlab.graphics.barcode.qr import QrCodeWidget
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont
    from reportlab.platypus.flowables import Flowable
    from reportlab.lib.colors import gray
    from reportlab.lib.pagesizes import LETTER
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import PageBreak, Paragraph as P, SimpleDocTemplate, Table as T
    from xml.sax.saxutils import escape

    from packets.render.fonts import chain_for

    class Qr(Flowable):
        """A QR code from modules encoded before the clock starts, drawn as one path."""

        def __init__(self, modules):
            super().__init__()
            self.modules, self.width, self.height = modules, 72, 72

        def draw(self):
            box = 72 / len(self.modules)
            path = self.canv.beginPath()
            for r, row in enumerate(self.modules):
                for c, dark in enumerate(row):
                    if dark:
                        path.rect(c * box, 72 - (r + 1) * box, box, box)
            self.canv.drawPath(path, stroke=0, fill=1)

    def qr(url: str) -> Qr:
        if url not in codes:
            code = QrCodeWidget(url).qr
            code.make()
            codes[url] = code.modules
        return Qr(codes[url])

    codes: dict = {}

    def stock(name: str) -> str:
        """The same font file, registered as plain reportlab does (default settings, none of the
        project's subset and compression caches)."""
        plain_name = "stock-" + name
        try:
            pdfmetrics.getFont(plain_name)
        except KeyError:
            font = TTFont(plain_name, pdfmetrics.getFont(name).face.filename)
            if font.shapable:
                font.hbFont(12)
            pdfmetrics.registerFont(font)
        return plain_name
    content = load_content()
    out = {}
    for script, langs in SCRIPTS.items():
        docs = []
        for i, lang in enumerate(langs):
            ctx = make_context(lang, program.territory, allow_fallback=True)
            p = patient(lang, i)
            docs.append((ctx.catalog_id, localize(content, program, p, build_schedule(p, program.regimen), ctx,
                                                  dt.date(2027, 1, 1))))
            for s in docs[-1][1].sections:  # QR modules encoded before the clock, like the text
                for b in s.blocks:
                    if isinstance(b, Resource):
                        qr(b.url)
        times = []
        for r in range(repeats):
            for i in range(n):
                catalog_id, doc = docs[i % len(docs)]
                t = time.perf_counter()
                font = stock(chain_for(catalog_id).primary_name(False))
                # reportlab's own way to set each script correctly: CJK line breaking for Chinese,
                # and for Arabic its right-to-left path with HarfBuzz shaping (joined letters).
                rtl = catalog_id == "ar"
                style = ParagraphStyle("b", fontName=font, fontSize=12, leading=16, shaping=int(rtl),
                                       alignment=2 if rtl else 0,
                                       wordWrap="CJK" if catalog_id.startswith("zh") else ("RTL" if rtl else None))
                bold = ParagraphStyle("h", parent=style, fontName=stock(chain_for(catalog_id).primary_name(True)))
                bold_face = bold.fontName

                def rich(runs, bold_face=bold_face):  # the bold terms inside text, as printed
                    return "".join(f'<font face="{bold_face}">{escape(r.text)}</font>' if r.bold else escape(r.text)
                                   for r in runs)

                texts = [escape(plain(doc.cover.title))]
                texts += [rich(l) + " " + rich(v) for l, v in doc.cover.dates.rows]
                story = []
                for s in doc.sections:
                    story.append(P(escape(plain(s.title)), bold))  # headings in the bold face, as printed
                    for b in s.blocks:
                        if isinstance(b, Heading):
                            story.append(P(escape(plain(b.runs)), bold))
                        elif isinstance(b, (Paragraph, Callout)):
                            texts.append(rich(b.runs))
                        elif isinstance(b, Bullets):
                            texts += [rich(x) for x in b.items]
                        elif isinstance(b, Table):
                            texts += [rich(l) + " " + rich(v) for l, v in b.rows]
                        elif isinstance(b, Resource):
                            texts += [escape(x) for x in (plain(b.name), plain(b.text), b.phone, b.url)]
                            story.append(qr(b.url))
                texts += [escape(x) for x in doc.sources]
                story = [P(x, style) for x in texts] + story
                # The same tables: dates at a glance and one 7-column grid per month, as strings.
                story.append(T([[plain(l), plain(v)] for l, v in doc.cover.dates.rows],
                               style=[("FONTNAME", (0, 0), (-1, -1), font), ("GRID", (0, 0), (-1, -1), 0.5, gray)]))
                for m in doc.calendar.months:
                    story.append(P(escape(plain(m.title)), style))
                    grid = [list(m.weekdays)] + [[d.number if d else "" for d in w] for w in m.weeks]
                    shade = [("BACKGROUND", (c, r + 1), (c, r + 1), gray) for r, w in enumerate(m.weeks)
                             for c, d in enumerate(w) if d and d.kinds]
                    story.append(T(grid, colWidths=[72] * 7, style=[("FONTNAME", (0, 0), (-1, -1), font),
                                                                  ("GRID", (0, 0), (-1, -1), 0.5, gray)] + shade))
                # The language-help page: each line in its own language's font.
                story.append(PageBreak())
                for line in doc.language_help.taglines:  # the language's name in its bold face, as printed
                    own = chain_for(line.catalog_id)
                    rtl_line = line.direction == "rtl"
                    line_style = ParagraphStyle("t", parent=style, fontName=stock(own.primary_name(False)),
                                                wordWrap="RTL" if rtl_line else None, alignment=2 if rtl_line else 0,
                                                shaping=int(rtl_line or line.catalog_id == "hi"))
                    story.append(P(f'<font face="{stock(own.primary_name(True))}">{escape(plain(line.name))}</font>: '
                                   + escape(plain(line.text)), line_style))
                header = plain(doc.header)

                def chrome(canvas, _doc, header=header, font=font):
                    canvas.setFont(font, 9)
                    canvas.drawString(54, 750, header)
                    canvas.drawRightString(558, 30, str(canvas.getPageNumber()))

                buf = io.BytesIO()
                SimpleDocTemplate(buf, pagesize=LETTER).build(story, onFirstPage=chrome, onLaterPages=chrome)
                times.append(time.perf_counter() - t)
        out[script] = statistics.median(times) * 1000
    return out


def throughput(program, n: int, jobs: int, repeats: int) -> float:
    rates = []
    for _ in range(repeats):
        rows = []
        for i, lang in enumerate(mix(n)):
            p = patient(lang, i)
            rows.append(Row(i + 1, {"name": p.name, "mrn": p.mrn, "language": lang,
                                    "schedule": {"first_admission": str(p.schedule.first_admission)}}, "bench"))
        with tempfile.TemporaryDirectory() as out:
            t = time.perf_counter()
            result = run_batch(rows, program, Options(allow_fallback=True), Path(out), jobs=jobs,
                               stream=io.StringIO())
            elapsed = time.perf_counter() - t
        assert not result.errors, result.errors[:2]
        rates.append(n / elapsed)
    return statistics.median(rates)


def peak_rss_mb(n: int) -> float:
    code = (
        "import sys, resource; sys.path.insert(0, %r)\n"
        "sys.argv=['x']\n"
        "from benchmarks.bench import patient, mix\n"
        "from packets.build import build_packet, Options\n"
        "from packets.program import load_program\n"
        "prog = load_program()\n"
        "for i, lang in enumerate(mix(%d)):\n"
        "    build_packet(patient(lang, i), prog, Options(allow_fallback=True))\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)\n"
    ) % (str(ROOT), n)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return float(r.stdout.strip().splitlines()[-1])


def gate_cost(program, n: int, repeats: int) -> dict:
    """Microseconds per packet that the gate adds (medians), and ms for the first packet of a
    catalog version, when its strings are checked (once per process and version)."""
    import dataclasses

    from packets import review
    from packets.i18n import checks
    from packets.i18n.locales import catalog_id_for
    content = load_content()
    production = dataclasses.replace(program, production=True)
    warm, prod, cold = [], [], []
    from packets.i18n.context import make_context
    for _ in range(repeats):
        for lang in mix(n):
            cid = catalog_id_for(lang)
            state = make_context(lang, program.territory).catalog  # the build's context has it loaded
            t = time.perf_counter()
            review.withheld_strings(cid, content, program, state)  # every mode: strings that fail a check
            review.program_state(program)                            # every mode: SAMPLE or not
            warm.append(time.perf_counter() - t)
            t = time.perf_counter()
            review.may_print(production, cid, content, state)        # production: three reviews + strings
            prod.append(time.perf_counter() - t)
        for cid in ("es", "zh_Hans", "ar"):
            checks._STRING_ERRORS.clear()
            checks.check_string.cache_clear()
            t = time.perf_counter()
            review.withheld_strings(cid, content, program)
            cold.append(time.perf_counter() - t)
    return {"every packet (us)": statistics.median(warm) * 1e6, "production (us)": statistics.median(prod) * 1e6,
            "first packet of a catalog version (ms)": statistics.median(cold) * 1000}


def listing_cost(program, n: int, repeats: int) -> dict:
    """The locales folder listing (``locales.available``): calls per packet, microseconds per call
    kept (the folder unchanged) and rescanned, and ms per packet with the listing kept or
    rescanned on every call, measured in alternation so that the machine's load hits both alike."""
    from packets.i18n import locales

    class Forgetful(dict):  # rescans on every call, as before the listing was kept
        def __setitem__(self, key, value):
            pass

    calls, real = [], locales.available
    locales.available = lambda *a, **k: calls.append(1) or real(*a, **k)
    build_packet(patient("es-US", 0), program, Options(allow_fallback=True))
    locales.available = real
    per_packet = len(calls)
    kept_store = locales._AVAILABLE
    timings: dict[str, list[float]] = {"kept": [], "rescanned": []}
    for store, name in ((kept_store, "kept"), (Forgetful(), "rescanned")):
        locales._AVAILABLE = store
        for _ in range(200 * repeats):
            t = time.perf_counter()
            locales.available()
            timings[name].append(time.perf_counter() - t)
    packets: dict[str, list[float]] = {"kept": [], "rescanned": []}
    for i, lang in enumerate(mix(n) * repeats):
        for store, name in ((kept_store, "kept"), (Forgetful(), "rescanned"))[::1 if i % 2 else -1]:
            locales._AVAILABLE = store
            t = time.perf_counter()
            build_packet(patient(lang, i), program, Options(allow_fallback=True))
            packets[name].append(time.perf_counter() - t)
    locales._AVAILABLE = kept_store
    diff = [b - a for a, b in zip(packets["kept"], packets["rescanned"])]
    return {"calls per packet": per_packet,
            "us per call kept": statistics.median(timings["kept"]) * 1e6,
            "us per call rescanned": statistics.median(timings["rescanned"]) * 1e6,
            "ms per packet kept": statistics.median(packets["kept"]) * 1000,
            "ms per packet rescanned": statistics.median(packets["rescanned"]) * 1000,
            "ms saved per packet (median of pairs)": statistics.median(diff) * 1000}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("-n", type=int, default=60, help="packets per measurement (default 60)")
    ap.add_argument("--repeats", type=int, default=3, help="repeats; medians are reported (default 3)")
    ap.add_argument("--memory", action="store_true", help="also measure peak RSS for 100 and 1000 packets")
    args = ap.parse_args()
    program = load_program()
    cores = os.cpu_count() or 1
    print(f"machine: {cores} cores, Python {sys.version.split()[0]}; n={args.n}, repeats={args.repeats} (medians)")
    build_packet(patient("en", 0), program, Options())  # warm: fonts and catalogs load once per process
    for lang in ("zh-Hans", "ar", "es-US"):
        build_packet(patient(lang, 0), program, Options(allow_fallback=True))

    j1 = throughput(program, args.n, 1, args.repeats)
    jn = throughput(program, args.n, cores, args.repeats)
    print(f"throughput (mixed Latin/Chinese/Arabic): jobs=1 {j1:.1f} packets/s; jobs={cores} {jn:.1f} packets/s")

    scripts = per_script(program, max(args.n // 6, 5), args.repeats)
    floors = floor(program, max(args.n // 6, 5), args.repeats)
    print(f"{'script':<9} {'ms/packet':>10} {'KB/packet':>10} {'floor ms':>9} {'overhead':>9}")
    for script, (ms, kb) in scripts.items():
        print(f"{script:<9} {ms:>10.1f} {kb:>10.1f} {floors[script]:>9.1f} {ms / floors[script]:>8.2f}x")
    gate = gate_cost(program, args.n, args.repeats)
    print("gate per packet: " + "; ".join(f"{k} {v:.1f}" for k, v in gate.items()))
    listing = listing_cost(program, args.n, args.repeats)
    print("locales listing: " + "; ".join(f"{k} {v:.1f}" if isinstance(v, float) else f"{k} {v}"
                                          for k, v in listing.items()))
    if args.memory:
        small, large = peak_rss_mb(100), peak_rss_mb(1000)
        print(f"peak RSS: 100 packets {small:.0f} MB; 1000 packets {large:.0f} MB "
              f"({(large / small - 1) * 100:+.1f}%)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
