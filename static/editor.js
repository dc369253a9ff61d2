// The document editor: a visual editor (Toast UI, vendored under static/vendor/toastui)
// over the Markdown textarea, and a live preview rendered and sanitised by the server.
// Markdown stays what is stored: the visual editor writes Markdown back into the
// textarea before the form is sent, so the form, the stale-save check and the
// server's validation are the same with or without JavaScript. The toggle shows the
// plain Markdown source instead. Its words come from the page (the JSON block
// #editor-strings, in the person's language), none are written here.
(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  const body = form.querySelector("textarea[name=body]");
  const preview = document.getElementById("preview");
  const token = form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  let sync = () => {};  // the visual editor, once there, writes its Markdown back first
  async function refresh() {
    sync();
    const data = new URLSearchParams({ body: body.value, csrf_token: token });
    const response = await fetch(body.dataset.preview, { method: "POST", body: data,
      headers: { "X-CSRFToken": token }, credentials: "same-origin" });
    if (response.ok) preview.innerHTML = (await response.json()).html;
  }
  function later() { clearTimeout(timer); timer = setTimeout(refresh, 300); }
  body.addEventListener("input", later);
  refresh();

  const host = document.getElementById("visual-editor");
  const toggle = document.getElementById("source-toggle");
  if (!host || !toggle || !window.toastui) return;
  const words = document.getElementById("editor-strings");
  if (!words) return;  // the page did not say what to call things: the plain textarea stays
  const strings = JSON.parse(words.textContent);
  const Editor = window.toastui.Editor;
  const split = host.closest(".split");
  // one language named for isodoc, holding the page's words whatever its language
  Editor.setLanguage("isodoc", strings.toolbar);
  const editor = new Editor({
    el: host, initialValue: body.value, initialEditType: "wysiwyg", hideModeSwitch: true,
    previewStyle: "tab", height: "36rem", language: "isodoc", usageStatistics: false,
    autofocus: false,
    toolbarItems: [["heading", "bold", "italic", "strike"], ["hr", "quote"],
      ["ul", "ol", "indent", "outdent"], ["table", "link"]],
  });
  // Toast UI rewrites Markdown it did not write (list markers, escapes): until the
  // person changes something in the visual editor, the stored source is left as it is.
  let untouched = editor.getMarkdown();
  let visual = true;
  function writeBack() {
    const markdown = editor.getMarkdown();
    if (markdown !== untouched) body.value = tidy(markdown);
  }
  // Toast UI's Markdown in the house style of the stored documents, so that the source
  // diff shows what the person changed and not how Toast UI writes: "## 1. Mục đích"
  // (not "## 1\. Mục đích"; an ATX heading cannot start a list), commas unescaped (they
  // mean nothing in Markdown), "-" bullets, "|---|" delimiter rows. Code blocks untouched.
  function tidy(markdown) {
    let fence = null;
    return markdown.split("\n").map((line) => {
      const opened = line.match(/^\s*(`{3,}|~{3,})/);
      if (fence) { if (opened && opened[1][0] === fence[0] && opened[1].length >= fence.length) fence = null; return line; }
      if (opened) { fence = opened[1]; return line; }
      if (!line.includes("`")) line = line.replace(/\\,/g, ",");  // not inside code spans
      if (/^#{1,6} /.test(line)) return line.replace(/^(#{1,6} [\d.]*\d)\\\./, "$1.");
      if (/^\s*\* (?=\S)/.test(line) && !/^\s*(\*\s*){3,}$/.test(line)) return line.replace("* ", "- ");
      if (/^\|(\s*:?-+:?\s*\|)+$/.test(line)) {
        return line.replace(/\s*(:?)-+(:?)\s*\|/g, "$1---$2|");
      }
      return line;
    }).join("\n");
  }
  // getMarkdown walks the whole document: once per pause in typing, not per key
  editor.on("change", () => { if (visual) later(); });
  sync = () => { if (visual) writeBack(); };
  const area = host.querySelector(".toastui-editor-ww-container [contenteditable]");
  if (area) area.setAttribute("aria-label", strings.content);
  // what is edited is the agency's document, in its own language: no browser translation
  host.querySelectorAll(".toastui-editor-main").forEach((main) => main.setAttribute("translate", "no"));
  // On a narrow screen the toolbar folds its last groups under a "more" button that Toast
  // UI leaves without a name; buttons it adds later get theirs when they appear.
  function nameButtons() {
    host.querySelectorAll(".toastui-editor-toolbar button.more:not([aria-label])")
      .forEach((b) => b.setAttribute("aria-label", strings.moreTools));
  }
  const toolbar = host.querySelector(".toastui-editor-toolbar");
  if (toolbar) new MutationObserver(nameButtons).observe(toolbar, {childList: true, subtree: true});
  nameButtons();
  function show(asVisual) {
    if (asVisual && !visual) {
      editor.setMarkdown(body.value, false);
      untouched = editor.getMarkdown();
    } else if (!asVisual && visual) {
      writeBack();
    }
    visual = asVisual;
    host.hidden = !visual;
    split.classList.toggle("visual", visual);  // the toolbar needs the full width
    body.hidden = visual;
    toggle.textContent = visual ? strings.source : strings.visual;
    try { localStorage.setItem("isodoc-editor", visual ? "visual" : "source"); } catch (e) { /* private mode */ }
  }
  toggle.hidden = false;
  toggle.addEventListener("click", () => show(!visual));
  form.addEventListener("submit", () => { if (visual) writeBack(); });
  let wanted = "visual";
  try { wanted = localStorage.getItem("isodoc-editor") || "visual"; } catch (e) { /* private mode */ }
  visual = false;  // the textarea is what shows until now
  show(wanted !== "source");
})();
