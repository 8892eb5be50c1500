"""Shell completion of ids (programs, exercises, guides, therapists) from the library index.

Click calls these while the user presses Tab; they must be quick and must never fail loudly, so any
problem (no clinic folder, unreadable index) simply completes nothing.
"""

from __future__ import annotations

from click.shell_completion import CompletionItem


def _index(ctx):
    from handouts.load import folder, index

    root = ctx.find_root().params.get("root")
    return index.load(folder.find_root(root))


def _items(ctx, incomplete: str, kind: str) -> list[CompletionItem]:
    try:
        entries = _index(ctx).of_kind(kind)
    except Exception:  # completion must never print a traceback into the user's shell
        return []
    return [CompletionItem(e["id"], help=e.get("name") or e.get("title") or "")
            for e in entries if e["id"].startswith(incomplete)]


def complete_program(ctx, param, incomplete):
    return _items(ctx, incomplete, "program")


def complete_guide(ctx, param, incomplete):
    return _items(ctx, incomplete, "guide")


def complete_exercise(ctx, param, incomplete):
    return _items(ctx, incomplete, "exercise")


def complete_any(ctx, param, incomplete):
    return _items(ctx, incomplete, "exercise") + _items(ctx, incomplete, "program") + _items(ctx, incomplete, "guide")


def complete_therapist(ctx, param, incomplete):
    try:
        therapists = _index(ctx).therapists()
    except Exception:
        return []
    return [CompletionItem(ident, help=name) for ident, name in therapists if ident.startswith(incomplete)]
