"""Small test sites for the crawl tests, and the server that serves them."""
