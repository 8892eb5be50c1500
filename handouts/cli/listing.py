"""`handouts list`: the clinic's exercises, programs and guides."""

from __future__ import annotations


import click

from handouts.cli.app import CONTEXT, main, report, root_of


@main.command("list", context_settings=CONTEXT)
@click.argument("kind", type=click.Choice(["exercises", "programs", "guides"]))
@click.option("-s", "--search", default="", help="Only items whose id, name, position, tags or region contain this text.")
@click.pass_context
@report
def list_(ctx, kind, search):
    """List exercises, programs or guides with their ids.

    \b
    Examples:
      handouts list exercises --search bridge
      handouts list programs
    """
    from handouts.load import folder

    library = folder.load_library(root_of(ctx), check_images=False, guides=kind == "guides")
    needle = search.lower().strip()
    if kind == "exercises":
        rows = [(ex.id, ex.name, ex.position, ", ".join(ex.tags + ex.region)) for ex in library.exercises.values()]
    elif kind == "programs":
        rows = [(p.id, p.title, f"{len(p.items)} exercises", "") for p in library.programs.values()]
    else:
        rows = [(g.id, g.title, f"{len(g.sections)} sections", "") for g in library.guides.values()]
    rows = [r for r in rows if not needle or needle in " ".join(r).lower()]
    if not rows:
        click.echo(f"no {kind} match '{search}'", err=True)
        return
    width = max(len(r[0]) for r in rows)
    for ident, name, extra, tags in rows:
        click.echo(f"{ident:<{width}}  {name}  ({extra})" + (f"  [{tags}]" if tags else ""))
