// Questionnaire grids: live totals, mismatches, unsaved-changes warning, extra country rows.
// The server's checks stay the authority; this only helps while typing.
(function () {
  "use strict";

  function parseCount(text) {
    var cleaned = String(text || "").replace(/[\s\u00a0\u202f]/g, "");
    return /^\d+$/.test(cleaned) ? parseInt(cleaned, 10) : 0;
  }

  function updateTotals(grid) {
    grid.querySelectorAll("td[data-total]").forEach(function (cell) {
      var form = cell.getAttribute("data-total");
      var total = 0;
      grid.querySelectorAll('tbody input[data-form="' + form + '"]').forEach(function (input) {
        total += parseCount(input.value);
      });
      var target = grid.querySelector('td[data-accompanied="' + form + '"]');
      var text = String(total);
      var mismatch = false;
      if (target) {
        var accompanied = parseCount(target.textContent);
        var relation = target.getAttribute("data-relation");
        mismatch = relation === "eq" ? total !== accompanied : total > accompanied;
        if (mismatch) {
          text += relation === "eq"
            ? " — écart de " + (total - accompanied > 0 ? "+" : "") + (total - accompanied)
            : " — dépasse " + accompanied;
        }
      }
      cell.textContent = text;
      cell.classList.toggle("questionnaire-grid__mismatch", mismatch);
    });
  }

  function addCountryRow(grid) {
    var inputs = grid.querySelectorAll('input[name^="country-"]');
    if (!inputs.length) return;
    var template = inputs[inputs.length - 1].closest("tr");
    var next = inputs.length;
    while (grid.querySelector('input[name="country-' + next + '"]')) next += 1;
    var clone = template.cloneNode(true);
    clone.querySelectorAll("input, label").forEach(function (element) {
      ["name", "id", "for"].forEach(function (attribute) {
        var value = element.getAttribute(attribute);
        if (value) element.setAttribute(attribute, value.replace(/\d+$/, String(next)));
      });
      if (element.tagName === "INPUT") element.value = "";
    });
    clone.querySelectorAll(".fr-error-text").forEach(function (error) { error.remove(); });
    template.insertAdjacentElement("afterend", clone);
    clone.querySelector("input").focus();
  }

  document.querySelectorAll("[data-grid]").forEach(function (grid) {
    grid.addEventListener("input", function () { updateTotals(grid); });
    updateTotals(grid);
    if (grid.getAttribute("data-grid") === "origine" && grid.querySelector("input")) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fr-btn fr-btn--tertiary fr-btn--sm fr-icon-add-line fr-btn--icon-left fr-mt-1w";
      button.textContent = "Ajouter une ligne de pays";
      button.addEventListener("click", function () { addCountryRow(grid); });
      grid.insertAdjacentElement("afterend", button);
    }
  });

  var form = document.querySelector("form[data-questionnaire]");
  if (form) {
    var dirty = false;
    form.addEventListener("input", function () { dirty = true; });
    form.addEventListener("submit", function () { dirty = false; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
})();
