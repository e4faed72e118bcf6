"""trial-audit: check clinical-trial records against review-derived quality profiles."""

__version__ = "0.5.8"
