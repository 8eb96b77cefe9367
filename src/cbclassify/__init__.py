"""cbclassify: credit-balance classification for therapy-practice billing teams."""

__version__ = "0.1.0"
