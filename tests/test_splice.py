"""Guide splicing (issue 17 §1): each reader's PDF is the shared guide's bytes, unchanged, followed by an
incremental update with only that reader's objects; every file stays a valid PDF equal to a full build."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, explain, norm, pdf_facts
from test_batch import GUIDE, _assert_same_document, batch, names, write_csv

CTA_TEXT = "You don't have to figure out your back pain on your own."


def _guide_clinic(clinic_copy: Path, whole_cta: bool) -> Path:
    if whole_cta:  # the call to action's text is personal too: that page is replaced whole
        path = clinic_copy / "content" / "guides" / f"{GUIDE}.yaml"
        text = path.read_text(encoding="utf-8")
        assert CTA_TEXT in text
        path.write_text(text.replace(CTA_TEXT, "{name}, you don't have to figure out your back pain alone.", 1),
                        encoding="utf-8")
    return clinic_copy


def _qpdf_check(path: Path) -> None:
    assert shutil.which("qpdf"), "qpdf is needed (Debian package qpdf; .ci/run installs it)"
    done = subprocess.run(["qpdf", "--check", str(path)], check=False, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("whole_cta", [False, True], ids=["cta-headline", "cta-page"])
def test_reader_files_are_the_shared_guide_plus_a_small_valid_update(clinic_copy, tmp_path, whole_cta):
    import pypdf
    import pypdfium2 as pdfium

    from handouts import build
    from handouts.load import folder

    root = _guide_clinic(clinic_copy, whole_cta)
    people = names(2, prefix="Ånna")
    out = tmp_path / "out"
    result = batch(root, write_csv(tmp_path / "leads.csv", people), out)
    assert result.exit_code == 0, explain(result)
    files = sorted(out.glob("*.pdf"))
    datas = [p.read_bytes() for p in files]
    # One shared prefix: the base, unchanged, ending with its own %%EOF; then one update per reader.
    first_eof = datas[0].index(b"%%EOF") + len(b"%%EOF\n")
    base = datas[0][:first_eof]
    library = folder.load_library(root)
    for (name, _), path, data in zip(people, files, datas):
        assert data.startswith(base), "the shared guide's bytes must come first, unchanged"
        update = data[len(base):]
        base_xref = int(re.search(rb"startxref\s+(\d+)\s+%%EOF\s*$", base).group(1))
        assert data.count(b"%%EOF") == 2 and re.search(rb"/Prev %d\b" % base_xref, update[-400:])
        assert len(update) < len(base) / 4, "the update holds the personal objects only"
        _qpdf_check(path)
        reader = pypdf.PdfReader(io.BytesIO(data), strict=True)
        texts = [page.extract_text() for page in reader.pages]  # pypdf reads every page
        document = pdfium.PdfDocument(data)
        assert len(document) == len(texts)
        for index in range(len(document)):  # and so does pdfium
            assert document[index].get_textpage().get_text_range().strip(), index
        assert f"Prepared for {name}" in norm(texts[0])
        if whole_cta:
            assert f"{name}, you don't have to figure out" in norm(texts[-1])
        # No cross-reader bytes: no other reader's name in the text, and no object of theirs.
        others = [n for n, _ in people if n != name]
        assert not any(other in norm(" ".join(texts)) for other in others)
        full = build.render_guide_pdf(root, library, GUIDE, {"name": name})[0]
        _assert_same_document(data, full)  # pages, outline, links, metadata, pixels of personal pages


def test_the_base_holds_no_reader_data(clinic, tmp_path):
    """The shared guide is drawn with neutral placeholders: no reader's name is in it."""
    people = names(2, prefix="Xiomara")
    out = tmp_path / "out"
    assert batch(clinic, write_csv(tmp_path / "leads.csv", people), out).exit_code == 0
    data = min(out.glob("*.pdf")).read_bytes()
    base = data[: data.index(b"%%EOF") + 6]
    facts = pdf_facts(base)  # a PDF of its own: the shared pages, the personal parts left blank
    assert facts.pages == pdf_facts(data).pages and "Xiomara" not in facts.all_text
    assert "Prepared for" not in facts.texts[0] and "Brightwater" in facts.texts[0]


def test_splice_uses_no_private_pypdf_attributes():
    """A pypdf release may rename its private attributes (_objects, _add_object, _id_translated)."""
    source = (REPO / "handouts" / "render" / "splice.py").read_text(encoding="utf-8")
    private = re.findall(r"\b(?!self\b)(\w+)\._\w+", source)
    assert not private, private


def test_merge_to_writes_every_guide_in_row_order_sharing_the_guide_once(clinic, tmp_path):
    import pypdf
    import pypdfium2 as pdfium

    people = names(4, prefix="Mailout")
    out, mailout = tmp_path / "out", tmp_path / "print" / "mailout.pdf"
    mailout.parent.mkdir()
    result = batch(clinic, write_csv(tmp_path / "leads.csv", people), out, "--merge-to", mailout)
    assert result.exit_code == 0, explain(result)
    assert f"mail-out: {mailout}: 4 PDFs in row order" in result.stderr
    files = sorted(out.glob("*.pdf"))
    _qpdf_check(mailout)
    assert oct(mailout.stat().st_mode & 0o777) == oct(0o600)
    single = pypdf.PdfReader(files[0])
    per = len(single.pages)
    assert mailout.stat().st_size < 2 * files[0].stat().st_size, "the shared guide's objects are in it once"
    merged = pypdf.PdfReader(mailout, strict=True)
    assert len(merged.pages) == 4 * per
    for i, (name, _) in enumerate(people):
        assert f"Prepared for {name}" in norm(merged.pages[i * per].extract_text())
        # Each copy's contents links lead to that copy's own pages.
        for annot in merged.pages[i * per + 1].get("/Annots") or []:
            target = merged.get_page_number(annot.get_object()["/Dest"][0].get_object())
            assert i * per < target < (i + 1) * per
    document, own = pdfium.PdfDocument(mailout), pdfium.PdfDocument(files[2])
    for index in (0, per - 1):  # the third reader's personal pages look as in their own file
        a = document[2 * per + index].render(scale=0.5).to_pil().convert("RGB")
        b = own[index].render(scale=0.5).to_pil().convert("RGB")
        assert a.tobytes() == b.tobytes()


def test_merge_to_for_patient_handouts(clinic, tmp_path):
    from conftest import run

    rows = [("Maria Gómez", "2026-11-21", "jordan-lee", ""), ("Ann Lee", "2026-11-21", "jordan-lee", "")]
    csv_path = write_csv(tmp_path / "patients.csv", rows, header=("patient", "date", "therapist", "note"))
    mailout = tmp_path / "mailout.pdf"
    result = run(["batch", "routine", "--program", "core-activation", "--recipients", csv_path, "--out",
                  tmp_path / "out", "--jobs", "1", "--merge-to", mailout], clinic)
    assert result.exit_code == 0, explain(result)
    _qpdf_check(mailout)
    texts = [norm(t) for t in pdf_facts(mailout).texts]
    first = next(i for i, t in enumerate(texts) if "Ann Lee" in t)
    assert "Maria Gómez" in texts[0] and first > 0
