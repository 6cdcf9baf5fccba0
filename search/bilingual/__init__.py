"""Both languages at once: the glossary, query expansion by translation, aligned clauses.

* :mod:`~search.bilingual.glossary` — English⇄Korean entries, matched by analysed terms;
* :mod:`~search.bilingual.expansion` — a query word's translations and romanizations;
* :mod:`~search.bilingual.romanization` — the Revised Romanization, with its sound changes;
* :mod:`~search.bilingual.alignment` — paragraphs of a document linked to their translation.
"""
