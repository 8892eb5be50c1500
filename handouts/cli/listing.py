"""`handouts list`: the clinic's exercises, programs and guides, from the library index (fast at any size)."""

from __future__ import annotations

import json

import click

from handouts.cli.app import CONTEXT, main, report, root_of
from handouts.cli.complete import complete_program


@main.command("list", context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(["exercises", "programs", "guides"]))
@click.option("-s", "--search", default="", help="Only items whose id, name, position, tags or region contain this text.")
@click.option("--position", metavar="TEXT", help="Exercises in this body position, e.g. 'lying on back'.")
@click.option("--region", metavar="TEXT", help="Exercises for this body region, e.g. knee.")
@click.option("--tag", "tags", multiple=True, metavar="TEXT", help="Exercises with this tag. Repeatable (all must match).")
@click.option("--program", metavar="ID", shell_complete=complete_program, help="Exercises used by this program.")
@click.option("--review", is_flag=True, help="Imported exercises with fields the importer guessed (to review).")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON list (for scripts) instead of a table.")
@click.pass_context
@report
def list_(ctx, kind, search, position, region, tags, program, review, as_json):
    """List exercises, programs or guides with their ids.

    Reads a small index of the clinic folder (kept in the cache, refreshed from any file that changed),
    so it stays fast with thousands of exercises. Files with errors are not listed: stderr names how
    many there are; 'handouts check' shows them.

    \b
    Examples:
      handouts list exercises --search bridge
      handouts list exercises --region knee --position standing
      handouts list exercises --program core-activation --json
      handouts list programs
    """
    from handouts.errors import ContentError, Problem
    from handouts.load import index

    idx = index.load(root_of(ctx))
    singular = kind[:-1]
    entries = idx.of_kind(singular)
    if kind != "exercises" and (position or region or tags or program or review):
        raise ContentError(problems=[Problem("--position, --region, --tag, --program and --review filter exercises; "
                                             f"use them with 'list exercises', not 'list {kind}'")])
    if program:
        prog = next((e for e in idx.of_kind("program") if e["id"] == program), None)
        if prog is None:
            from handouts.load.fields import did_you_mean

            raise ContentError(problems=[Problem(f"unknown program id '{program}'"
                                                 f"{did_you_mean(program, idx.ids('program'))}", "--program")])
        order = {ident: n for n, ident in enumerate(prog.get("exercises", ()))}
        entries = sorted((e for e in entries if e["id"] in order), key=lambda e: order[e["id"]])
    hints = []
    if kind == "exercises":
        position = _known_position(position)
        hints += _unknown(region, {r for e in entries for r in e.get("region", ())}, "region")
        for tag in tags:
            hints += _unknown(tag, {t for e in entries for t in e.get("tags", ())}, "tag")
    entries = [e for e in entries if _matches(e, search, position, region, tags, review)]
    broken = [e for e in idx.of_kind(singular, clean=False) if e["errors"]]
    if broken:
        what = f"1 {singular} is" if len(broken) == 1 else f"{len(broken)} {kind} are"
        click.echo(f"note: {what} not listed because of problems in their files (e.g. {broken[0]['file']}); "
                   f"run 'handouts check' to see them", err=True)
    if as_json:
        click.echo(json.dumps([_public(e) for e in entries], ensure_ascii=False, indent=1))
        return
    if not entries:
        click.echo((f"no {kind} match '{search}'" if search else f"no {kind} match") + "".join(hints), err=True)
        return
    width = max(len(e["id"]) for e in entries)
    for e in entries:
        click.echo(f"{e['id']:<{width}}  {_describe(e)}")


def _known_position(position: str | None) -> str | None:
    """A --position as written ('lying on back', or the printed 'Lying on your back') -> its value;
    ContentError with a did-you-mean for one that is not a position."""
    from handouts.errors import ContentError, Problem
    from handouts.load.fields import did_you_mean
    from handouts.model import POSITIONS
    from handouts.wording import position_text

    if not position:
        return position
    wanted = " ".join(position.lower().split())
    printed = {position_text(p, "").lower(): p for p in POSITIONS}
    if wanted in POSITIONS or wanted in printed:
        return printed.get(wanted, wanted)
    raise ContentError(problems=[Problem(f"unknown position '{position}'{did_you_mean(wanted, POSITIONS)}",
                                         "--position")])


def _unknown(value: str | None, known: set[str], what: str) -> list[str]:
    """'; no exercise has region 'kne'; did you mean 'knee'?' when no exercise of the library has `value`
    (regions and tags are the clinic's own words: a hint, not an error)."""
    from handouts.load.fields import did_you_mean

    if not value or value.strip().lower() in {k.lower() for k in known}:
        return []
    return [f"; no exercise has {what} '{value}'{did_you_mean(value.strip().lower(), sorted(known))}"]


def _matches(e: dict, search: str, position, region, tags, review) -> bool:
    def has(values, wanted):
        return wanted.strip().lower() in (v.lower() for v in values)

    if position and e.get("position", "") != position.strip().lower():
        return False
    if region and not has(e.get("region", ()), region):
        return False
    if any(not has(e.get("tags", ()), t) for t in tags):
        return False
    if review and not e.get("guessed"):
        return False
    needle = search.lower().strip()
    if needle:
        words = [e["id"], e.get("name", ""), e.get("title", ""), e.get("position", ""),
                 *e.get("tags", ()), *e.get("region", ())]
        return needle in " ".join(words).lower()
    return True


def _describe(e: dict) -> str:
    if e["kind"] == "exercise":
        labels = ", ".join(dict.fromkeys(e.get("tags", []) + e.get("region", [])))
        guessed = f"  (guessed: {', '.join(e['guessed'])})" if e.get("guessed") else ""
        return f"{e['name']}  ({e['position']})" + (f"  [{labels}]" if labels else "") + guessed
    if e["kind"] == "program":
        return f"{e['title']}  ({len(e.get('exercises', []))} exercises)"
    return f"{e['title']}  ({e.get('sections', 0)} sections)"


def _public(e: dict) -> dict:
    """An index entry as scripts see it: the content fields and the file, not the bookkeeping."""
    hidden = {"size", "mtime_ns", "racy", "errors", "refs", "kind"}
    return {k: v for k, v in e.items() if k not in hidden}
