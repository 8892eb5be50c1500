"""Real spreadsheets (issue 17 §3): CRM column names mapped to fields, Excel's UTF-16 "Unicode Text",
UTF-32, Mac Roman and cp1252 exports, and a refusal naming --encoding when the text could read two ways."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest
from conftest import explain, norm, pdf_facts, run
from test_batch import GUIDE

from handouts.errors import ContentError
from handouts.load import charsets, recipients

CRM = [("First Name", "Last Name", "E-mail", "Opt-in"), ("Renée", "Dubois", "renee@example.com", "yes"),
       ("José", "Ñúñez", "jose@example.com", "no"), ("Zoë", "O'Brien", "zoe@example.com", "yes")]


def _text(rows, delimiter=",") -> str:
    return "".join(delimiter.join(cells) + "\r\n" for cells in rows)


@pytest.mark.parametrize("encoding,bom", [("utf-16-le", codecs.BOM_UTF16_LE), ("utf-16-be", codecs.BOM_UTF16_BE),
                                          ("utf-32-le", codecs.BOM_UTF32_LE), ("utf-32-be", codecs.BOM_UTF32_BE)])
def test_unicode_text_exports_are_read_by_their_byte_order_mark(tmp_path, encoding, bom):
    path = tmp_path / "export.txt"
    path.write_bytes(bom + _text(CRM, "\t").encode(encoding))  # Excel "Unicode Text": UTF-16 + tabs
    people = recipients.read(path, columns={"name": "First Name", "email": "E-mail"})
    assert people.delimiter == "\t" and people.encoding.startswith("utf-")
    assert [r.fields["name"] for r in people.rows] == ["Renée", "José", "Zoë"]
    assert people.columns == ("name", "last name", "email", "opt-in")


@pytest.mark.parametrize("encoding", ["mac_roman", "cp1252"])
def test_eight_bit_exports_read_right_without_being_named(tmp_path, encoding):
    path = tmp_path / "export.csv"
    path.write_bytes(_text(CRM).encode(encoding))
    people = recipients.read(path)
    assert people.encoding == encoding
    assert [r.fields["first name"] for r in people.rows] == ["Renée", "José", "Zoë"]


def test_windows_punctuation_is_not_taken_for_mac_letters(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("name,email\r\nAnn O’Brien,a@example.com\r\nBo Smith–Jones,b@example.com\r\n".encode("cp1252"))
    people = recipients.read(path)  # as Mac Roman these would read 'OíBrien' and 'SmithñJones'
    assert people.encoding == "cp1252"
    assert [r.fields["name"] for r in people.rows] == ["Ann O’Brien", "Bo Smith–Jones"]


def test_ambiguous_eight_bit_text_is_refused_with_both_readings_and_the_option(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("name,email\r\nZoë,z@example.com\r\n".encode("mac_roman"))  # cp1252 reads it 'Zo‘'
    with pytest.raises(ContentError) as caught:
        recipients.read(path)
    message = str(caught.value.problems[0])
    assert message.startswith(str(path)) and "--encoding" in message
    assert "not UTF-8 (byte 14), and it reads more than one way (as " in message
    assert "as cp1252: 'Zo‘'" in message and "as mac_roman: 'Zoë'" in message
    # Named, it is read as named.
    assert recipients.read(path, encoding="mac_roman").rows[0].fields["name"] == "Zoë"


def test_an_accented_capital_in_mac_roman_is_read_right(tmp_path):
    path = tmp_path / "export.csv"
    path.write_bytes("name,email\r\nÉMILE,e@example.com\r\n".encode("mac_roman"))  # cp1252: 'ƒMILE'
    assert recipients.read(path).rows[0].fields["name"] == "ÉMILE"


def test_utf16_without_a_mark_and_unknown_encodings_are_refused_by_name(tmp_path):
    path = tmp_path / "export.txt"
    path.write_bytes(_text(CRM, "\t").encode("utf-16-le"))
    with pytest.raises(ContentError, match="without a byte-order mark.*--encoding utf-16-le"):
        recipients.read(path)
    assert recipients.read(path, encoding="utf-16-le").rows[0].fields["first name"] == "Renée"
    with pytest.raises(ContentError, match="unknown encoding 'latin-9000'"):
        charsets.decode(b"a", "f.csv", "latin-9000")


def test_column_mapping_from_options_and_a_yaml_file(tmp_path):
    mapping_file = tmp_path / "crm.yaml"
    mapping_file.write_text("name: First Name\nemail: E-mail\nemail_consent: Opt-in\n", encoding="utf-8")
    assert recipients.column_mapping(["name=Last Name"], mapping_file) == {
        "name": "Last Name", "email": "E-mail", "email_consent": "Opt-in"}  # an option wins over the file
    path = tmp_path / "crm.csv"
    path.write_text(_text(CRM), encoding="utf-8")
    people = recipients.read(path, columns=recipients.column_mapping([], mapping_file))
    assert people.rows[1].fields == {"name": "José", "last name": "Ñúñez", "email": "jose@example.com",
                                     "email_consent": "no"}


def test_mapping_problems_are_located_all_at_once(tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(_text(CRM), encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        recipients.read(path, columns={"name": "Frist Name", "email": "Email Address"})
    messages = [str(p) for p in caught.value.problems]
    assert messages == [f"{path}#header: --column name: the file has no column 'Frist Name'; did you mean 'first name'?",
                        f"{path}#header: --column email: the file has no column 'Email Address'"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: First Name\nemail: [a, b]\n", encoding="utf-8")
    with pytest.raises(ContentError) as caught:
        recipients.column_mapping(["name"], bad)
    assert [str(p) for p in caught.value.problems] == [
        f"{bad}:2:8: email: expected the name of a column of the recipient list",
        "--column: expected FIELD=COLUMN, e.g. name=\"First Name\"; got 'name'"]


def test_a_crm_export_builds_with_mapped_columns(clinic, tmp_path):
    """Mac Roman, CRM column names, a file name template using a mapped column."""
    path = tmp_path / "crm.csv"
    path.write_bytes(_text(CRM).encode("mac_roman"))
    out = tmp_path / "out"
    result = run(["batch", "guide", GUIDE, "--recipients", path, "--out", out, "--jobs", "1",
                  "--column", "name=First Name", "--column", "email=E-mail", "--column", "email_consent=Opt-in",
                  "--column", "family=Last Name", "--name", "{row}-{family}.pdf"], clinic)
    assert result.exit_code == 0, explain(result)
    made = sorted(out.glob("*.pdf"))
    assert [p.name for p in made] == ["1-Dubois.pdf", "2-Nunez.pdf", "3-O-Brien.pdf"]
    assert "Prepared for Renée" in norm(pdf_facts(made[0]).texts[0])


def test_unmapped_crm_columns_are_named_with_the_way_out(clinic, tmp_path):
    path = tmp_path / "crm.csv"
    path.write_text(_text(CRM), encoding="utf-8")
    result = run(["batch", "guide", GUIDE, "--recipients", path, "--out", tmp_path / "out"], clinic)
    assert result.exit_code == 65
    assert "missing required column(s): name" in result.stderr and not (tmp_path / "out").exists()


def test_help_names_the_mapping(tmp_path):
    result = run(["batch", "guide", "--help"], Path("."))
    assert '--column name="First Name"' in norm(result.stdout) and "--columns FILE" in result.stdout
