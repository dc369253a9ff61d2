// On a phone every `table.table` becomes a list of cards (static/style.css): each cell
// is labelled with its column's heading, so no column that matters is cut off. Pages
// need nothing but the class: the labels are taken from the table's own <thead>.
(function () {
  // A list a page lays out as a bare <table> is one too; a document's own tables (its
  // rendered Markdown, the visual editor's) keep their layout and scroll instead.
  document.querySelectorAll("#content table:not([class])").forEach(function (table) {
    if (!table.closest(".doc-body, .toastui-editor-defaultUI")) table.classList.add("table");
  });
  document.querySelectorAll("table.table").forEach(function (table) {
    const head = table.tHead && table.tHead.rows[table.tHead.rows.length - 1];
    if (!head) return;
    const labels = [];
    Array.prototype.forEach.call(head.cells, function (th) {
      for (let i = 0; i < (th.colSpan || 1); i++) labels.push(th.textContent.trim());
    });
    table.classList.add("cards");
    Array.prototype.forEach.call(table.tBodies, function (body) {
      Array.prototype.forEach.call(body.rows, function (row) {
        let column = 0;
        Array.prototype.forEach.call(row.cells, function (cell) {
          if (!cell.hasAttribute("data-label") && labels[column] && cell.colSpan < labels.length) {
            cell.setAttribute("data-label", labels[column]);
          }
          column += cell.colSpan || 1;
        });
      });
    });
  });
})();

// A document's body scrolls sideways when its tables are wider than the screen: a region
// that scrolls must be reachable by keyboard (axe: scrollable-region-focusable).
(function () {
  document.querySelectorAll(".doc-body:not([tabindex])").forEach(function (body) {
    body.setAttribute("tabindex", "0");
    // the page's own words (templates/base.html), in the interface's language
    if (!body.hasAttribute("aria-label")) {
      body.setAttribute("aria-label", document.body.dataset.textDocumentBody || "Nội dung tài liệu");
    }
  });
})();
