"""Load: clinic folder, visit file, recipient list -> model objects, every problem with its place.
Knows nothing of reportlab or Pillow.

    yamlfile.py    strict YAML: text -> located tree (no aliases, tags, duplicate keys; bounded depth)
    fields.py      the toolkit every reader shares: Reader (located problems), text_problem, did_you_mean,
                   placeholders, path_problem
    schema.py      located trees -> model objects (exercises, programs, guides, clinic), with places
    dosage.py      dosage values as clinicians write them: ranges, durations, "until tired"
    markdown.py    a guide's Markdown subset -> plain blocks, refusing what we do not print
    folder.py      a clinic folder -> a checked Library; finding the clinic root
    visit.py       a visit file or command-line options -> a checked Visit
    recipients.py  CSV/YAML recipient lists -> rows of personalisation fields
    subset.py      only what one handout uses (clinic, its program or guide, their exercises)
    index.py       the library index in the cache (list, show, search, completion); never trusted
"""
