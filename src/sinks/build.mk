EMBED_FILES += web/dashboard.html
