#!/bin/sh
# embed.sh NAME FILE: prints a C header defining `static const char hh_embed_NAME[]`
# holding FILE's text, so built-in defaults ship inside the binary.
set -eu
name=$1 file=$2
printf '/* generated from %s by tools/embed.sh; do not edit */\n' "$file"
printf 'static const char hh_embed_%s[] =\n' "$name"
# Escape backslashes, quotes and trigraph-looking '?', one C string per line.
sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/?/\\?/g' -e 's/^/"/' -e 's/$/\\n"/' "$file"
printf ';\n'
