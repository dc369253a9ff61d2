// Live preview for the Markdown editor: the server renders and sanitises (nh3),
// so the preview is exactly what the document page will show.
(function () {
  const form = document.getElementById("editor");
  if (!form) return;
  const body = form.querySelector("textarea[name=body]");
  const preview = document.getElementById("preview");
  const token = form.querySelector("input[name=csrf_token]").value;
  let timer = null;
  async function refresh() {
    const data = new URLSearchParams({ body: body.value, csrf_token: token });
    const response = await fetch(body.dataset.preview, { method: "POST", body: data,
      headers: { "X-CSRFToken": token }, credentials: "same-origin" });
    if (response.ok) preview.innerHTML = (await response.json()).html;
  }
  body.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  refresh();
})();
