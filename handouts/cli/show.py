"""`handouts show ID`: what an exercise, program or guide holds, at a glance (or as JSON)."""

from __future__ import annotations

import json

import click

from handouts.cli.app import CONTEXT, main, report, root_of
from handouts.cli.complete import complete_any

KINDS = (("exercises", "exercise"), ("programs", "program"), ("guides", "guide"))


@main.command(context_settings=CONTEXT)
@click.argument("ident", metavar="ID", shell_complete=complete_any)
@click.option("--json", "as_json", is_flag=True, help="Print JSON (for scripts) instead of text.")
@click.pass_context
@report
def show(ctx, ident, as_json):
    """Show an exercise, program or guide: what it holds, at a glance.

    An exercise: its position, dosage in words, steps, tips, pictures, video, easier and harder
    exercises, and where it came from (imported exercises). A program: its exercises, each with its
    dosage in words. A guide: its sections. Reads the file itself, so what you see is what prints.

    \b
    Examples:
      handouts show bridge
      handouts show core-activation
      handouts show back-pain-tips --json
    """
    from handouts.errors import ContentError, Problem
    from handouts.load import index, subset
    from handouts.load.fields import did_you_mean

    root = root_of(ctx)
    found = [(folder, kind) for folder, kind in KINDS if subset.content_file(root, folder, ident)]
    if not found:
        idx = index.load(root)
        known = [i for _, kind in KINDS for i in idx.ids(kind)]
        raise ContentError(problems=[Problem(f"no exercise, program or guide has the id '{ident}'"
                                             f"{did_you_mean(ident, known)}", "show")])
    shown = []
    for folder, kind in found:
        used = subset.load_used(root, check_images=False, **{folder: [ident]})
        shown.append(DESCRIBE[kind](root, used.library, ident))
    if as_json:
        click.echo(json.dumps(shown[0] if len(shown) == 1 else shown, ensure_ascii=False, indent=1))
        return
    for n, item in enumerate(shown):
        if n:
            click.echo("")
        _print(item)


def _exercise(root, library, ident) -> dict:
    from handouts.wording import dosage_text, position_text

    ex = library.exercises[ident]
    out = {"kind": "exercise", "id": ex.id, "file": ex.where.file, "name": ex.name,
           "position": position_text(ex.position, getattr(ex, "position_label", "")), "purpose": ex.purpose,
           "region": list(ex.region), "tags": list(ex.tags), "equipment": list(ex.equipment),
           "dosage": dosage_text(ex.dosage) or "as your therapist showed you", "steps": list(ex.steps),
           "tips": list(ex.tips), "mistakes": list(ex.mistakes), "precautions": list(ex.precautions),
           "pictures": [{"file": p.file, "caption": p.caption, "found": (root / p.file).is_file()}
                        for p in ex.images],
           "video": ex.video or "",
           "harder": [_named(library, i) for i in ex.progressions],
           "easier": [_named(library, i) for i in ex.regressions]}
    if ex.source:
        s = ex.source
        out["source"] = {"dataset": s.dataset, "record": s.record, "licence": s.licence, "url": s.url,
                         "images": s.images, "guessed": list(s.guessed)}
    return out


def _named(library, ident: str) -> str:
    ex = library.exercises.get(ident)
    return f"{ex.name} ({ident})" if ex else ident


def _program(root, library, ident) -> dict:
    from handouts.wording import dosage_text

    prog = library.programs[ident]
    items = []
    for item in prog.items:
        ex = library.exercises[item.id]
        items.append({"id": item.id, "name": ex.name,
                      "dosage": dosage_text(ex.dosage.overlaid(item.dosage)) or "as your therapist showed you",
                      "note": item.note})
    return {"kind": "program", "id": prog.id, "file": prog.where.file, "title": prog.title,
            "purpose": prog.purpose, "goals": list(prog.goals), "exercises": items,
            "warning_signs": list(prog.warning_signs)}


def _guide(root, library, ident) -> dict:
    g = library.guides[ident]
    sections = [{"heading": s.heading, "tip": s.tip, "exercise": _named(library, s.exercise) if s.exercise else "",
                 "image": s.image.file if s.image else ""} for s in g.sections]
    return {"kind": "guide", "id": g.id, "file": g.where.file, "title": g.title, "subtitle": g.subtitle,
            "prepared_for": g.prepared_for, "sections": sections,
            "author": g.author.name if g.author else "", "call_to_action": g.cta.headline if g.cta else ""}


DESCRIBE = {"exercise": _exercise, "program": _program, "guide": _guide}


def _print(item: dict) -> None:
    echo = click.echo
    title = item.get("name") or item.get("title")
    echo(click.style(title, bold=True) + f"   {item['kind']} {item['id']}  ({item['file']})")

    def line(label: str, value) -> None:
        if value:
            echo(f"  {label + ':':<16}{', '.join(value) if isinstance(value, list) else value}")

    def numbered(label: str, values, fmt=str) -> None:
        if values:
            echo(f"  {label}:")
            for n, value in enumerate(values, 1):
                echo(f"    {n}. {fmt(value)}")

    if item["kind"] == "exercise":
        for label in ("position", "purpose", "dosage", "region", "tags", "equipment"):
            line(label.capitalize(), item[label])
        numbered("Steps", item["steps"])
        for label in ("tips", "mistakes", "precautions"):
            numbered(label.capitalize(), item[label])
        numbered("Pictures", item["pictures"], lambda p: f"{p['file']}" + (f" ({p['caption']})" if p["caption"]
                                                                              else "")
                 + ("" if p["found"] else "  [file not found]"))
        if not item["pictures"]:
            line("Pictures", "none (printed as a text card)")
        line("Video", item["video"])
        line("Harder", item["harder"])
        line("Easier", item["easier"])
        source = item.get("source")
        if source:
            line("Source", f"{source['dataset']}" + (f", record {source['record']}" if source["record"] else "")
                 + (f" ({source['licence']})" if source["licence"] else ""))
            line("Source URL", source["url"])
            line("Photos", source["images"])
            line("To review", [f"{f} (guessed by the importer)" for f in source["guessed"]])
    elif item["kind"] == "program":
        line("Purpose", item["purpose"])
        numbered("Goals", item["goals"])
        numbered("Exercises", item["exercises"],
                 lambda e: f"{e['name']} ({e['id']}): {e['dosage']}" + (f". Note: {e['note']}" if e["note"] else ""))
        numbered("Stop and call if", item["warning_signs"])
    else:
        line("Subtitle", item["subtitle"])
        line("Prepared for", item["prepared_for"])
        numbered("Sections", item["sections"],
                 lambda s: s["heading"] + (f"  [try this: {s['exercise']}]" if s["exercise"] else ""))
        line("Author", item["author"])
        line("Call to action", item["call_to_action"])
