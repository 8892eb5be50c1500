"""A recipient list with a `language` column: each row's PDF in its language, each email in that language
(real SMTP server on 127.0.0.1), and a batch stopped before it starts when a language lacks translations."""

from __future__ import annotations

import csv
import io
from email import policy
from email.parser import BytesParser

from conftest import explain, pdf_facts, run
from smtp_server import Recorder, Server, configure_clinic, mail_env, pki  # noqa: F401 (fixtures)


def rows_of(out):
    return {r["row"]: r for r in csv.DictReader(io.StringIO((out / "manifest.csv").read_text(encoding="utf-8")))}


def test_guides_and_emails_follow_each_rows_language(clinic_copy, tmp_path, mail_env):  # noqa: F811
    leads = tmp_path / "leads.csv"
    leads.write_text("name,email,email_consent,language\nAnna Berg,anna@example.org,yes,\n"
                     "María Gómez,maria@example.net,yes,es\nLuis Paz,luis@example.com,yes,es-MX\n", encoding="utf-8")
    out = tmp_path / "guides"
    built = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    files = {n: out / r["file"] for n, r in rows_of(out).items()}
    english, spanish = (" ".join(pdf_facts(files[n]).all_text.split()) for n in ("1", "2"))
    assert "Prepared for Anna Berg" in english and "Contents" in english and "Preparado para" not in english
    assert "Preparado para María Gómez" in spanish and "Contenido" in spanish and "Prepared for" not in spanish
    recorder = Recorder()
    with Server(recorder, "ssl", mail_env.good) as server:
        configure_clinic(clinic_copy, server.port)
        result = run(["email", "--manifest", out / "manifest.csv", "--recipients", leads], clinic_copy)
    assert result.exit_code == 0, explain(result)
    got = {m.rcpt_tos[0]: BytesParser(policy=policy.default).parsebytes(m.data) for m in recorder.messages}
    assert got["anna@example.org"]["Subject"] == "Your free guide from Brightwater Physical Therapy"
    assert got["anna@example.org"].get_body(("plain",)).get_content().startswith("Hi Anna Berg,")
    for address, name in (("maria@example.net", "María Gómez"), ("luis@example.com", "Luis Paz")):
        assert got[address]["Subject"] == "Su guía gratis de Brightwater Physical Therapy"
        body = got[address].get_body(("plain",)).get_content()
        assert body.startswith(f"Hola, {name}:") and "Llámenos al (503) 555-0142" in body


def test_routine_rows_in_their_language(clinic_copy, tmp_path):
    patients = tmp_path / "patients.csv"
    patients.write_text("patient,date,language\nAnn Lee,2026-11-30,en\nRosa Díaz,2026-11-30,es\n", encoding="utf-8")
    out = tmp_path / "handouts"
    built = run(["batch", "routine", "--program", "core-activation", "--recipients", patients, "--out", out,
                 "--jobs", "1"], clinic_copy)
    assert built.exit_code == 0, explain(built)
    files = {n: out / r["file"] for n, r in rows_of(out).items()}
    english, spanish = (" ".join(pdf_facts(files[n]).texts[0].split()) for n in ("1", "2"))
    assert "STOP and call us if:" in english and "November 30, 2026" in english
    assert "PARE y llámenos si:" in spanish and "30 de noviembre de 2026" in spanish


def test_an_unknown_language_fails_its_row_and_names_it(clinic_copy, tmp_path):
    leads = tmp_path / "leads.csv"
    leads.write_text("name,language\nAnn,en\nBo,fr\n", encoding="utf-8")
    result = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", tmp_path / "o", "--jobs", "1"],
                 clinic_copy)
    assert result.exit_code == 75, explain(result)
    assert "leads.csv#row 2: column 'language': there are no labels for 'fr' (French) yet" in result.stderr


def test_a_language_with_missing_translations_stops_the_batch_before_it_starts(clinic_copy, tmp_path):
    path = clinic_copy / "content" / "guides" / "back-pain-tips.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  - heading: {en: Keep moving, es: Siga moviéndose}", "  - heading: Keep moving", 1),
                    encoding="utf-8")
    leads = tmp_path / "leads.csv"
    leads.write_text("name,language\nAnn,en\nRosa,es\n", encoding="utf-8")
    out = tmp_path / "o"
    result = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1"], clinic_copy)
    assert result.exit_code == 65, explain(result)
    assert "sections[0].heading: no Spanish (es) translation" in result.stderr
    assert not list(out.glob("*.pdf"))  # nothing built: not even the English row
    allowed = run(["batch", "guide", "back-pain-tips", "--recipients", leads, "--out", out, "--jobs", "1",
                   "--fallback"], clinic_copy)
    assert allowed.exit_code == 0 and "warning: no Spanish (es) translation; printed in English" in allowed.stderr
