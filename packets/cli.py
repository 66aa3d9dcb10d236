"""Command line: ``python generate.py {build,demo,batch,fhir,status,review,serve,i18n} ...`` (also the
``packets`` script).

Exit codes: 0 all good; 1 some items failed; 2 usage or configuration error.
Problems print as one plain line each on stderr, never with a traceback, and never with a
patient's name (set PACKETS_DEBUG=1 to see tracebacks of unexpected errors).
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

from . import paths
from .errors import ConfigError, PacketError

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # argparse's default exit code is 2 too; keep one plain line
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _add_packet_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("-o", "--outdir", type=Path, default=Path("out"), help="output folder (default: out)")
    p.add_argument("--program", type=Path, default=None,
                   help="program profile YAML (default: content/program.yaml)")
    p.add_argument("--paper", choices=("letter", "a4"), help="paper size (default: from the program's territory)")
    p.add_argument("--large-print", action="store_true", help="body text 18 pt or larger")
    p.add_argument("--bilingual", action="store_true",
                   help="each section in the patient's language, then in English (cover in both)")
    p.add_argument("--require-reviewed", action="store_true",
                   help="production for this run: build only from reviewed content, profile and catalog "
                        "(exit 2 otherwise); a profile with 'production: true' always does")
    p.add_argument("--allow-fallback", action="store_true",
                   help="build from an incomplete catalog, showing English for missing strings, marked")


def parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="generate.py", description="Multilingual IL-2 patient-education packets.")
    sub = ap.add_subparsers(dest="command", required=True, parser_class=_Parser)

    b = sub.add_parser("build", help="one packet for one patient",
                       description="Write OUTDIR/<mrn>-<lang>.pdf for one patient and print its path.")
    b.add_argument("patient", type=Path, help="patient YAML file")
    b.add_argument("--lang", help="BCP 47 language tag; overrides the patient's language")
    _add_packet_options(b)

    d = sub.add_parser("demo", help="sample packets, one per shipped language",
                       description="Write a packet for the built-in sample patient in every shipped language.")
    _add_packet_options(d)

    bt = sub.add_parser("batch", help="packets for a whole roster (CSV or YAML)",
                        description="One packet per roster row, in parallel. A bad row is reported with its "
                                    "line, column and masked MRN, and never stops the others; errors also go "
                                    "to OUTDIR/errors.csv. Exit 1 if any row failed.")
    bt.add_argument("roster", type=Path, help="CSV (name, mrn, birth_date, language, first_admission, "
                                              "cycles, response_scan, follow_up) or YAML list")
    bt.add_argument("--jobs", type=int, default=0, help="parallel workers (default: number of CPU cores)")
    bt.add_argument("--combined", type=Path, metavar="FILE.pdf",
                    help="also write every packet into one PDF, each starting on an odd page (duplex-safe)")
    bt.add_argument("--sort-by-language", action="store_true", help="order the combined PDF by language")
    bt.add_argument("--encrypt", action="store_true",
                    help="encrypt each PDF; the password comes from PACKETS_PDF_PASSWORD or a prompt")
    _add_packet_options(bt)

    fh = sub.add_parser("fhir", help="packets from the EHR's FHIR R4 export, DocumentReferences back",
                        description="One packet per patient with IL-2 admissions in a FHIR R4 Bundle (any type) "
                                    "or a Bulk Data NDJSON folder, as batch makes them (errors.csv, exit 1 if any "
                                    "failed), and a FHIR DocumentReference JSON beside each PDF. The mapping is "
                                    "the fhir: block of the program profile.")
    fh.add_argument("source", type=Path, help="a Bundle .json file, or a folder of .ndjson files")
    fh.add_argument("--jobs", type=int, default=0, help="parallel workers (default: number of CPU cores)")
    fh.add_argument("--combined", type=Path, metavar="FILE.pdf",
                    help="also write every packet into one PDF, each starting on an odd page (duplex-safe)")
    fh.add_argument("--sort-by-language", action="store_true", help="order the combined PDF by language")
    fh.add_argument("--post", metavar="BASE_URL",
                    help="also send each DocumentReference to this FHIR server (https); the bearer token comes "
                         "from PACKETS_FHIR_TOKEN")
    _add_packet_options(fh)

    st = sub.add_parser("status", help="review status of the content, the program profile and every catalog",
                        description="One line each: reviewed (by whom, when), draft, or changed since review; "
                                    "for what is not reviewed, who must act and the command they run.")
    st.add_argument("--program", type=Path, default=None, help="program profile YAML (default: content/program.yaml)")

    rv = sub.add_parser("review", help="record a review of the content or a program profile",
                        description="Record who reviewed what, when, and a fingerprint of exactly what was "
                                    "reviewed. Refused while the target has problems. Catalogs: 'i18n review'.")
    rsub = rv.add_subparsers(dest="review_command", required=True, parser_class=_Parser)
    rc = rsub.add_parser("content", help="a clinician's review of content/packet.yaml and content/ui.yaml",
                         description="Refused while a block that may state a medical fact has no source.")
    rc.add_argument("--by", required=True, metavar='"NAME, CREDENTIAL"', help='e.g. "Ana Ruiz, MD"')
    rp = rsub.add_parser("program", help="the program staff's review of a profile",
                         description="Refused while the profile has a validation error, a fictional phone "
                                     "number or an example domain.")
    rp.add_argument("--program", type=Path, default=None, help="program profile YAML (default: content/program.yaml)")
    rp.add_argument("--by", required=True, metavar='"NAME, CREDENTIAL"', help='e.g. "Sam Lee, RN, program manager"')

    sv = sub.add_parser("serve", help="the intake desk in a browser",
                        description="Start the intake desk (a web app for staff) and print the address to open. "
                                    "It listens on 127.0.0.1 only, unless --host names another address; that "
                                    "needs PACKETS_WEB_PASSPHRASE in the environment or --trust-header.")
    sv.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1, this computer only)")
    sv.add_argument("--port", type=int, default=8080, help="port (default: 8080; 0 picks a free one)")
    sv.add_argument("--trust-header", metavar="NAME",
                    help="sign-in by the hospital's single-sign-on proxy, which sets this header (e.g. X-Remote-User)")
    sv.add_argument("--proxy-address", action="append", metavar="IP",
                    help="address the sign-on proxy connects from (repeatable; default: 127.0.0.1 and ::1)")
    sv.add_argument("--workers", type=int, default=0, help="rendering processes (default: number of CPU cores)")
    sv.add_argument("--threads", type=int, default=8, help="request threads (default: 8)")
    sv.add_argument("--program", type=Path, default=None, help="program profile YAML (default: content/program.yaml)")
    sv.add_argument("--require-reviewed", action="store_true",
                    help="production: print only translations reviewed by a qualified medical translator")
    sv.add_argument("--max-rows", type=int, default=500, help="most rows in one roster upload (default: 500)")

    i = sub.add_parser("i18n", help="translation tools", description="Catalog tools for translators.")
    isub = i.add_subparsers(dest="i18n_command", required=True, parser_class=_Parser)
    isub.add_parser("extract", help="write locales/packet.pot from content/*.yaml",
                    description="Write locales/packet.pot; untouched when only its date would change.")
    isub.add_parser("update", help="merge packet.pot into every catalog",
                    description="Changed English -> fuzzy; new -> untranslated; removed -> obsolete (#~).")
    init = isub.add_parser("init", help="start a catalog for a new language or regional variant",
                           description="Start a new catalog. A tag with a region (es-MX, pt-BR, de-CH) starts a "
                                       "regional variant: it falls back to the base language's catalog string "
                                       "by string.")
    init.add_argument("lang", help="BCP 47 tag, e.g. fr, zh-Hant or es-MX")
    chk = isub.add_parser("check", help="check catalogs for translator mistakes",
                          description="Print every finding as file:line: msgid: problem. Exit 1 on errors.")
    chk.add_argument("langs", nargs="*", metavar="LANG", help="BCP 47 tags (default: every catalog)")
    chk.add_argument("--errors-only", action="store_true", help="print errors only, no warnings")
    isub.add_parser("stats", help="one line per language: translated, fuzzy, untranslated, review status",
                    description="Translation progress and review status of every catalog (reviewed by whom "
                                "and when, draft, or changed since review).")
    irv = isub.add_parser("review", help="record a qualified medical translator's review of a catalog",
                          description="Writes X-Review-Status, X-Reviewed-By, X-Reviewed-Date and a fingerprint "
                                      "of the catalog's strings into its header. Refused while the catalog has "
                                      "a check error, or a fuzzy or untranslated string.")
    irv.add_argument("lang", help="BCP 47 tag")
    irv.add_argument("--by", required=True, metavar='"NAME, CREDENTIAL"',
                     help='e.g. "Ana Ruiz, CCHI CoreCHI-P"')
    pre = isub.add_parser("preview", help="a sample packet in one language, for its translator",
                          description="Write a packet for the sample patient in LANG (English fills gaps, marked).")
    pre.add_argument("lang", help="BCP 47 tag")
    pre.add_argument("-o", "--output", type=Path, help="PDF file (default: out/preview-<lang>.pdf)")
    pre.add_argument("--line-numbers", action="store_true",
                     help="tag every string with its line number in the .po file")
    pre.add_argument("--large-print", action="store_true", help="preview the large-print layout")
    return ap


def _fail(err: BaseException) -> None:
    problems = err.problems() if isinstance(err, PacketError) else [err]
    for problem in problems:
        print(f"error: {problem}", file=sys.stderr)


def _write(outdir: Path, built) -> Path:
    """The calendar file and the PDF appear together (a PDF never sits without its .ics)."""
    from .output import write_together
    return write_together([(outdir / built.ics_filename, built.ics), (outdir / built.filename, built.pdf)])[-1]


def _options(args, language=None):
    from .build import Options
    return Options(language=language, paper=args.paper, large_print=args.large_print, bilingual=args.bilingual,
                   require_reviewed=args.require_reviewed, allow_fallback=args.allow_fallback)


def cmd_build(args) -> int:
    from .build import build_packet
    from .patient import load_patient
    from .program import load_program

    from .output import OutputFolder

    program = load_program(args.program)
    patient = load_patient(args.patient, program)
    built = build_packet(patient, program, _options(args, args.lang))
    with OutputFolder(args.outdir):
        for w in built.warnings:
            print(f"warning: {w}", file=sys.stderr)
        print(_write(args.outdir, built))
    return EXIT_OK


def cmd_demo(args) -> int:
    from .build import build_packet
    from .i18n.locales import available
    from .patient import load_patient
    from .program import load_program

    from .output import OutputFolder

    program = load_program(args.program)
    patient = load_patient(paths.data_dir() / "sample_patient.yaml")
    failed = 0
    with OutputFolder(args.outdir):
        for catalog_id in available():
            try:
                built = build_packet(patient, program, _options(args, catalog_id.replace("_", "-")))
            except PacketError as err:
                _fail(err)
                failed += 1
                continue
            print(_write(args.outdir, built))
    return EXIT_FAILED if failed else EXIT_OK


def _print_state(state) -> None:
    line = f"{state.label}: {state.summary()}"
    if not state.ready:
        line += f" -> {state.who}: {state.command}"
    print(line)


def cmd_status(args) -> int:
    from .content import load_content
    from .program import load_program
    from .review import status
    program = load_program(args.program)
    states = status(program, load_content())
    mode = "production (packets only when all three are reviewed)" if program.production else \
        "not production (packets from an unreviewed profile say SAMPLE on every page)"
    print(f"{program.file}: {mode}")
    for state in states:
        _print_state(state)
    return EXIT_OK


def _refused(err) -> int:
    for detail in err.details:
        print(detail, file=sys.stderr)
    _fail(err)
    return EXIT_FAILED


def cmd_review(args) -> int:
    from .review import ReviewRefused, review_content, review_program
    try:
        state = review_content(args.by) if args.review_command == "content" else review_program(args.by, args.program)
    except ReviewRefused as err:
        return _refused(err)
    _print_state(state)
    return EXIT_OK


def cmd_i18n(args) -> int:
    if args.i18n_command == "extract":
        from .i18n.extract import write_template
        path, changed = write_template()
        print(f"{path} {'written' if changed else 'unchanged (only the date would change)'}")
        return EXIT_OK
    if args.i18n_command == "update":
        from .i18n.catalogs import update_catalogs
        from .i18n.locales import base_catalog
        for path, fuzzy, untranslated, obsolete, demoted in update_catalogs():
            parent = base_catalog(path.parent.parent.name)
            note = f" (a variant: empty strings use {parent})" if parent else ""
            print(f"{path}: {fuzzy} fuzzy, {untranslated} untranslated{note}, {obsolete} obsolete"
                  + (f"; {demoted}" if demoted else ""))
        return EXIT_OK
    if args.i18n_command == "init":
        from .i18n.catalogs import init_catalog
        from .i18n.locales import base_catalog
        from .i18n.locales import parent_id
        path = init_catalog(args.lang)
        catalog_id = path.parent.parent.name
        parent, wanted = base_catalog(catalog_id), parent_id(catalog_id)
        if parent:
            print(f"{path} (a regional variant: each empty string uses the {parent} catalog)")
        elif wanted:
            print(f"{path} (no {wanted} catalog yet, so a complete catalog of its own; after "
                  f"'i18n init {wanted.replace('_', '-')}' it falls back to {wanted})")
        else:
            print(path)
        return EXIT_OK
    if args.i18n_command == "check":
        return _i18n_check(args)
    if args.i18n_command == "stats":
        from .i18n.checks import catalog_stats
        from .i18n.locales import available
        from .review import catalog_state
        for c in available()[1:]:
            try:
                st = catalog_stats(c)
            except ConfigError as err:
                print(f"{c}: does not parse: {err}")
                continue
            own = f"{st['own']} own string{'' if st['own'] == 1 else 's'}"
            variant = f" (variant of {st['variant_of']}: {own})" if st["variant_of"] else ""
            print(f"{st['native']} ({st['tag']}): {st['percent']:.0f}% translated{variant}, {st['fuzzy']} fuzzy, "
                  f"{st['untranslated']} untranslated; {catalog_state(c).summary()}")
        return EXIT_OK
    if args.i18n_command == "review":
        from .i18n.locales import catalog_id_for
        from .review import ReviewRefused, review_catalog
        try:
            state = review_catalog(catalog_id_for(args.lang), args.by)
        except ReviewRefused as err:
            return _refused(err)
        _print_state(state)
        return EXIT_OK
    if args.i18n_command == "preview":
        return _i18n_preview(args)
    raise AssertionError(args.i18n_command)


def _i18n_check(args) -> int:
    from .i18n.checks import ERROR, check_catalog
    from .i18n.locales import available, catalog_id_for
    ids = [catalog_id_for(t) for t in args.langs] or available()[1:]
    errors = warnings = 0
    for c in ids:
        if c == "en":
            continue
        for finding in check_catalog(c):
            if finding.severity == ERROR:
                errors += 1
            else:
                warnings += 1
                if args.errors_only:
                    continue
            print(finding)
    print(f"{len(ids)} catalog(s) checked: {errors} error(s), {warnings} warning(s)", file=sys.stderr)
    return EXIT_FAILED if errors else EXIT_OK


def _i18n_preview(args) -> int:
    from .build import Options, build_packet
    from .output import atomic_write
    from .patient import load_patient
    from .program import load_program
    import dataclasses
    patient = load_patient(paths.data_dir() / "sample_patient.yaml")
    program = dataclasses.replace(load_program(), production=False)  # a translator's preview, never for a patient
    built = build_packet(patient, program, Options(language=args.lang, allow_fallback=True,
                                                          large_print=args.large_print,
                                                          tag_lines=args.line_numbers, preview=True))
    target = args.output or Path("out") / f"preview-{built.language}.pdf"
    print(atomic_write(target, built.pdf))
    return EXIT_OK


def _password(args) -> str | None:
    if not getattr(args, "encrypt", False):
        return None
    password = os.environ.get("PACKETS_PDF_PASSWORD")
    if not password:
        if not sys.stdin.isatty():
            raise ConfigError("--encrypt needs a password: set PACKETS_PDF_PASSWORD or run in a terminal")
        import getpass
        password = getpass.getpass("Password for the PDFs: ")
    if len(password) < 8:
        raise ConfigError("the PDF password must have at least 8 characters")
    return password


def cmd_batch(args) -> int:
    from .batch import MAX_JOBS, run_batch
    from .program import load_program
    from .roster import read_roster

    if args.encrypt and args.combined:
        raise ConfigError("--encrypt is for packets sent one by one; it does not go with --combined")
    if not 0 <= args.jobs <= MAX_JOBS:
        raise ConfigError(f"--jobs must be a whole number from 1 to {MAX_JOBS} (or 0: one per CPU core)")
    program = load_program(args.program)
    rows = read_roster(args.roster)
    password = _password(args)
    for w in rows.warnings:
        print(f"warning: {w}", file=sys.stderr)
    inputs = [args.roster] + ([args.program] if args.program else [])
    result = run_batch(rows, program, _options(args), args.outdir, jobs=args.jobs, combined=args.combined,
                       sort_by_language=args.sort_by_language, password=password, inputs=inputs)
    for err in result.errors:
        col = f" column {err['column']}:" if err["column"] else ""
        print(f"error: {args.roster}:{err['line']}:{col} {err['problem']} (MRN {err['mrn']})", file=sys.stderr)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if result.removed:
        print(f"batch: removed {len(result.removed)} older packet(s) of refused rows, so an outdated packet is not "
              "printed instead", file=sys.stderr)
    written = f"{len(result.written)} packet(s) written to {args.outdir}"
    if result.manifest:
        written += f" (listed in {result.manifest})"
    summary = f"{written}, {result.failed_rows} row(s) failed"
    return _finish("batch", result, summary,
                   "; encrypted with AES-256, no calendar (.ics) files" if password else "")


def cmd_fhir(args) -> int:
    from .batch import MAX_JOBS, run_batch
    from .fhir import read_source
    from .fhir.documents import companion
    from .fhir.post import TOKEN_VARIABLE, check_base_url, post_packets
    from .fhir.profile import require_settings
    from .program import load_program

    if not 0 <= args.jobs <= MAX_JOBS:
        raise ConfigError(f"--jobs must be a whole number from 1 to {MAX_JOBS} (or 0: one per CPU core)")
    program = load_program(args.program)
    settings = require_settings(program)
    base_url = token = None
    if args.post:
        base_url = check_base_url(args.post)
        token = os.environ.get(TOKEN_VARIABLE)
        if not token:
            raise ConfigError(f"--post needs the server's bearer token in {TOKEN_VARIABLE} (never on the command line)")
    imported = read_source(args.source, program)
    document = companion(settings, large_print=args.large_print)
    posts = []

    def post(result) -> list[dict]:  # with the folder still locked; refusals go into errors.csv
        posts.append(post_packets(base_url, token, result.packets, document))
        return posts[0].errors

    result = run_batch(imported.rows, program, _options(args), args.outdir, jobs=args.jobs, combined=args.combined,
                       sort_by_language=args.sort_by_language, inputs=[Path(args.source)], companions=[document],
                       after_build=post if base_url else None)
    for err in result.errors:  # every problem names its resource and where it is in the source
        mrn = err["mrn"] if err["mrn"].startswith("(") else f"(MRN {err['mrn']})"
        print(f"error: {args.source}: {err['problem']} {mrn}", file=sys.stderr)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    if result.removed:
        print(f"fhir: removed {len(result.removed)} older packet(s) of refused patients, with their calendar and "
              "DocumentReference files, so an outdated packet is not printed or filed instead", file=sys.stderr)
    not_posted = len(posts[0].errors) if posts else 0
    summary = f"{len(result.written)} packet(s) written to {args.outdir}"
    if result.manifest:
        summary += f" (listed in {result.manifest})"
    summary += f", {result.failed_rows - not_posted} failed"
    if imported.without_admissions:
        summary += f", {imported.without_admissions} patient(s) without IL-2 admissions skipped"
    summary += f"; {len(result.packets)} DocumentReference(s) written"
    if posts:
        summary += f", {posts[0].posted} posted"
        if posts[0].already:
            summary += f" ({posts[0].already} already on the server)"
        if not_posted:
            summary += f", {not_posted} NOT posted (rerun today to post them)"
    return _finish("fhir", result, summary)


def _finish(command: str, result, summary: str, note: str = "") -> int:
    """A run's last line (where its errors and combined file are) and its exit code: 2 when the
    run stopped (a full disk, an interrupt), 1 when some rows failed, 0 when all is good."""
    if result.errors_file:
        summary += f"; see {result.errors_file}"
    if result.combined:
        summary += f"; combined: {result.combined}"
    summary += note
    if result.stopped:
        print(f"{command} stopped: {result.stopped}; {summary}")
        return EXIT_USAGE
    print(f"{command}: {summary}")
    return EXIT_FAILED if result.errors else EXIT_OK


def cmd_serve(args) -> int:
    from .web import Settings
    from .web.server import serve

    if args.workers < 0 or args.threads < 1 or args.max_rows < 1 or not 0 <= args.port <= 65535:
        raise ConfigError("--workers, --threads, --max-rows and --port must be positive numbers")
    settings = Settings.from_environment(
        program_path=args.program, require_reviewed=args.require_reviewed, trust_header=args.trust_header,
        proxy_addresses=tuple(args.proxy_address or ("127.0.0.1", "::1")),
        workers=args.workers or os.cpu_count() or 1, max_rows=args.max_rows)
    return serve(settings, host=args.host, port=args.port, threads=args.threads)


COMMANDS = {"build": cmd_build, "demo": cmd_demo, "batch": cmd_batch, "fhir": cmd_fhir, "status": cmd_status,
            "review": cmd_review, "serve": cmd_serve, "i18n": cmd_i18n}


def _terminated(signum, frame):  # SIGTERM: stop like Ctrl-C, so workers and temporary files are cleaned up
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    previous = signal.signal(signal.SIGTERM, _terminated) if _main_thread() else None
    try:
        from .clock import source_date_epoch
        source_date_epoch()  # a bad value is one line here, not a crash inside a library
        return COMMANDS[args.command](args)
    except PacketError as err:
        _fail(err)
        return EXIT_USAGE
    except BrokenPipeError:  # output piped into head or less, which closed early
        return EXIT_OK
    except OSError as err:  # a file the user named cannot be written or read: one plain line
        from .output import describe
        print(f"error: {err.filename or ''}{': ' if err.filename else ''}{describe(err)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted; no partial files were left at their final names", file=sys.stderr)
        return EXIT_FAILED
    except Exception as err:  # an unexpected bug: no traceback, and no data that may name a patient
        if os.environ.get("PACKETS_DEBUG"):
            raise
        print(f"internal error ({type(err).__name__}); rerun with PACKETS_DEBUG=1 for details",
              file=sys.stderr)
        return EXIT_FAILED
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _main_thread() -> bool:
    import threading
    return threading.current_thread() is threading.main_thread()
