"""Issue #10 §4, the right phone number everywhere: clinic facts live once, in clinic.yaml; guides,
programs and email templates use them by reference ({clinic.phone}) or by default."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest

from conftest import CLINIC_NAME, CLINIC_PHONE, REPO, explain, pdf_facts, run, squash

NEW_PHONE = "(212) 555-0199"
NEW_BOOKING = "https://harbor-light.example.org/visit"


def link_targets(path: Path) -> list[str]:
    import pypdf

    out = []
    for page in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages:
        for annot in page.get("/Annots") or []:
            action = annot.get_object().get("/A")
            if action is not None and "/URI" in action:
                out.append(str(action["/URI"]))
    return out


def set_clinic(root: Path, **changes: str) -> None:
    path = root / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    for key, value in changes.items():
        text, n = re.subn(rf"(?m)^{key}:.*$", f'{key}: "{value}"', text)
        assert n == 1, key
    path.write_text(text, encoding="utf-8")


def test_changing_phone_in_clinic_yaml_changes_every_number_and_tel_link(clinic_copy, tmp_path):
    set_clinic(clinic_copy, phone=NEW_PHONE, booking_url=NEW_BOOKING, name="Harbor Light Rehab")
    handout, guide = tmp_path / "h.pdf", tmp_path / "g.pdf"
    result = run(["routine", "--program", "core-activation", "--patient", "Maria", "-o", handout], clinic_copy)
    assert result.exit_code == 0, explain(result)
    result = run(["guide", "back-pain-tips", "--for", "Maria", "-o", guide], clinic_copy)
    assert result.exit_code == 0, explain(result)
    for path in (handout, guide):
        facts = pdf_facts(path)
        text = squash(facts.all_text)
        assert squash(CLINIC_PHONE) not in text and "5035550142" not in text, path.name
        assert squash(CLINIC_NAME) not in text, path.name
        # every page carries the number (header), the call to action prints it large
        for number, page in enumerate(facts.texts, 1):
            assert squash(NEW_PHONE) in squash(page) or number == 1 and path == guide, (path.name, number)
    links = link_targets(guide)
    tel = [u for u in links if u.startswith("tel:")]
    assert tel and set(tel) == {"tel:2125550199"}, links  # tip 9's "Call us" and the big number
    assert NEW_BOOKING in links and not any("brightwater" in u for u in links if not u.startswith(
        "https://brightwater-pt.example.com/videos/")), links


def test_the_demo_guide_text_names_no_clinic_fact_literally():
    import yaml

    clinic = yaml.safe_load((REPO / "content" / "clinic.yaml").read_text(encoding="utf-8"))
    source = (REPO / "content" / "guides" / "back-pain-tips.yaml").read_text(encoding="utf-8")
    digits = re.sub(r"\D", "", clinic["phone"])
    assert digits not in re.sub(r"\D", "", source)
    for key in ("name", "website", "email", "address", "booking_url"):
        assert clinic[key] not in source, key
    for folder in ("guide", "handout"):
        for path in sorted(p for p in (REPO / "content" / "email" / folder).rglob("*") if p.is_file()):
            text = path.read_text(encoding="utf-8")  # every language's templates
            assert clinic["name"] not in text and clinic["phone"] not in text, path


def test_programs_use_clinic_facts_by_reference(clinic_copy, tmp_path):
    program = clinic_copy / "content" / "programs" / "core-activation.yaml"
    text = program.read_text(encoding="utf-8")
    head = "warning_signs:\n  en:\n"  # the English list (the demo's texts carry their Spanish)
    assert head in text
    text = text.replace(head, head + "    - Your pain wakes you at night. Call {clinic.phone}.\n", 1)
    es = "\n  es:\n"  # one translation per item (a sign missing in Spanish is an error)
    at = text.index(es, text.index("warning_signs:")) + len(es)
    text = text[:at] + "    - El dolor le despierta de noche. Llame al {clinic.phone}.\n" + text[at:]
    program.write_text(text, encoding="utf-8")
    set_clinic(clinic_copy, phone=NEW_PHONE)
    out = tmp_path / "h.pdf"
    result = run(["routine", "--program", "core-activation", "-o", out], clinic_copy)
    assert result.exit_code == 0, explain(result)
    assert squash(f"Your pain wakes you at night. Call {NEW_PHONE}.") in squash(pdf_facts(out).all_text)


def test_a_guide_without_its_own_phone_or_booking_page_uses_the_clinics(library):
    from handouts import compose

    guide = library.guides["back-pain-tips"]
    assert guide.cta.phone == ""  # the demo gives none: the clinic's is printed
    assert guide.cta.booking_url == library.clinic.booking_url
    doc = compose.compose_guide(library, "back-pain-tips", {"name": "Maria"})
    spans = [s for gs in doc.sections for b in gs.blocks for s in b.spans]
    assert any(s.href == "tel:5035550142" for s in spans)
    blocks = [b for gs in doc.sections for b in gs.blocks] + list(doc.intro + doc.author_bio + doc.cta_text)
    assert not any("{clinic." in s.text or "{clinic." in (s.href or "") or "%7B" in (s.href or "")
                   for b in blocks for s in b.spans)


@pytest.mark.parametrize("where, text, message", [
    ("intro", "Call {clinic.phnoe} today.", "unknown clinic fact {clinic.phnoe}; did you mean '{clinic.phone}'?"),
    ("intro", "[Call](https://{clinic.phone}) now.", "a link may use a clinic fact only as"),
    ("prepared_for", "For {name} from {clinic.nmae}", "unknown clinic fact {clinic.nmae}"),
])
def test_a_misspelt_clinic_fact_is_a_located_error(clinic_copy, where, text, message):
    path = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    source = path.read_text(encoding="utf-8")
    if where == "intro":  # the English texts (the demo's texts carry their Spanish)
        source = source.replace("intro:\n  en: |\n", f"intro:\n  en: |\n    {text}\n\n", 1)
        line = source.splitlines().index(f"    {text}") + 1
    else:
        source = source.replace('en: "Prepared for {name}"', f'en: "{text}"')
        line = next(n for n, row in enumerate(source.splitlines(), 1) if row.startswith("prepared_for:"))
    path.write_text(source, encoding="utf-8")
    result = run(["check"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert f"content/guides/back-pain-tips.yaml:{line}:" in result.stderr, result.stderr
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_a_fact_the_clinic_does_not_give_is_an_error_where_it_is_used(clinic_copy):
    path = clinic_copy / "content" / "clinic.yaml"
    path.write_text(re.sub(r"(?m)^email:.*\n", "", path.read_text(encoding="utf-8")), encoding="utf-8")
    guide = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    source = guide.read_text(encoding="utf-8").replace(
        "intro:\n  en: |\n", "intro:\n  en: |\n    Write to {clinic.email}.\n\n", 1)
    guide.write_text(source, encoding="utf-8")
    line = source.splitlines().index("    Write to {clinic.email}.") + 1
    result = run(["check"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert f"content/guides/back-pain-tips.yaml:{line}:" in result.stderr
    assert "{clinic.email} is used here but content/clinic.yaml has no 'email:'" in result.stderr


def test_email_templates_use_clinic_facts(clinic_copy, library):
    from handouts.mail import message as msg
    from handouts.mail.outbox import clinic_values

    folder = clinic_copy / "content" / "email" / "guide"
    (folder / "body.txt").write_text("Hi {name}, call {clinic.phone} ({clinic_phone}) or {clinic.website}.\n"
                                     "{clinic.name}\n", encoding="utf-8")
    templates = msg.load_templates(clinic_copy, "guide")
    assert msg.check_fields(templates, {"name"} | set(clinic_values(library.clinic))) == []
    _, body, _ = msg.render(templates, {"name": "Maria", **clinic_values(library.clinic)})
    assert body.startswith(f"Hi Maria, call {CLINIC_PHONE} ({CLINIC_PHONE}) or https://brightwater-pt.example.com.")
    (folder / "subject.txt").write_text("From {clinic.nmae}\n", encoding="utf-8")
    with pytest.raises(Exception) as err:
        msg.load_templates(clinic_copy, "guide")
    assert "unknown clinic fact {clinic.nmae}" in str(err.value.problems[0])


def test_a_clinic_name_is_text_never_formatting(clinic_copy, tmp_path):
    set_clinic(clinic_copy, name="**Bold** & <b>Co</b> {name}")
    out = tmp_path / "g.pdf"
    result = run(["guide", "back-pain-tips", "--for", "Maria", "-o", out], clinic_copy)
    assert result.exit_code == 0, explain(result)
    text = pdf_facts(out).all_text
    assert "our team at **Bold** & <b>Co</b> {name} teaches" in " ".join(text.split())


@pytest.mark.parametrize("key", ["phone", "name", "tagline", "fonts.family"])
def test_a_clinic_fact_written_empty_is_a_located_error_everywhere(clinic_copy, tmp_path, key):
    """`phone: ""` used to pass `check` and make every build fail with a bare 'error:'."""
    path = clinic_copy / "content" / "clinic.yaml"
    text = path.read_text(encoding="utf-8")
    if key == "fonts.family":
        text += '\nfonts:\n  family: ""\n'
        where = f"content/clinic.yaml:{text.count(chr(10))}:11: fonts.family: is empty"
    else:
        line = next(n for n, row in enumerate(text.splitlines(), 1) if row.startswith(f"{key}:"))
        text = "\n".join(f'{key}: ""' if row.startswith(f"{key}:") else row for row in text.splitlines()) + "\n"
        where = f"content/clinic.yaml:{line}:{len(key) + 3}: {key}: is empty"
    path.write_text(text, encoding="utf-8")
    for args in (["check"], ["routine", "--program", "core-activation", "-o", tmp_path / "x.pdf"],
                 ["guide", "back-pain-tips", "--for", "Ann", "-o", tmp_path / "g.pdf"]):
        result = run(args, clinic_copy)
        assert result.exit_code == 65 and where in result.stderr, (args, result.stderr[-600:])
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "x.pdf").exists() and not (tmp_path / "g.pdf").exists()


@pytest.mark.parametrize("phone, url", [
    ("(503) 555-0142", "tel:5035550142"),
    ("(208) 341-7788 ext. 12", "tel:2083417788;ext=12"),
    ("208-341-7788 x12", "tel:2083417788;ext=12"),
    ("(503) 555-0142 Extension 204", "tel:5035550142;ext=204"),
    ("+44 20 7946 0958", "tel:+442079460958"),
    ("1-800-PT-CARES", "tel:18007822737"),
])
def test_a_tel_link_dials_the_number_as_printed(phone, url):
    from handouts.facts import tel_url

    assert tel_url(phone) == url


def test_a_phone_with_an_extension_links_to_the_number_and_its_extension(clinic_copy, tmp_path):
    """An extension used to be glued onto the number ('tel:208341778812', a number that does not exist)."""
    set_clinic(clinic_copy, phone="(208) 341-7788 ext. 12")
    guide = tmp_path / "g.pdf"
    result = run(["guide", "back-pain-tips", "--for", "Maria", "-o", guide], clinic_copy)
    assert result.exit_code == 0, explain(result)
    tel = {u for u in link_targets(guide) if u.startswith("tel:")}
    assert tel == {"tel:2083417788;ext=12"}
