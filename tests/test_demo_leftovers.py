"""Issue #10 §4: `check` lists what an `init`-ed clinic still has from the demo, each with its place;
`check --strict` fails on them; the bundled demo itself is not reported."""

from __future__ import annotations

import re

from conftest import explain, run


def test_check_on_an_initialised_clinic_lists_demo_leftovers_with_places(tmp_path):
    root = tmp_path / "my-clinic"
    result = run(["init", root])
    assert result.exit_code == 0, explain(result)
    clinic = root / "content" / "clinic.yaml"
    text = clinic.read_text(encoding="utf-8")
    clinic.write_text(re.sub(r"(?m)^name: .*$", "name: Harbor Light Rehab", text), encoding="utf-8")
    lines = text.splitlines()

    def at(needle: str) -> str:
        number = next(i for i, line in enumerate(lines, 1) if needle in line)
        return f"content/clinic.yaml:{number}:{lines[number - 1].index(needle) + 1}: warning: demo leftover: "

    result = run(["check"], root)
    assert result.exit_code == 0, explain(result)  # warnings: a clinic can still try things out
    err = result.stderr
    assert at("555-0142") + "'555-0142' is a fictional 555-01xx phone number" in err
    assert at("https://brightwater-pt.example.com") + "'https://brightwater-pt.example.com' is an example.com" in err
    assert at("hello@brightwater") + "'hello@brightwater-pt.example.com' is an example.com" in err
    for name in ("Jordan Lee", "Sam Ortiz", "Priya Nair"):
        assert at(name) + f"'{name}' is a therapist of the demo clinic" in err
    assert re.search(r"content/exercises/bridge\.yaml:\d+:8: warning: demo leftover: "
                     r"'https://brightwater-pt\.example\.com/videos/bridge'", err)
    assert re.search(r"content/guides/back-pain-tips\.yaml:\d+:\d+: warning: demo leftover: 'Jordan Lee'", err)
    assert "Brightwater Physical Therapy" not in err  # the name was changed: not reported
    assert at("410 Harbor Street") + "'410 Harbor Street' is the demo clinic's address" in err
    assert at("Move well. Live well.") + "'Move well. Live well.' is the demo clinic's tagline" in err
    assert at("images/clinic/logo.png") + "the logo 'images/clinic/logo.png' is the demo clinic's logo" in err
    strict = run(["check", "--strict"], root)
    assert strict.exit_code == 65, explain(strict)
    assert "demo leftover" in strict.stderr


def test_a_clinic_with_its_own_facts_has_no_leftovers(tmp_path):
    root = tmp_path / "own"
    (root / "content").mkdir(parents=True)
    (root / "content" / "clinic.yaml").write_text(
        "name: Harbor Light Rehab\nphone: (212) 555-2368\nwebsite: https://harborlight.test\n", encoding="utf-8")
    from handouts.leftovers import scan

    assert scan(root) == []
    (root / "content" / "clinic.yaml").write_text(
        "name: Brightwater Physical Therapy\nphone: '555-0100'\n", encoding="utf-8")
    found = [str(p) for p in scan(root)]
    assert found == [
        "content/clinic.yaml:1:7: warning: demo leftover: 'Brightwater Physical Therapy' is the demo clinic's name; "
        "replace it with your clinic's own",
        "content/clinic.yaml:2:9: warning: demo leftover: '555-0100' is a fictional 555-01xx phone number from the "
        "demo; replace it with your clinic's own",
    ]


def test_the_bundled_demo_is_not_reported():
    from handouts.leftovers import scan
    from handouts.load.folder import demo_root

    assert scan(demo_root()) == []


def test_the_list_of_demo_names_is_the_demos():
    """leftovers.DEMO_WORDS (kept in code: check opens nothing outside the clinic folder) names the
    bundled demo's clinic, every therapist and every guide author, longest first."""
    import yaml

    from handouts.leftovers import DEMO_WORDS
    from handouts.load.folder import demo_root

    content = demo_root() / "content"
    clinic = yaml.safe_load((content / "clinic.yaml").read_text(encoding="utf-8"))
    words = [w for w, _ in DEMO_WORDS]
    assert words[0] == clinic["name"] and words[1] == clinic["name"].split()[0]
    people = {t["name"] for t in clinic["therapists"]}
    for path in (content / "guides").glob("*.yaml"):
        people.add(yaml.safe_load(path.read_text(encoding="utf-8"))["author"]["name"])
    assert set(words[2:]) == people


def test_the_demo_facts_and_logo_are_the_demos():
    import hashlib

    import yaml

    from handouts.leftovers import DEMO_FACTS, DEMO_LOGO_SHA256
    from handouts.load.folder import demo_root

    clinic = yaml.safe_load((demo_root() / "content" / "clinic.yaml").read_text(encoding="utf-8"))
    facts = [w for w, _ in DEMO_FACTS]
    assert clinic["address"].startswith(facts[0]) and facts[1:] == [clinic["tagline"]["en"], clinic["tagline"]["es"]]
    assert hashlib.sha256((demo_root() / clinic["logo"]).read_bytes()).hexdigest() == DEMO_LOGO_SHA256
