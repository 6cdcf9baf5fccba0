"""Measuring search quality on public benchmarks (``dari eval``); not used by searching."""

from search.evaluation.runner import *  # noqa: F403
from search.evaluation.runner import (  # noqa: F401
    KORQUAD_FILE,
    SPLITS,
    XLANG_DIR,
    XLANG_SYSTEMS,
    __all__,
    mean_metrics,
    write_documents,
)
