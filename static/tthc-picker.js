// The TTHC picker of the document editor: suggestions from the province's catalog
// (accent-insensitive, only the TTHC the agency must cover); choosing one fills its code.
(function () {
  document.querySelectorAll("input[data-tthc-picker]").forEach(function (input) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (input.value.trim().length < 2 || /^\d\.\d{6}$/.test(input.value.trim())) return;
      timer = setTimeout(async function () {
        const url = input.dataset.tthcPicker + "&q=" + encodeURIComponent(input.value);
        const response = await fetch(url, { credentials: "same-origin" });
        if (!response.ok) return;
        const data = await response.json();
        list.innerHTML = "";
        data.forEach(function (t) {
          const option = document.createElement("option");
          option.value = t.code;
          option.label = t.code + " · " + t.name;
          list.appendChild(option);
        });
      }, 150);
    });
  });
})();
