"""The site: content and front matter, words, pages, links, publishing, search, preview server."""
