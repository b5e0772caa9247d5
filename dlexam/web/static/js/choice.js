// Option boxes: the letters ticked go into the hidden `answer` field as `a,c` (the family's parser reads it).
(function () {
  "use strict";
  document.querySelectorAll("[data-input=choice]").forEach(function (box) {
    if (box.dlexamChoice) return;
    box.dlexamChoice = true;
    var field = box.querySelector("input[name=answer]");
    box.addEventListener("change", function () {
      var letters = Array.prototype.filter.call(box.querySelectorAll("input[type=checkbox], input[type=radio]"),
        function (i) { return i.checked; }).map(function (i) { return i.value; });
      field.value = letters.join(",");
      var form = box.closest("form");
      if (form) form.dispatchEvent(new CustomEvent("dlexam:answer-changed", { bubbles: true }));
    });
  });
})();
