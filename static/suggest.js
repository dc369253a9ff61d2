// As-you-type title suggestions for every search box with data-suggest.
(function () {
  document.querySelectorAll("input[data-suggest]").forEach(function (input) {
    const list = document.getElementById(input.getAttribute("list"));
    let timer = null;
    input.addEventListener("input", function () {
      clearTimeout(timer);
      if (input.value.trim().length < 2) return;
      timer = setTimeout(async function () {
        const response = await fetch(input.dataset.suggest + "?q=" + encodeURIComponent(input.value),
          { credentials: "same-origin" });
        if (!response.ok) return;
        const data = await response.json();
        list.innerHTML = "";
        data.suggestions.forEach(function (s) {
          const option = document.createElement("option");
          option.value = s.title;
          option.label = s.code + " · " + s.agency;
          list.appendChild(option);
        });
      }, 150);
    });
  });
})();
