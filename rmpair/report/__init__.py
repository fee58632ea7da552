"""The programme's report: the data it shows, how it is built, one renderer per format."""
