"""Load: clinic folder, visit file, recipient list, exercise lists to import -> model objects, every
problem with its place. Knows nothing of reportlab or Pillow.

    yamlfile.py      strict YAML: text -> located tree (no aliases, tags, duplicate keys; bounded depth)
    fields.py        the toolkit every reader shares: Reader (located problems), text_problem, did_you_mean,
                     placeholders, path_problem
    schema.py        located trees -> model objects (exercises, programs, guides, clinic), with places
    translations.py  translatable fields ({en: Bridge, es: Puente}) -> Translated text, with places
    dosage.py        dosage values as clinicians write them: ranges, durations, "until tired"
    clinic_fonts.py  clinic.yaml's fonts: a family or font files, and fallback fonts, each checked
    markdown.py      a guide's Markdown subset -> plain blocks, refusing what we do not print
    remnants.py      warnings for text that looks like HTML left over from an import
    folder.py        a clinic folder -> a checked Library; finding the clinic root
    subset.py        only what one handout uses (clinic, its program or guide, their exercises)
    index.py         the library index in the cache (list, show, search, completion); never trusted
    visit.py         a visit file or command-line options -> a checked Visit
    charsets.py      the bytes of a spreadsheet export -> text, and which encoding it was
    recipients.py    CSV/YAML recipient lists (and exercise lists) -> rows of fields, each with its row
    fingerprint.py   one recipient row -> a short digest of who it is and what is printed for them
    importing.py     what every importer shares: exercise drafts -> a checked plan -> files
    import_fedb.py   free-exercise-db records -> exercise drafts
    import_csv.py    a clinic's own exercise list (CSV) -> exercise drafts
"""
