"""The pseudo-locale: every visible string goes through the catalog, and longer text still lays out."""

from __future__ import annotations

import re
import shutil

import pytest

from packets import paths
from packets.build import Options, build_packet
from packets.content import iter_messages, load_content
from packets.i18n.pseudo import pseudo, write_pseudo_catalog
from packets.render import fonts as render_fonts  # noqa: F401  (reportlab fonts register once)
from tests.conftest import patient, pdf_text


@pytest.fixture(scope="module")
def pseudo_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("pseudo")
    (root / "locales").mkdir()
    shutil.copy(paths.locales_dir() / "packet.pot", root / "locales" / "packet.pot")
    for name in ("content", "fonts"):
        (root / name).symlink_to(paths.root() / name)
    write_pseudo_catalog(root / "locales")
    return root


def test_pseudo_keeps_placeholders_tags_and_numbers():
    out = pseudo("Call <b>{phone_24h}</b> within 2 days: https://www.cancer.org")
    assert "{phone_24h}" in out and "<b>" in out and "</b>" in out and " 2 " in out
    assert "https://www.cancer.org" in out
    assert "Call" not in out


def test_pseudo_text_is_about_40_percent_longer():
    src = "Most of these effects get better within a few days after the last dose."
    assert 1.35 <= len(pseudo(src)) / len(src) <= 1.5


def test_no_english_text_escapes_the_catalog(pseudo_root, monkeypatch, program):
    monkeypatch.setenv("PACKETS_ROOT", str(pseudo_root))
    pdf = build_packet(patient(language="en-XA"), program, Options()).pdf
    text = re.sub(r"\s+", " ", " ".join(pdf_text(pdf)))
    content = load_content()
    # Printed in English too, by design: the draft and sample notices and the English line of the
    # language-assistance page (which lists every language in its own words).
    english_on_purpose = {content.ui[k].text for k in ("draft_notice", "sample_notice", "language_help",
                                                        "language_help_title")}
    leaked = [m.text for m in iter_messages(content) if len(m.text) > 12 and m.text not in english_on_purpose
              and re.sub(r"<[^>]+>|\{[^}]*\}", "", m.text)[:24].strip() in text]
    assert not leaked, leaked[:3]
    assert "[Ýôûŕ ĝûîδè" in text        # the cover title, pseudo-translated
    assert "Ana María Ruiz" in text     # the name is data, printed as typed


def test_longer_text_still_lays_out_in_large_print(pseudo_root, monkeypatch, program):
    monkeypatch.setenv("PACKETS_ROOT", str(pseudo_root))
    normal = build_packet(patient(language="en-XA"), program, Options()).pdf
    large = build_packet(patient(language="en-XA"), program, Options(large_print=True)).pdf
    assert len(pdf_text(large)) > len(pdf_text(normal)) >= 5
