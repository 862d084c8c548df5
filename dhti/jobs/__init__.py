"""Work over many files: ingesting into the store, batch runs, the portfolio and the demo."""
