"""The production gate: three reviews recorded as data, and nothing unreviewed, unchecked or
fictional reaching a patient.

Every test works on a temporary copy of the content, profile and catalogs (PACKETS_ROOT): the
shipped files are never reviewed. Each planted mistake of issue 9 is a test here; the PDF is
read back to see what a patient would get.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from conftest import REAL_PROFILE, pdf_text
from packets import paths, review
from packets.cli import main
from packets.i18n import locales
from packets.i18n.context import load_catalog_state
from packets.i18n.pofiles import read_catalog, write_catalog

PATIENT = "name: Ana María Ruiz\nmrn: '00412345'\nlanguage: es-US\nschedule:\n  first_admission: 2026-03-03\n"
REPO = Path(__file__).resolve().parent.parent
CLINICIAN, STAFF, TRANSLATOR = "Dr. Rosa Díaz, MD", "Sam Lee, RN, program manager", "Ana Ruiz, CCHI CoreCHI-P"


@pytest.fixture
def root(tmp_path, monkeypatch):
    """A copy of the content and catalogs with a profile that could be real; nothing reviewed yet."""
    root = tmp_path / "root"
    shutil.copytree(paths.content_dir(), root / "content")
    shutil.copytree(paths.locales_dir(), root / "locales")
    (root / "fonts").symlink_to(paths.root() / "fonts")
    (root / "content" / "program.yaml").write_text(REAL_PROFILE, encoding="utf-8")
    (tmp_path / "patient.yaml").write_text(PATIENT, encoding="utf-8")
    monkeypatch.setenv("PACKETS_ROOT", str(root))
    return root


def es_po(root):
    return root / "locales" / "es" / "LC_MESSAGES" / "packet.po"


def run(capsys, *argv) -> tuple[int, str, str]:
    code = main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def build(capsys, root, *extra) -> tuple[int, str, str]:
    return run(capsys, "build", root.parent / "patient.yaml", "-o", root.parent / "out", *extra)


def packet_text(root) -> str:
    return " ".join(" ".join(pdf_text((root.parent / "out" / "00412345-es.pdf").read_bytes())).split())


def review_all(capsys, *langs: str) -> None:
    assert run(capsys, "review", "content", "--by", CLINICIAN)[0] == 0
    assert run(capsys, "review", "program", "--by", STAFF)[0] == 0
    for lang in langs:
        code, out, err = run(capsys, "i18n", "review", lang, "--by", TRANSLATOR)
        assert code == 0, err


def translate(path, msgid_start: str, edit) -> int:
    """Change one translation as a translator's editor would; returns the entry's line, as
    `i18n check` reports it."""
    catalog, extra = read_catalog(path)
    message = next(m for m in catalog if m.id and (m.id[0] if isinstance(m.id, tuple) else m.id).startswith(msgid_start))
    message.string = edit(message.string)
    write_catalog(path, catalog, extra)
    return next(m.lineno for m in read_catalog(path)[0] if m.id == message.id)


def set_header(path, **fields) -> None:
    path.write_bytes(review.set_header_fields(path.read_bytes(), {k.replace("_", "-"): v for k, v in fields.items()}))


EMERGENCY = "If you or someone with you notices"


# --- a reviewed, check-clean catalog builds in production, with no draft or sample notice ------

def test_reviewed_catalog_builds_in_production_without_notices(root, capsys):
    review_all(capsys, "es")
    code, out, err = build(capsys, root, "--require-reviewed")
    assert code == 0, err
    pages = pdf_text((root.parent / "out" / "00412345-es.pdf").read_bytes())
    assert len(pages) >= 5
    for page in pages:
        assert "SAMPLE" not in page and "MUESTRA" not in page
        assert "Draft translation" not in page and "borrador" not in page
        assert "Ana María Ruiz" in page
    text = packet_text(root)
    assert "Efectos secundarios y cuándo llamar" in text and "[EN]" not in text


def test_profile_production_flag_needs_no_option(root, capsys):
    profile = root / "content" / "program.yaml"
    profile.write_text(REAL_PROFILE + "production: true\n", encoding="utf-8")
    code, _, err = build(capsys, root)
    assert code == 2 and "not ready for production" in err
    review_all(capsys, "es")  # the production switch is not part of what staff review
    assert build(capsys, root)[0] == 0


# --- what staff see when something is not ready ------------------------------------------------

def test_nothing_reviewed_names_all_three_who_acts_and_the_command(root, capsys):
    code, out, err = build(capsys, root, "--require-reviewed")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "Traceback" not in err and "Ana" not in err
    assert 'a clinician must review it: python generate.py review content --by "NAME, CREDENTIAL"' in err
    assert "the program's staff must review it: python generate.py review program --by" in err
    assert "locales/es/LC_MESSAGES/packet.po is a draft" in err
    assert "a qualified medical translator must review it: python generate.py i18n review es --by" in err
    assert not (root.parent / "out").exists()


def test_only_the_catalog_missing(root, capsys):
    assert run(capsys, "review", "content", "--by", CLINICIAN)[0] == 0
    assert run(capsys, "review", "program", "--by", STAFF)[0] == 0
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2
    assert "i18n review es" in err and "review program" not in err and "review content" not in err


# --- planted: a reviewed catalog edited after review is refused in production ------------------

def test_catalog_edited_after_review_is_refused_in_production(root, capsys):
    review_all(capsys, "es")
    translate(es_po(root), "About IL-2 treatment", lambda s: "Acerca del tratamiento con la IL-2")
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2
    assert f"changed since its review by {TRANSLATOR} on" in err
    assert "must review it again: python generate.py i18n review es" in err
    # the header still says reviewed: only the fingerprint knows
    assert read_catalog(es_po(root))[1]["X-Review-Status"] == "reviewed"
    code, out, _ = run(capsys, "i18n", "stats")
    assert re.search(r"Español \(es\): .*; changed since review \(reviewed by Ana Ruiz, CCHI CoreCHI-P on ", out)
    code, out, _ = run(capsys, "status")
    assert "locales/es/LC_MESSAGES/packet.po: changed since review" in out
    # outside production the same catalog is a draft again, and every page says so
    assert build(capsys, root)[0] == 0
    pages = pdf_text((root.parent / "out" / "00412345-es.pdf").read_bytes())
    assert all("Traducción en borrador" in page for page in pages)


def test_marking_a_reviewed_string_fuzzy_undoes_the_review(root, capsys):
    """A translator flags a reviewed string as needing another look, its text unchanged: that is a
    change since the review (the string no longer prints), so production refuses the catalog."""
    review_all(capsys, "es")
    catalog, extra = read_catalog(es_po(root))
    next(m for m in catalog if m.id == "About IL-2 treatment").flags.add("fuzzy")
    write_catalog(es_po(root), catalog, extra)
    assert load_catalog_state("es").review_status == "changed since review"
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2 and f"changed since its review by {TRANSLATOR} on" in err


def test_rewrapping_a_reviewed_catalog_keeps_its_review(root, capsys):
    """A mechanical reformat (another wrap width, entries reordered, references dropped) changes no
    string a patient reads, so the review stands; `i18n update` with no English change neither."""
    from babel.messages.pofile import write_po
    import io
    review_all(capsys, "es")
    catalog, extra = read_catalog(es_po(root))
    for m in catalog:
        m.locations = []
    buf = io.BytesIO()
    write_po(buf, catalog, width=60, sort_output=True)
    data = buf.getvalue().replace(b'"Generated-By:', "".join(f'"{k}: {v}\\n"\n' for k, v in extra.items())
                                  .encode() + b'"Generated-By:', 1)
    es_po(root).write_bytes(data)
    assert load_catalog_state("es").review_status == "reviewed"
    assert run(capsys, "i18n", "update")[0] == 0
    assert load_catalog_state("es").review_status == "reviewed"
    assert build(capsys, root, "--require-reviewed")[0] == 0


def test_update_after_an_english_change_demotes_exactly_the_changed_catalogs(root, capsys):
    review_all(capsys, "es", "fr")
    packet = root / "content" / "packet.yaml"
    text = packet.read_text(encoding="utf-8")
    # a translator's note changes: no string a patient reads does
    packet.write_text(text.replace("note: The title on the cover page.", "note: The cover title."), encoding="utf-8")
    assert run(capsys, "i18n", "extract")[0] == 0
    code, out, _ = run(capsys, "i18n", "update")
    assert "withdrawn" not in out
    assert {c: load_catalog_state(c).review_status for c in ("es", "fr", "pt")} == \
        {"es": "reviewed", "fr": "reviewed", "pt": "draft"}
    # an English sentence changes: both reviewed catalogs are demoted, the draft stays a draft
    text = packet.read_text(encoding="utf-8")
    packet.write_text(text.replace("text: How IL-2 works", "text: How IL-2 does its work"), encoding="utf-8")
    assert run(capsys, "i18n", "extract")[0] == 0
    code, out, _ = run(capsys, "i18n", "update")
    demoted = [line.split(":")[0] for line in out.splitlines() if "withdrawn: changed since review" in line]
    assert sorted(demoted) == sorted(str(locales.catalog_path(c)) for c in ("es", "fr"))
    assert read_catalog(es_po(root))[1]["X-Review-Status"] == "draft"
    assert load_catalog_state("es").review_status == "changed since review"
    assert load_catalog_state("pt").review_status == "draft"


def test_content_edited_after_review_is_refused(root, capsys):
    review_all(capsys, "es")
    packet = root / "content" / "packet.yaml"
    text = packet.read_text(encoding="utf-8")
    packet.write_text(text.replace("There is no age limit.", "There is no age limit at all."), encoding="utf-8")
    from packets.content import _load_content
    _load_content.cache_clear()
    try:
        code, _, err = build(capsys, root, "--require-reviewed")
    finally:
        _load_content.cache_clear()
    assert code == 2 and "the content (content/packet.yaml, content/ui.yaml) changed since its review" in err
    assert "a clinician must review it again" in err


def test_profile_edited_after_review_is_refused(root, capsys):
    review_all(capsys, "es")
    profile = root / "content" / "program.yaml"
    profile.write_text(REAL_PROFILE.replace("215-6001", "215-6002"), encoding="utf-8")
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2 and "the program profile content/program.yaml changed since its review by Sam Lee" in err


# --- incomplete or damaged records count as no review ------------------------------------------

def test_reviewed_header_with_empty_reviewer_and_date_is_a_draft(root, capsys):
    review_all(capsys)
    set_header(es_po(root), X_Review_Status="reviewed")
    state = review.catalog_state("es")
    assert state.status == "draft" and "incomplete" in state.detail
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2 and "es/LC_MESSAGES/packet.po is a draft (review record incomplete" in err


def test_damaged_content_record_is_no_review(root, capsys):
    review_all(capsys, "es")
    record = root / "content" / "content.review.yaml"
    record.write_text(record.read_text(encoding="utf-8").replace("date: ", "date: [", 1), encoding="utf-8")
    state = review.content_state()
    assert state.status == "draft" and "damaged" in state.detail
    assert build(capsys, root, "--require-reviewed")[0] == 2


# --- planted: 112 typed where {emergency_number} belongs, and a phone typed by hand ------------

def test_112_for_the_emergency_number_never_prints(root, capsys):
    line = translate(es_po(root), EMERGENCY, lambda s: s.replace("{emergency_number}", "112"))
    phone = translate(es_po(root), "For questions that can wait", lambda s: s.replace("{phone_main}", "(503) 555-0100"))
    # the checker finds both, with their lines
    code, out, _ = run(capsys, "i18n", "check", "es", "--errors-only")
    assert code == 1
    assert f"packet.po:{line}: {EMERGENCY}" in out and "missing placeholder(s) {emergency_number}" in out
    assert f"packet.po:{phone}: For questions that can wait" in out
    assert "number 112 is not in the English" in out and "number 503 is not in the English" in out
    assert "msgfmt" not in out  # msgfmt's "format specification" lines would count each mistake twice
    # outside production the English prints in its place, marked, and the packet says so
    code, _, err = build(capsys, root)
    assert code == 0, err
    text = packet_text(root)
    assert "112" not in text and "555-0100" not in text
    assert "[EN] If you or someone with you notices any of these signs, call 911 now" in text
    assert "[EN] For questions that can wait, call the clinic at (503) 215-6000." in text
    assert "Parte del texto de este folleto está en inglés" in text
    # in production: exit 2 with the string's file:line, whatever the header claims
    set_header(es_po(root), X_Review_Status="reviewed", X_Reviewed_By=TRANSLATOR, X_Reviewed_Date="2027-01-15")
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert re.search(rf"error: not ready for production: locales/es/LC_MESSAGES/packet\.po:({line}|{phone}): "
                     r"(If you|For questions).*: missing placeholder\(s\) \{(emergency_number|phone_main)\} "
                     r"\(and 1 more\); a qualified medical translator must fix it: python generate.py i18n check es", err)
    assert "review record incomplete (no fingerprint)" in err


def test_a_string_failing_after_its_review_still_never_prints_in_production(root, capsys):
    """A review recorded when the string passed (older rules, other fonts): production stops at
    the string, with its file and line."""
    review_all(capsys, "es")
    line = translate(es_po(root), EMERGENCY, lambda s: s.replace("{emergency_number}", "112"))
    set_header(es_po(root), X_Review_Fingerprint=load_catalog_state("es").fingerprint)
    assert review.catalog_state("es").status == "reviewed"
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2
    assert f"not ready for production: locales/es/LC_MESSAGES/packet.po:{line}: If you or someone with you notices an...: " \
           "missing placeholder(s) {emergency_number}; a qualified medical translator must fix it" in err
    assert not (root.parent / "out").exists()


def test_review_is_refused_while_the_catalog_has_problems(root, capsys):
    translate(es_po(root), EMERGENCY, lambda s: s.replace("{emergency_number}", "112"))
    before = es_po(root).read_bytes()
    code, _, err = run(capsys, "i18n", "review", "es", "--by", TRANSLATOR)
    assert code == 1 and "es review not recorded" in err and "number 112 is not in the English" in err
    assert es_po(root).read_bytes() == before


@pytest.mark.parametrize("edit, problem", [
    pytest.param(lambda m: m.flags.add("fuzzy"), "fuzzy", id="fuzzy"),
    pytest.param(lambda m: setattr(m, "string", ""), "untranslated", id="untranslated"),
])
def test_review_is_refused_for_fuzzy_or_untranslated(root, capsys, edit, problem):
    catalog, extra = read_catalog(es_po(root))
    edit(next(m for m in catalog if m.id == "How IL-2 works"))
    write_catalog(es_po(root), catalog, extra)
    code, _, err = run(capsys, "i18n", "review", "es", "--by", TRANSLATOR)
    assert code == 1 and f"How IL-2 works: warning: {problem}" in err


def test_review_writes_only_the_header(root, capsys):
    before = es_po(root).read_text(encoding="utf-8").splitlines()
    assert run(capsys, "i18n", "review", "es", "--by", TRANSLATOR)[0] == 0
    after = es_po(root).read_text(encoding="utf-8").splitlines()
    changed = [line for line in after if line not in before]
    assert sorted(c.split(":")[0] for c in changed) == ['"X-Review-Fingerprint', '"X-Review-Status',
                                                       '"X-Reviewed-By', '"X-Reviewed-Date']
    assert len(after) == len(before) + 1


@pytest.mark.parametrize("by", ["Ana Ruiz", "", ", CCHI", 'Ana "A" Ruiz, MD'])
def test_review_needs_a_name_and_a_credential(root, capsys, by):
    code, _, err = run(capsys, "review", "content", "--by", by)
    assert code == 2 and "--by" in err
    assert not (root / "content" / "content.review.yaml").exists()


def test_content_review_is_refused_for_a_factual_block_without_a_source(root, capsys):
    packet = root / "content" / "packet.yaml"
    text = packet.read_text(encoding="utf-8")
    text = text.replace("      - type: paragraph\n        source: seed-tip\n        text: There is no age limit.",
                        "      - type: paragraph\n        text: There is no age limit.")
    packet.write_text(text, encoding="utf-8")
    line = text[:text.index("text: There is no age limit.")].count("\n")
    code, _, err = run(capsys, "review", "content", "--by", CLINICIAN)
    assert code == 1
    assert f"content/packet.yaml:{line}: section eligibility: a paragraph block has no source" in err
    assert not (root / "content" / "content.review.yaml").exists()


# --- planted: the sample profile in production is refused; outside, SAMPLE on every page -------

def test_sample_profile_is_refused_in_production(root, capsys):
    shutil.copy(REPO / "content" / "program.yaml", root / "content" / "program.yaml")
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "the program profile content/program.yaml is a sample (phones.main: (503) 555-0100 is a fictional " \
           "number (555-0100 to 555-0199, reserved for fiction)" in err
    assert "the program's staff must put in the real details, then review it" in err
    # and its review is refused too
    code, _, err = run(capsys, "review", "program", "--by", STAFF)
    assert code == 1 and "phones.24h: (503) 555-0199 is a fictional number" in err


def test_a_reviewed_sample_profile_is_still_refused_in_production(root, capsys):
    """A review record whose fingerprint matches a profile with fictional numbers (recorded before
    a rule that now finds them, or copied along with the profile): the review stands, the profile
    is still a sample, production refuses it."""
    import json
    from packets.fingerprint import program_fingerprint
    from packets.program import load_program
    shutil.copy(REPO / "content" / "program.yaml", root / "content" / "program.yaml")
    (root / "content" / "program.review.yaml").write_text(
        f"reviewed_by: {json.dumps(STAFF)}\ndate: \"2026-01-05\"\n"
        f"fingerprint: {json.dumps(program_fingerprint(load_program()))}\n", encoding="utf-8")
    assert run(capsys, "review", "content", "--by", CLINICIAN)[0] == 0
    assert run(capsys, "i18n", "review", "es", "--by", TRANSLATOR)[0] == 0
    code, out, _ = run(capsys, "status")
    assert f"the program profile content/program.yaml: reviewed by {STAFF} on 2026-01-05" in out
    code, _, err = build(capsys, root, "--require-reviewed")
    assert code == 2 and "content/program.yaml is a sample (phones.main: (503) 555-0100 is a fictional" in err


def test_unreviewed_profile_prints_sample_on_every_page(root, capsys):
    assert build(capsys, root)[0] == 0
    pages = pdf_text((root.parent / "out" / "00412345-es.pdf").read_bytes())
    assert all("MUESTRA — no es para uso con pacientes" in p and "SAMPLE — not for patient use" in p for p in pages)
    assert run(capsys, "review", "program", "--by", STAFF)[0] == 0
    assert build(capsys, root)[0] == 0
    assert not any("SAMPLE" in p for p in pdf_text((root.parent / "out" / "00412345-es.pdf").read_bytes()))


@pytest.mark.parametrize("profile, field", [
    ("examples/program-tip.yaml", "phones.main: 020 7946 0000 is a fictional number (020 79460000 to 020 79460999"),
    ("examples/program-tip.yaml", "website: example.org is an example domain"),
])
def test_fictional_numbers_and_example_domains_mark_a_sample(profile, field):
    from packets.program import load_program, sample_reasons
    assert any(r.startswith(field) for r in sample_reasons(load_program(REPO / profile)))


# --- planted: a draft tagline never appears on a production packet -----------------------------

def language_help_page(root) -> str:
    pages = pdf_text((root.parent / "out" / "00412345-es.pdf").read_bytes())
    return " ".join(next(p for p in pages if "Free language help" in p).split())


def test_draft_taglines_never_appear_in_production(root, capsys):
    review_all(capsys, "es")
    assert build(capsys, root, "--require-reviewed")[0] == 0
    page = language_help_page(root)
    assert "Español: Hay ayuda gratuita disponible en español." in page
    assert "English: Free help in your language is available." in page
    for other in ("Français", "Deutsch", "Tiếng Việt", "Polski", "Tagalog", "Kreyòl"):
        assert other not in page
    assert "traduction provisoire" not in page and "borrador" not in page
    # outside production the same page lists every language, each draft marked in its own words
    assert build(capsys, root)[0] == 0
    page = language_help_page(root)
    assert "Une aide gratuite dans votre langue est disponible. Appelez le (503) 215-6000. (traduction provisoire)" in page
    assert "Hay ayuda gratuita disponible en español. Llame al (503) 215-6000. (traducción en borrador)" not in page
    assert "Tiếng Việt" in page and "(bản dịch nháp)" in page


# --- planted: broken catalog syntax gives exit 2 with file:line, in every mode ------------------

@pytest.mark.parametrize("mode", [(), ("--require-reviewed",), ("--allow-fallback",)])
def test_unterminated_string_stops_the_build_with_file_and_line(root, capsys, mode):
    """The Spanish 24-hour callout once printed cut off ("Llámenos de inmediat"), with no phone:
    babel reads an unterminated string without a word. Now it stops every build."""
    lines = es_po(root).read_text(encoding="utf-8").split("\n")
    at = next(i for i, text in enumerate(lines) if "Llámenos de inmediato" in text)
    lines[at] = lines[at][:lines[at].index("inmediato") + len("inmediat")]
    es_po(root).write_text("\n".join(lines), encoding="utf-8")
    code, _, err = build(capsys, root, *mode)
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"es/LC_MESSAGES/packet.po:{at + 1}: catalog syntax: unterminated string" in err
    assert not (root.parent / "out").exists()
    # the checker reports it once, where it is, and goes on to the other catalogs
    code, out, _ = run(capsys, "i18n", "check")
    assert code == 1
    assert [line for line in out.splitlines() if "packet.po:" in line and "error" in line] == \
        [f"{es_po(root)}:{at + 1}: error: catalog syntax: unterminated string (a closing \" is missing)"]


def test_status_lists_the_three_reviews(root, capsys):
    review_all(capsys, "es")
    code, out, _ = run(capsys, "status")
    assert code == 0
    lines = out.splitlines()
    assert lines[0] == "content/program.yaml: not production (packets from an unreviewed profile say SAMPLE on every page)"
    assert re.match(rf"the content \(content/packet.yaml, content/ui.yaml\): reviewed by {CLINICIAN} on \d{{4}}-\d\d-\d\d$",
                    lines[1])
    assert lines[2].startswith(f"the program profile content/program.yaml: reviewed by {STAFF} on ")
    es = next(line for line in lines if "(es)" in line)
    assert es.startswith(f"the Spanish (es) catalog locales/es/LC_MESSAGES/packet.po: reviewed by {TRANSLATOR} on ")
    fr = next(line for line in lines if "(fr)" in line)
    assert fr.endswith('draft (never reviewed) -> a qualified medical translator: '
                       'python generate.py i18n review fr --by "NAME, CREDENTIAL"')


def test_catalog_checks_run_once_per_catalog_version(root, capsys, monkeypatch, sample_patient):
    """A batch must not check the catalog for every packet: the string checks run once per
    catalog version, and again only when the catalog changes."""
    from packets.build import Options, build_packet
    from packets.content import load_content
    from packets.i18n import checks
    from packets.program import load_program
    calls = []
    real = checks.check_string
    language_help = {m.text for k, m in load_content().ui.items() if k in ("language_help", "draft_mark")}
    monkeypatch.setattr(checks, "check_string", lambda *a: (a[0] == "es" and a[2][0] not in language_help
                                                            and calls.append(a[1:3])) or real(*a))
    program = load_program()
    for _ in range(3):
        build_packet(sample_patient, program, Options(language="es"))
    es = load_catalog_state("es").translations
    printed = set(es) & set(review.printed_messages(load_content(), program))
    entries = sum(len(es[k]) if isinstance(es[k], tuple) else 1  # each plural form is checked
                  for k in printed if k[1] not in language_help)
    assert len(calls) == entries > 100
    translate(es_po(root), "About IL-2 treatment", lambda s: "Acerca del tratamiento con la IL-2")
    build_packet(sample_patient, program, Options(language="es"))
    assert len(calls) == 2 * entries


def test_a_regional_variant_is_ready_only_with_its_base(root, capsys):
    """An es-MX packet reads strings of es_MX and of es: production needs both reviews."""
    assert run(capsys, "i18n", "init", "es-MX")[0] == 0
    review_all(capsys, "es-MX")
    code, _, err = build(capsys, root, "--lang", "es-MX", "--require-reviewed")
    assert code == 2 and "locales/es_MX/LC_MESSAGES/packet.po is a draft (es: never reviewed)" in err
    assert "must review it: python generate.py i18n review es --by" in err
    assert run(capsys, "i18n", "review", "es", "--by", TRANSLATOR)[0] == 0
    assert build(capsys, root, "--lang", "es-MX", "--require-reviewed")[0] == 0
