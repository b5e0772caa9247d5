// Typeset maths with the vendored KaTeX: \( \), \[ \] and $$ $$ (not single $, which code uses),
// on load and again wherever the event `dlexam:typeset` is dispatched (e.g. a live preview).
(function () {
  function typeset(element) {
    if (!window.renderMathInElement) return;
    window.renderMathInElement(element, {
      delimiters: [
        {left: "$$", right: "$$", display: true},
        {left: "\\[", right: "\\]", display: true},
        {left: "\\(", right: "\\)", display: false}
      ],
      throwOnError: false
    });
  }
  document.addEventListener("DOMContentLoaded", function () { typeset(document.body); });
  document.addEventListener("dlexam:typeset", function (event) { typeset(event.target === document ? document.body : event.target); });
  window.dlexamTypeset = typeset;
})();
