// A searchable picker for a text box with `data-picker` (an options.json URL answering
// [{code, name}] for ?q=): ISO clauses (templates/_macros.html `clause_field`) and TTHC
// codes. Suggestions appear under the box as one types a code or words of a name, with
// or without diacritics; arrow keys and Enter, or a click, choose one. With
// `data-picker-multi` the box holds several codes separated by spaces and the choice
// replaces only the word being typed. Without JavaScript the box still takes codes.
(function () {
  let counter = 0;
  document.querySelectorAll("input[data-picker]").forEach(function (input) {
    if (input.dataset.pickerReady) return;  // the script may be included once per field
    input.dataset.pickerReady = "1";
    const multi = input.hasAttribute("data-picker-multi");
    const list = document.createElement("ul");
    list.id = (input.id || "picker") + "-listbox-" + (++counter);
    list.className = "picker-list";
    list.setAttribute("role", "listbox");
    // the label comes from the page, in the interface's language (templates/base.html)
    list.setAttribute("aria-label", input.dataset.pickerLabel ||
                      document.body.dataset.textSuggestions || "Gợi ý");
    list.hidden = true;
    input.removeAttribute("list");  // the server-side list replaces the browser's
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    input.insertAdjacentElement("afterend", list);
    let timer = null, active = -1, asked = 0;

    // In a box of several codes, what is being looked up: the words after the last
    // finished code ("8.5.1 kiem soat" looks up "kiem soat"; "8.5.1 7.5" looks up "7.5").
    const CODE = /^\d+(\.\d+)*$/;
    function split() {
      const parts = input.value.split(/[\s,;]+/);
      let kept = 0;
      for (let i = parts.length - 2; i >= 0; i--) {
        if (CODE.test(parts[i])) { kept = i + 1; break; }
      }
      return { kept: parts.slice(0, kept).filter(Boolean), query: parts.slice(kept).join(" ").trim() };
    }
    function word() {
      return multi ? split().query : input.value.trim();
    }
    function close() {
      list.hidden = true; active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }
    function choose(code) {
      if (multi) {
        const kept = split().kept;
        input.value = kept.concat([code]).join(" ") + " ";
      } else {
        input.value = code;
      }
      close();
      input.focus();
      input.dispatchEvent(new Event("change", { bubbles: true }));
    }
    function mark(i) {
      const items = list.querySelectorAll("li");
      items.forEach(function (li, n) { li.setAttribute("aria-selected", n === i ? "true" : "false"); });
      active = i;
      if (items[i]) input.setAttribute("aria-activedescendant", items[i].id);
    }
    async function ask(query) {
      const ticket = ++asked;
      const sep = input.dataset.picker.indexOf("?") < 0 ? "?" : "&";
      const response = await fetch(input.dataset.picker + sep + "q=" + encodeURIComponent(query),
                                   { credentials: "same-origin" });
      if (!response.ok || ticket !== asked) return;
      const data = await response.json();
      if (ticket !== asked) return;  // a later answer is on its way
      // a list that arrives while an option is highlighted keeps that option highlighted
      const shown = list.querySelectorAll("li");
      const kept = active >= 0 && shown[active] ? shown[active].dataset.code : null;
      list.innerHTML = "";
      data.forEach(function (o, n) {
        const li = document.createElement("li");
        li.id = list.id + "-" + n;
        li.setAttribute("role", "option");
        li.dataset.code = o.code;
        const code = document.createElement("strong");
        code.textContent = o.code;
        li.appendChild(code);
        li.appendChild(document.createTextNode(" " + o.name));
        // mousedown keeps the focus in the box; the choice is made on click
        li.addEventListener("mousedown", function (e) { e.preventDefault(); });
        li.addEventListener("click", function () { choose(o.code); });
        list.appendChild(li);
      });
      list.hidden = data.length === 0;
      input.setAttribute("aria-expanded", data.length ? "true" : "false");
      active = -1;
      const again = data.findIndex(function (o) { return o.code === kept; });
      if (again >= 0) mark(again);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      const query = word();
      if (!query) { close(); return; }
      timer = setTimeout(function () { ask(query); }, 120);
    });
    input.addEventListener("keydown", function (e) {
      const items = list.querySelectorAll("li");
      if (list.hidden || !items.length) return;
      if (e.key === "ArrowDown") { e.preventDefault(); mark((active + 1) % items.length); }
      else if (e.key === "ArrowUp") { e.preventDefault(); mark((active - 1 + items.length) % items.length); }
      else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(items[active].dataset.code); }
      else if (e.key === "Escape") { close(); }
    });
    input.addEventListener("blur", function () { setTimeout(close, 200); });
  });
})();
