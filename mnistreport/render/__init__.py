"""Values to bytes: pictures and charts (the only matplotlib importer), tables, formats, colours, browser data files."""
