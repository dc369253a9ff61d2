#!/bin/sh
# Rebuilds static/vendor/toastui from npm (see static/vendor/toastui/README.md).
# npm ships Toast UI Editor either as a build that expects ProseMirror as separate
# globals or as ES modules, so it is bundled here with esbuild, after two edits that
# let it run under the app's Content-Security-Policy (style-src 'self', no inline style
# attributes): styles given as strings are set one property at a time through the CSSOM
# (style.setProperty, which the policy allows; Chromium refuses setAttribute("style")
# and style.cssText alike), and the toolbar's tooltip is hidden through the CSSOM
# instead of an inline style in its HTML.
set -eu
VERSION=3.2.2
OUT=$(cd "$(dirname "$0")/.." && pwd)/static/vendor/toastui
WORK=$(mktemp -d)
cd "$WORK"
npm init -y >/dev/null
npm install --no-audit --no-fund "@toast-ui/editor@$VERSION" esbuild@0.28.2 >/dev/null
ESM=node_modules/@toast-ui/editor/dist/esm/index.js
node - "$ESM" <<'JS'
const fs = require("fs");
const file = process.argv[2];
let src = fs.readFileSync(file, "utf8");
function edit(from, to) {
  if (!src.includes(from)) throw new Error("not found: " + from);
  src = src.replace(from, to);
}
edit("            else if (propName === 'style' && isObject_1(props[propName])) {",
     "            else if (propName === 'style' && (props[propName] == null || typeof props[propName] === 'string')) {\n" +
     "                for (var k = node.style.length - 1; k >= 0; k--) node.style.removeProperty(node.style[k]);\n" +
     "                String(props[propName] || '').split(';').forEach(function (decl) {\n" +
     "                    var colon = decl.indexOf(':');\n" +
     "                    if (colon > 0) node.style.setProperty(decl.slice(0, colon).trim(), decl.slice(colon + 1).trim());\n" +
     "                });\n            }\n" +
     "            else if (propName === 'style' && isObject_1(props[propName])) {");
edit("cls('tooltip') + \"\\\" style=\\\"display:none\\\">",
     "cls('tooltip') + \"\\\">");
edit("this.tooltipRef.current = createElementWith(tooltip, this.refs.el);",
     "this.tooltipRef.current = createElementWith(tooltip, this.refs.el);\n" +
     "        this.tooltipRef.current.style.display = 'none';");
fs.writeFileSync(file, src);
JS
printf "import Editor from '@toast-ui/editor';\nwindow.toastui = { Editor };\n" > entry.js
npx esbuild entry.js --bundle --minify --format=iife --target=es2019 \
    --legal-comments=eof --outfile="$OUT/toastui-editor-all.min.js"
npx esbuild node_modules/@toast-ui/editor/dist/toastui-editor.css --minify \
    --legal-comments=inline --outfile="$OUT/toastui-editor.min.css"
rm -rf "$WORK"
