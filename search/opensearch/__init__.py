"""Dari on an OpenSearch cluster: the same analysis, query language and answers, on many machines.

The cluster does not analyse Dari's text: every paragraph is analysed in Python by
the same pipeline as the local index (:func:`search.analysis.paragraphs.index_terms`)
and sent as pre-analysed token fields (:mod:`.documents`), which the index's
analyzers only split (:mod:`.mapping`).  The client and its settings are in
:mod:`.client`; ``opensearch-py`` is an optional dependency
(``pip install 'dari[opensearch]'``).
"""
