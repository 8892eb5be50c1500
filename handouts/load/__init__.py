"""Load: clinic folder, visit file, recipient list -> model objects, every problem with its place.
Knows nothing of reportlab or Pillow.

    yamlfile.py    strict YAML: text -> located tree (no aliases, tags, duplicate keys; bounded depth)
    schema.py      located trees -> model objects (exercises, programs, guides, clinic), with places
    markdown.py    a guide's Markdown subset -> plain blocks, refusing what we do not print
    folder.py      a clinic folder -> a checked Library; visit files; finding the clinic root
    recipients.py  CSV/YAML recipient lists -> rows of personalisation fields
    subset.py      only what one handout uses (clinic, its program or guide, their exercises)
    index.py       the library index in the cache (list, show, search, completion); never trusted
"""
