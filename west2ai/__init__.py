"""West2 Online AI course kit: data loaders, fixture sites, grading checks and the mentor CLI."""
__version__ = "0.1.0"
