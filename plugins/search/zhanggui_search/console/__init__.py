"""The console's search: the navbar box, the results page and the REST API."""
