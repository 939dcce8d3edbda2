// breakwater: optional enhancements. Every page works without this file.
(function () {
  'use strict';

  // Left and right arrow keys step to the previous and next port, like the original
  // Port Authority's buttons, unless the visitor is typing in a field.
  document.addEventListener('keydown', function (event) {
    var target = event.target;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA')) return;
    if (event.altKey || event.ctrlKey || event.metaKey || event.shiftKey) return;
    var rel = event.key === 'ArrowLeft' ? 'prev' : event.key === 'ArrowRight' ? 'next' : null;
    if (!rel) return;
    var link = document.querySelector('a[rel="' + rel + '"]');
    if (link) window.location.href = link.href;
  });

  // Checks the port box before the form is sent, so a typo is explained at once.
  var boxes = document.querySelectorAll('form.port input[name="n"]');
  Array.prototype.forEach.call(boxes, function (box) {
    box.addEventListener('input', function () {
      var text = box.value.trim();
      var ok = /^[0-9]{1,5}$/.test(text) && Number(text) <= 65535;
      box.setCustomValidity(text === '' || ok ? '' : 'A port is a whole number from 0 to 65535.');
    });
  });
})();
